#include "eval_report.h"

#include <cmath>
#include <cstdio>


namespace barista::cli {

using namespace barista::internal;

void print_eval_table(const std::vector<EvalRow>& rows, uint32_t k) {
  std::printf("%-34s %8s %8s %8s %8s %8s\n", "", "users", ("HR@" + std::to_string(k)).c_str(),
              ("NDCG@" + std::to_string(k)).c_str(), "AUC", "logloss");
  for (const EvalRow& row : rows) {
    const EvalMetrics& m = row.metrics;
    char logloss[16] = "-";
    if (!std::isnan(m.logloss)) std::snprintf(logloss, sizeof logloss, "%.4f", m.logloss);
    char auc[16] = "-";
    if (!std::isnan(m.auc)) std::snprintf(auc, sizeof auc, "%.4f", m.auc);
    std::printf("%-34s %8zu %8.4f %8.4f %8s %8s\n", row.name.c_str(), m.users, m.hit_rate, m.ndcg, auc, logloss);
  }
}

void json_eval_rows(const std::vector<EvalRow>& rows, uint32_t k, JsonWriter* j) {
  j->begin_array();
  for (const EvalRow& row : rows) {
    const EvalMetrics& m = row.metrics;
    j->begin_object().key("name").value(row.name).key("users").value(static_cast<uint64_t>(m.users));
    j->key("k").value(k).key("hr").value(m.hit_rate).key("ndcg").value(m.ndcg).key("auc").value(m.auc);
    j->key("logloss").value(m.logloss).end_object();
  }
  j->end_array();
}

}  // namespace barista::cli
