// barista eval CONFIG --model MODEL [...]: the leave-last-out protocol on the
// config's data — MostPop, EASE, item-kNN and each model side by side.
// barista eval CONFIG --cold-start [...]: the cold-start protocol
// (eval/cold_start.h), training its own models without the held-out users.
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include "cli.h"
#include "commands.h"
#include "eval/baselines.h"
#include "eval/cold_start.h"
#include "eval_report.h"
#include "jobs/train_job.h"
#include "train/size_estimate.h"
#include "train/trainer.h"
#include "writer/model_writer.h"

namespace barista::cli {

using namespace barista::internal;

namespace {

constexpr uint32_t kColdStartFolds = 5;  // a fifth of the users is held out

Exit run_cold_start(const Args& args, TrainConfig config) {
  uint64_t folds = 1, epochs = 0, memory = 0, k = 10;
  double dropout = 0;
  ColdStartOptions options;
  double rate = 0, beta = 0, l1 = 0, l2 = 0, shown_weight = 0;
  if (!args.get_uint("folds", 1, &folds) || !args.get_uint("k", 10, &k) ||
      !args.get_uint("epochs", config.training.epochs, &epochs) ||
      !args.get_uint("memory", options.memory_limit, &memory) ||
      !args.get_double("user-dropout", config.user_id.dropout, &dropout) ||
      !args.get_double("learning-rate", static_cast<double>(options.ftrl.alpha), &rate) ||
      !args.get_double("beta", static_cast<double>(options.ftrl.beta), &beta) ||
      !args.get_double("l1", static_cast<double>(options.ftrl.l1), &l1) ||
      !args.get_double("l2", static_cast<double>(options.ftrl.l2), &l2) ||
      !args.get_double("shown-weight", static_cast<double>(options.shown_weight), &shown_weight)) {
    return Exit::Usage;
  }
  if (folds < 1 || folds > kColdStartFolds) return args.usage_error("--folds wants 1 to 5");
  if (dropout < 0 || dropout > 1) return args.usage_error("--user-dropout wants a fraction in [0, 1]");
  config.training.epochs = static_cast<uint32_t>(std::max<uint64_t>(1, epochs));
  config.user_id.dropout = dropout;
  options.k = static_cast<uint32_t>(std::max<uint64_t>(1, k));
  options.memory_limit = memory;
  options.ftrl.alpha = static_cast<float>(rate);
  options.ftrl.beta = static_cast<float>(beta);
  options.ftrl.l1 = static_cast<float>(l1);
  options.ftrl.l2 = static_cast<float>(l2);
  options.shown_weight = static_cast<float>(shown_weight);
  options.exclude_seen = !args.has("repeats");
  const bool json = args.has("json");

  // What cannot be trained is refused before the data is read.
  Status status = check_trainable(config);
  if (!status.ok()) return fail(status.message());
  Dataset data;
  if (!(status = load_dataset(config, &data)).ok()) return fail(status.message());
  std::vector<ColdStartRow> total;
  for (uint32_t fold = 0; fold < folds; ++fold) {
    Split split = make_split(data, config.training.holdout, config.training.patience > 0);
    const std::vector<uint32_t> held_out = hold_out_users(data, kColdStartFolds, fold, config.training.seed, &split);
    const auto t0 = std::chrono::steady_clock::now();
    ModelSpec spec;
    TrainSummary summary;
    if (!(status = train_model(config, data, split, nullptr, &spec, &summary)).ok()) return fail(status.message());
    std::vector<uint8_t> bytes;
    if (!(status = write_model(spec, WriteOptions(), &bytes)).ok()) return fail(status.message());
    std::unique_ptr<Model> model;
    if (!(status = Model::open_buffer(bytes.data(), bytes.size(), OpenOptions(), &model)).ok()) {
      return fail(status.message());
    }
    RequestBuilder requests;
    if (!(status = RequestBuilder::create(config, data, *model, &requests)).ok()) return fail(status.message());
    std::vector<ColdStartRow> rows;
    if (!(status = evaluate_cold_start(*model, data, requests, split, held_out, options, &rows)).ok()) {
      return fail(status.message());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!json) {
      std::fprintf(stderr,
                   "fold %u/%u: %zu users held out; trained on %zu interactions of %zu users, %u epochs; %.1f s\n",
                   fold + 1, kColdStartFolds, held_out.size(), split.training_count,
                   data.user_count() - held_out.size(), summary.epochs, seconds);
    }
    if (total.empty()) {
      total = rows;
    } else {
      for (size_t r = 0; r < rows.size(); ++r) total[r].add(rows[r]);
    }
  }

  if (json) {
    JsonWriter j;
    j.begin_object().key("folds").value(folds).key("k").value(options.k).key("rows").begin_array();
    for (const ColdStartRow& row : total) {
      j.begin_object().key("seen").value(row.seen).key("users").value(static_cast<uint64_t>(row.users));
      j.key("most_popular").value(row.rate(row.most_popular_hits));
      j.key("history_only").value(row.rate(row.history_only_hits));
      j.key("learning").value(row.rate(row.learning_hits));
      j.key("learning_memory").value(row.rate(row.memory_hits));
      j.key("id_only").value(row.rate(row.id_only_hits));
      j.key("difference").value(row.difference()).key("stderr").value(row.difference_stderr()).end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }
  std::printf("cold start: HR@%u on a held-out customer's interaction after their first k (%llu of %u folds; %s)\n",
              options.k, static_cast<unsigned long long>(folds), kColdStartFolds,
              options.exclude_seen ? "items taken before are not shown again" : "repeats allowed");
  std::printf("learning: FTRL rate %g, beta %g, L1 %g, L2 %g; shown and not taken: label 0, weight %g\n",
              static_cast<double>(options.ftrl.alpha), static_cast<double>(options.ftrl.beta),
              static_cast<double>(options.ftrl.l1), static_cast<double>(options.ftrl.l2),
              static_cast<double>(options.shown_weight));
  std::printf(
      "id only: learning, the requests carrying the customer's id and no history; + memory: the\n"
      "overlay's customer memory supplying the history\n");
  std::printf("%4s %7s %9s %13s %9s %22s %8s %9s\n", "k", "users", "MostPop", "history only", "learning",
              "learning - history", "id only", "+ memory");
  for (const ColdStartRow& row : total) {
    std::printf("%4u %7zu %9.4f %13.4f %9.4f %+13.4f ± %.4f %8.4f %9.4f\n", row.seen, row.users,
                row.rate(row.most_popular_hits), row.rate(row.history_only_hits), row.rate(row.learning_hits),
                row.difference(), row.difference_stderr(), row.rate(row.id_only_hits), row.rate(row.memory_hits));
  }
  return Exit::Ok;
}

}  // namespace

namespace {

// The list of numbers ("30,100,300") option `name` holds, or `fallback`;
// false (reported as a usage error) when one is not a number of at least
// `low`.
bool parse_settings(const Args& args, const std::string& name, const std::string& fallback, double low,
                    std::vector<double>* out) {
  out->clear();
  for (const std::string& part : split_list(args.get(name, fallback))) {
    double v = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (end != part.data() + part.size() || error != std::errc() || !(v >= low) || !std::isfinite(v)) {
      args.usage_error("--" + name + " wants numbers of at least " + std::to_string(static_cast<int>(low)) + ", not '" +
                       part + "'");
      return false;
    }
    out->push_back(v);
  }
  if (out->empty()) {
    args.usage_error("--" + name + " wants at least one value");
    return false;
  }
  return true;
}

void write_per_user(std::FILE* out, const Dataset& data, const std::string& method,
                    const std::vector<UserResult>& results, uint32_t k) {
  for (const UserResult& r : results) {
    std::fprintf(out, "%s,%s,%s,%lld,%d\n", csv_field(method).c_str(), csv_field(data.user_ids[r.user]).c_str(),
                 csv_field(data.item_ids[r.target]).c_str(), static_cast<long long>(r.rank),
                 r.rank >= 0 && r.rank < static_cast<int64_t>(k) ? 1 : 0);
  }
}

}  // namespace

Exit run_eval(const Command& command, int argc, char** argv) {
  Args args(command,
            "Evaluates models trained on the config's data with its holdout (\"last\": each user's\n"
            "last interaction; \"last_new\": their last new item) against MostPop, EASE and\n"
            "item-kNN on the same split. Each target is ranked against every catalog item the user\n"
            "had not had before it (HR@K, NDCG@K); AUC and log-loss come from the same targets plus\n"
            "sampled negatives. EASE's lambda and item-kNN's neighbor count are chosen on a\n"
            "validation target held out before each test target, never on the test targets.\n\n"
            "--cold-start instead holds a fifth of the users out of training (it trains its own\n"
            "model from the config) and replays each one's first interactions: HR@10 on the\n"
            "interaction after the first k, for MostPop, the model with history features only,\n"
            "and the model with on-device learning (observing each shown top 10 and what was taken).",
            {{"model", "MODEL", "a model file", Use::Repeatable},
             {"k", "N", "cut-off for HR and NDCG (default: 10)"},
             {"max-users", "N", "evaluate at most N users, spread evenly (default: all)"},
             {"no-baselines", "", "leave out EASE and item-kNN (MostPop stays)"},
             {"ease-lambda", "L,...", "EASE's lambdas tried on validation (default: 10,30,100,300,1000,3000)"},
             {"knn-neighbors", "K,...", "item-kNN's neighbor counts tried on validation (default: 5,10,20,50,100,200)"},
             {"per-user", "FILE", "write each test user's target, rank and hit per method (CSV)"},
             {"cold-start", "", "the cold-start protocol"},
             {"folds", "N", "cold start: evaluate N of the 5 folds, a model each (default: 1)"},
             {"epochs", "N", "cold start: override training.epochs"},
             {"user-dropout", "F", "cold start: override user_id.dropout"},
             {"learning-rate", "X", "cold start: the overlay's FTRL learning rate (default: the library's)"},
             {"beta", "X", "cold start: the overlay's FTRL beta"},
             {"l1", "X", "cold start: the overlay's L1"},
             {"l2", "X", "cold start: the overlay's L2"},
             {"shown-weight", "W", "cold start: the weight of a shown item not taken (default: the library's)"},
             {"memory", "BYTES", "cold start: the overlay's memory limit (default: 1 MiB)"},
             {"repeats", "", "cold start: what a customer took stays recommendable (data where they re-order)"},
             {"json", "", "machine-readable output"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  if (args.has("model") == args.has("cold-start")) return args.usage_error("give --model or --cold-start");
  uint64_t k = 10, max_users = 0;
  std::vector<double> lambdas, neighbors;
  if (!args.get_uint("k", 10, &k) || !args.get_uint("max-users", 0, &max_users) ||
      !parse_settings(args, "ease-lambda", "10,30,100,300,1000,3000", 1e-9, &lambdas) ||
      !parse_settings(args, "knn-neighbors", "5,10,20,50,100,200", 1, &neighbors)) {
    return Exit::Usage;
  }
  TrainConfig config;
  Status status = load_train_config(args.positional()[0], &config);
  if (!status.ok()) return fail(status.message());
  if (args.has("cold-start")) return run_cold_start(args, config);
  EvalJobOptions job;
  job.k = static_cast<uint32_t>(std::max<uint64_t>(1, k));
  job.max_users = max_users;
  job.baselines = !args.has("no-baselines");
  job.ease_lambdas = lambdas;
  job.knn_neighbors = neighbors;
  const bool json = args.has("json");
  if (!json) job.progress = stderr;
  std::FILE* per_user = nullptr;
  if (args.has("per-user")) {
    per_user = std::fopen(args.get("per-user").c_str(), "w");
    if (per_user == nullptr) return fail("cannot write '" + args.get("per-user") + "': " + std::strerror(errno));
    std::fprintf(per_user, "method,user,target,rank,hit\n");
  }
  if (per_user != nullptr) {
    job.per_user = [&](const std::string& method, const Dataset& data, const std::vector<UserResult>& results) {
      write_per_user(per_user, data, method, results, job.k);
    };
  }
  EvalJobResult result;
  status = run_eval_job(config, args.all("model"), job, &result);
  if (per_user != nullptr && std::fclose(per_user) != 0 && status.ok()) {
    return fail("cannot write '" + args.get("per-user") + "': " + std::strerror(errno));
  }
  if (!status.ok()) return fail(status.message());
  const std::vector<EvalRow>& rows = result.rows;
  const std::vector<std::string>& notes = result.notes;
  const EvalOptions& options = result.eval_options;
  const char* target = config.training.holdout == TrainingConfig::Holdout::LastNew ? "last-new-item" : "last";
  if (json) {
    JsonWriter j;
    j.begin_object().key("holdout").value(target).key("rows");
    json_eval_rows(rows, options.k, &j);
    j.key("notes").begin_array();
    for (const std::string& note : notes) j.value(note);
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }
  std::printf("leave-%s-out evaluation, %zu users (each ranks every item not had before)\n", target,
              rows[0].metrics.users);
  print_eval_table(rows, options.k);
  for (const std::string& note : notes) std::printf("  %s\n", note.c_str());
  return Exit::Ok;
}

}  // namespace barista::cli
