// The trial log of `barista tune`: JSON lines in DIR/trials.jsonl, appended
// as trials end, read back to resume an interrupted run and by `barista
// runs` and the report.
//
//   {"type": "tune", ...}    one header: the run's identity (what must match
//                            to resume it) and its settings
//   {"type": "trial", ...}   one per finished trial (done, stopped or failed)
//   {"type": "confirm", ...} a top trial trained again on another seed,
//                            validation only (selection.h)
//   {"type": "final", ...}   the retrained winner and base config, on test
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/json.h"
#include "tune/search_space.h"

namespace barista::internal {

struct TuneHeader {
  std::string run_id;            // hex fingerprint of everything below but the budget
  std::string config_path;       // as given
  std::string base_config_json;  // the base configuration (compact JSON)
  std::string space_json;        // the search space (compact JSON)
  std::string data_fingerprint;
  uint64_t seed = 1;
  uint32_t trials = 0;
  uint32_t parallel = 1;  // trial i is proposed from the trials before i - parallel + 1
  uint32_t startup_trials = 0;  // random trials before the model-based search
  uint32_t max_epochs = 0;
  uint32_t min_epochs = 1;  // the first rung
  uint32_t eta = 3;         // successive halving: the top 1/eta go on at each rung
  std::string version;      // barista's
};

struct TrialRecord {
  uint32_t number = 0;  // 0-based; trial 0 is the base configuration
  enum class Outcome { Done, Stopped, Failed } outcome = Outcome::Done;
  Assignment params;  // the active parameters (empty for trial 0)
  uint64_t seed = 1;  // the training seed
  std::string data_fingerprint;
  std::vector<double> validation_hr;  // HR@10 on the validation slice after each epoch run
  uint32_t stopped_at_rung = 0;       // Stopped: the rung's epoch
  double objective = -1.0;            // the best of validation_hr (-1: none)
  double seconds = 0.0;
  std::string error;  // Failed: why
};

// A candidate trial's configuration trained again with another training
// seed, validated (never tested): the winner is chosen by the mean over
// seeds (selection.h).
struct ConfirmRecord {
  uint32_t trial = 0;
  uint64_t seed = 1;                  // the training seed
  std::vector<double> validation_hr;  // after each epoch
  double objective = -1.0;            // the best of validation_hr (-1: none, e.g. failed)
  std::string model_path;  // relative to the log's folder; kept when a final run can reuse it
  double seconds = 0.0;
  std::string error;  // why it failed, if it did
};

struct FinalRecord {
  std::string which;  // "best" or "base"
  uint32_t trial = 0;
  uint64_t seed = 1;
  double validation_hr = -1.0;
  double test_hr = -1.0;  // HR@10 and NDCG@10 on the test targets
  double test_ndcg = -1.0;
  std::string model_path;  // relative to the log's folder; empty when not kept
  double seconds = 0.0;
};

// A baseline on the same test targets (MostPop, EASE), for the summary.
struct BaselineRecord {
  std::string name;
  double test_hr = -1.0;
  double test_ndcg = -1.0;
};

struct TrialLog {
  TuneHeader header;
  bool has_header = false;
  std::vector<TrialRecord> trials;  // in file order
  std::vector<ConfirmRecord> confirms;
  std::vector<FinalRecord> finals;
  std::vector<BaselineRecord> baselines;
  // Lines that could not be read: "trials.jsonl:7: expected ':' ..."; they
  // are skipped, never silently dropped.
  std::vector<std::string> problems;
};

const char* outcome_name(TrialRecord::Outcome outcome);

std::string header_line(const TuneHeader& header);
std::string trial_line(const TrialRecord& trial);
std::string confirm_line(const ConfirmRecord& confirm);
std::string final_line(const FinalRecord& final);
std::string baseline_line(const BaselineRecord& baseline);

// Reads a log; a missing file is an empty log. `name` prefixes problems.
Status read_trial_log(const std::string& path, TrialLog* out);

// Appends one line and flushes it to disk (fsync) before returning.
Status append_line(const std::string& path, const std::string& line);

}  // namespace barista::internal
