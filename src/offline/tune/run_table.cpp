#include "tune/run_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "common/parse_number.h"
#include "config/config_edit.h"
#include "model/model.h"

namespace barista::internal {

namespace {

void flatten(const json::Value& v, const std::string& path, FlatConfig* out) {
  const bool of_objects =
      v.type == json::Type::Array && !v.array.empty() &&
      std::all_of(v.array.begin(), v.array.end(), [](const json::Value& e) { return e.type == json::Type::Object; });
  // An empty object is a value of its own, unless it is the whole configuration.
  if (v.type == json::Type::Object && (!v.object.empty() || path.empty())) {
    for (const auto& [key, member] : v.object) flatten(member, path.empty() ? key : path + "." + key, out);
  } else if (of_objects) {
    for (size_t i = 0; i < v.array.size(); ++i) flatten(v.array[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out->emplace_back(path, json::display(v));
  }
}

const std::string* find_value(const FlatConfig& config, const std::string& key) {
  for (const auto& [k, v] : config) {
    if (k == key) return &v;
  }
  return nullptr;
}

// The base configuration with a trial's params and seed set, flattened.
Status trial_config(const json::Value& base, const TrialRecord& trial, FlatConfig* out) {
  json::Value config = base;
  for (const ParameterValue& p : trial.params) BARISTA_RETURN_IF_ERROR(json::set_path(&config, p.key, p.value));
  BARISTA_RETURN_IF_ERROR(json::set_path(&config, "training.seed", json::number(static_cast<double>(trial.seed))));
  *out = flatten_config(config);
  return Status();
}

}  // namespace

FlatConfig flatten_config(const json::Value& config) {
  FlatConfig out;
  flatten(config, "", &out);
  return out;
}

Status model_row(const std::string& path, RunRow* out) {
  std::unique_ptr<Model> model;
  const Status opened = Model::open_file(path.c_str(), OpenOptions(), &model);
  if (!opened.ok()) return Status(opened.code(), path + ": " + opened.message());
  *out = RunRow();
  out->run = path;
  out->kind = "model";
  const fb::Metadata* meta = model->root().metadata();
  if (meta == nullptr) return Status();
  if (meta->data_fingerprint()) out->data_fingerprint = meta->data_fingerprint()->str();
  if (meta->training_config() && meta->training_config()->size() > 0) {
    json::Value config;
    const Status parsed = json::parse(meta->training_config()->str(), &config);
    if (!parsed.ok()) {
      return Status(parsed.code(), path + ": the training_config in the metadata: " + parsed.message());
    }
    out->config = flatten_config(config);
  }
  if (meta->metrics()) {
    for (const fb::Metric* m : *meta->metrics()) out->metrics.emplace_back(m->name()->str(), m->value());
  }
  return Status();
}

void log_rows(const std::string& path, const TrialLog& log, std::vector<RunRow>* out,
              std::vector<std::string>* problems) {
  json::Value base;
  const Status parsed = json::parse(log.header.base_config_json, &base);
  if (!parsed.ok()) {
    problems->push_back(path + ": the header's base_config_json: " + parsed.message());
    return;
  }
  for (const TrialRecord& t : log.trials) {
    RunRow row;
    row.run = path + "#" + std::to_string(t.number);
    row.kind = "trial";
    row.outcome = outcome_name(t.outcome);
    row.data_fingerprint = t.data_fingerprint.empty() ? log.header.data_fingerprint : t.data_fingerprint;
    const Status made = trial_config(base, t, &row.config);
    if (!made.ok()) {
      problems->push_back(path + ": trial " + std::to_string(t.number) + ": " + made.message());
      continue;
    }
    if (t.objective >= 0) row.metrics.emplace_back("validation_hr@10", t.objective);
    row.metrics.emplace_back("epochs", static_cast<double>(t.validation_hr.size()));
    out->push_back(std::move(row));
  }
  for (const FinalRecord& f : log.finals) {
    const auto trial =
        std::find_if(log.trials.begin(), log.trials.end(), [&](const TrialRecord& t) { return t.number == f.trial; });
    if (trial == log.trials.end()) {
      problems->push_back(path + ": the final record '" + f.which + "' names trial " + std::to_string(f.trial) +
                          ", which the log does not hold");
      continue;
    }
    RunRow row;
    row.run = path + "#" + f.which;
    row.kind = "final";
    row.outcome = "final";
    row.data_fingerprint = log.header.data_fingerprint;
    TrialRecord retrained = *trial;
    retrained.seed = f.seed;
    const Status made = trial_config(base, retrained, &row.config);
    if (!made.ok()) {
      problems->push_back(path + ": the final record '" + f.which + "': " + made.message());
      continue;
    }
    if (f.validation_hr >= 0) row.metrics.emplace_back("validation_hr@10", f.validation_hr);
    if (f.test_hr >= 0) row.metrics.emplace_back("test_hr@10", f.test_hr);
    if (f.test_ndcg >= 0) row.metrics.emplace_back("test_ndcg@10", f.test_ndcg);
    out->push_back(std::move(row));
  }
}

std::vector<std::string> differing_keys(const std::vector<RunRow>& rows) {
  std::vector<std::string> keys;
  for (const RunRow& row : rows) {
    for (const auto& entry : row.config) {
      const std::string& key = entry.first;
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      const std::string* first = find_value(rows[0].config, key);
      const bool differs = std::any_of(rows.begin(), rows.end(), [&](const RunRow& r) {
        const std::string* v = find_value(r.config, key);
        return (v == nullptr) != (first == nullptr) || (v != nullptr && *v != *first);
      });
      if (differs) keys.push_back(key);
    }
  }
  return keys;
}

std::vector<std::string> metric_names(const std::vector<RunRow>& rows) {
  std::vector<std::string> names;
  for (const RunRow& row : rows) {
    for (const auto& metric : row.metrics) {
      if (std::find(names.begin(), names.end(), metric.first) == names.end()) names.push_back(metric.first);
    }
  }
  return names;
}

Cell cell(const RunRow& row, const std::string& column) {
  Cell c;
  auto text = [&](const std::string& value) {
    c.present = !value.empty();
    c.text = value;
    c.numeric = parse_finite_double(value, &c.number);
  };
  if (column == "run") {
    text(row.run);
  } else if (column == "outcome") {
    text(row.outcome);
  } else if (column == "data") {
    text(row.data_fingerprint);
  } else {
    for (const auto& [name, value] : row.metrics) {
      if (name != column) continue;
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, value == std::floor(value) ? "%.0f" : "%.4f", value);
      c.present = true;
      c.numeric = true;
      c.number = value;
      c.text = buffer;
      return c;
    }
    if (const std::string* value = find_value(row.config, column)) {
      text(*value);
      c.present = true;  // an empty string is a value too
    }
  }
  return c;
}

void sort_rows(const std::string& column, bool descending, std::vector<RunRow>* rows) {
  std::vector<std::pair<Cell, RunRow>> keyed;
  for (RunRow& row : *rows) keyed.emplace_back(cell(row, column), std::move(row));
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    const Cell& x = a.first;
    const Cell& y = b.first;
    if (x.present != y.present) return x.present;
    if (!x.present) return false;
    if (x.numeric && y.numeric) return descending ? x.number > y.number : x.number < y.number;
    if (x.numeric != y.numeric) return x.numeric;  // numbers before text
    return descending ? x.text > y.text : x.text < y.text;
  });
  rows->clear();
  for (auto& entry : keyed) rows->push_back(std::move(entry.second));
}

}  // namespace barista::internal
