// What `barista runs` compares: trained models and the trials of tuning
// runs, one row each, with the effective configuration of each flattened to
// key paths (config/config_edit.h), so that the table shows only the
// parameters that differ between the rows.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "config/json.h"
#include "tune/trial_log.h"

namespace barista::internal {

// Key path -> json::display of the value, in the document's order.
using FlatConfig = std::vector<std::pair<std::string, std::string>>;

struct RunRow {
  std::string run;      // the model's path; "LOG#7" for trial 7, "LOG#best" for a final record
  std::string kind;     // "model", "trial" or "final"
  std::string outcome;  // trials: done, stopped, failed; finals: final
  std::string data_fingerprint;
  FlatConfig config;
  std::vector<std::pair<std::string, double>> metrics;
};

// Flattens a configuration: objects by member ("training.seed"), arrays
// of objects by element ("features[0].embedding"); every other value,
// arrays of numbers or strings included ("hidden": [128,64]), is one entry.
FlatConfig flatten_config(const json::Value& config);

// A model file's row: its metadata's training_config and metrics. Errors
// name the file.
Status model_row(const std::string& path, RunRow* out);

// A trial log's rows: each trial (the header's base configuration with the
// trial's params and seed set) and each final record (the same for the trial
// it retrains). Metrics: validation_hr@10 (the objective) and epochs for a
// trial; validation_hr@10, test_hr@10 and test_ndcg@10 for a final. A record
// whose configuration cannot be made is left out and said in `problems`,
// prefixed by `path`. The log needs its header.
void log_rows(const std::string& path, const TrialLog& log, std::vector<RunRow>* out,
              std::vector<std::string>* problems);

// The configuration keys whose values are not the same in every row (a key
// a row lacks counts as a value of its own), in the order they first appear.
std::vector<std::string> differing_keys(const std::vector<RunRow>& rows);

// The metric names of the rows, in the order they first appear.
std::vector<std::string> metric_names(const std::vector<RunRow>& rows);

// A row's value in a column: "run", "outcome", "data" (the fingerprint), a
// metric or a configuration key. Missing: no value.
struct Cell {
  bool present = false;
  bool numeric = false;
  double number = 0.0;
  std::string text;  // metrics: 4 decimals, or none for whole numbers
};
Cell cell(const RunRow& row, const std::string& column);

// Sorts by a column, stably; rows without a value in it come last either way.
void sort_rows(const std::string& column, bool descending, std::vector<RunRow>* rows);

}  // namespace barista::internal
