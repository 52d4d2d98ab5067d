// The trial log: every record reads back as written, and a damaged line is
// reported by its number and skipped without losing the lines around it.
#include <doctest/doctest.h>

#include <string>

#include "config/json.h"
#include "support/temp_dir.h"
#include "tune/trial_log.h"

using namespace barista::internal;
using barista_test::TempDir;

namespace {

TuneHeader sample_header() {
  TuneHeader h;
  h.run_id = "9f3c2a1b";
  h.config_path = "configs/shop.json";
  h.base_config_json = R"({"data":{"interactions":{"path":"log.csv"}},"training":{"epochs":8}})";
  h.space_json = R"({"history.length":{"int":[5,50]}})";
  h.data_fingerprint = "abc123";
  h.seed = 42;
  h.trials = 30;
  h.parallel = 2;
  h.startup_trials = 8;
  h.max_epochs = 9;
  h.min_epochs = 1;
  h.eta = 3;
  h.version = "1.4.0";
  return h;
}

TrialRecord sample_trial() {
  TrialRecord t;
  t.number = 7;
  t.outcome = TrialRecord::Outcome::Stopped;
  ParameterValue rate;
  rate.id = "training.deep_optimizer.learning_rate";
  rate.key = rate.id;
  rate.x = -6.5;
  rate.value.type = json::Type::Number;
  rate.value.number = 0.0015034391929775724;
  ParameterValue sampling;
  sampling.id = "training.sampling";
  sampling.key = "training.sampling";
  sampling.x = 1;
  REQUIRE(json::parse(R"({"value": "popularity", "extra": [1, true, null, {"a": "b"}]})", &sampling.value).ok());
  t.params = {rate, sampling};
  t.seed = 1234567;
  t.data_fingerprint = "abc123";
  t.validation_hr = {0.125, 0.25, 0.1875};
  t.stopped_at_rung = 3;
  t.objective = 0.25;
  t.seconds = 12.5;
  t.error = "";
  return t;
}

void check_same(const TrialRecord& a, const TrialRecord& b) {
  CHECK(a.number == b.number);
  CHECK(a.outcome == b.outcome);
  REQUIRE(a.params.size() == b.params.size());
  for (size_t i = 0; i < a.params.size(); ++i) {
    CHECK(a.params[i].id == b.params[i].id);
    CHECK(a.params[i].key == b.params[i].key);
    CHECK(a.params[i].x == b.params[i].x);
    CHECK(json::serialize(a.params[i].value) == json::serialize(b.params[i].value));
  }
  CHECK(a.seed == b.seed);
  CHECK(a.data_fingerprint == b.data_fingerprint);
  CHECK(a.validation_hr == b.validation_hr);
  CHECK(a.stopped_at_rung == b.stopped_at_rung);
  CHECK(a.objective == b.objective);
  CHECK(a.seconds == b.seconds);
  CHECK(a.error == b.error);
}

}  // namespace

TEST_CASE("trial log: every record type reads back field by field") {
  TempDir dir;
  const TuneHeader header = sample_header();
  const TrialRecord trial = sample_trial();
  TrialRecord failed;
  failed.number = 8;
  failed.outcome = TrialRecord::Outcome::Failed;
  failed.error = "config: history.length: must be between 0 and 1000, not \"many\"";
  FinalRecord final;
  final.which = "best";
  final.trial = 7;
  final.seed = 99;
  final.validation_hr = 0.25;
  final.test_hr = 0.2;
  final.test_ndcg = 0.1;
  final.model_path = "best.barista";
  final.seconds = 30.25;
  BaselineRecord baseline{"MostPop", 0.05, 0.025};
  ConfirmRecord confirm;
  confirm.trial = 7;
  confirm.seed = 1234568;
  confirm.validation_hr = {0.1875, 0.3125};
  confirm.objective = 0.3125;
  confirm.model_path = "models/confirm-7-seed1234568.barista";
  confirm.seconds = 4.75;
  ConfirmRecord confirm_failed;
  confirm_failed.trial = 9;
  confirm_failed.seed = 3;
  confirm_failed.error = "the trial's process died of signal 9 (Killed)";

  const std::string path = dir.file("trials.jsonl");
  for (const std::string& line : {header_line(header), trial_line(trial), trial_line(failed), confirm_line(confirm),
                                  confirm_line(confirm_failed), final_line(final), baseline_line(baseline)}) {
    REQUIRE(append_line(path, line).ok());
  }
  TrialLog log;
  REQUIRE(read_trial_log(path, &log).ok());
  CHECK(log.problems.empty());
  REQUIRE(log.has_header);
  const TuneHeader& h = log.header;
  CHECK(h.run_id == header.run_id);
  CHECK(h.config_path == header.config_path);
  CHECK(h.base_config_json == header.base_config_json);
  CHECK(h.space_json == header.space_json);
  CHECK(h.data_fingerprint == header.data_fingerprint);
  CHECK(h.seed == header.seed);
  CHECK(h.trials == header.trials);
  CHECK(h.parallel == header.parallel);
  CHECK(h.startup_trials == header.startup_trials);
  CHECK(h.max_epochs == header.max_epochs);
  CHECK(h.min_epochs == header.min_epochs);
  CHECK(h.eta == header.eta);
  CHECK(h.version == header.version);
  REQUIRE(log.trials.size() == 2);
  check_same(log.trials[0], trial);
  check_same(log.trials[1], failed);
  // The nested value keeps its structure, not only its text.
  const json::Value& nested = log.trials[0].params[1].value;
  REQUIRE(nested.find("extra") != nullptr);
  CHECK(nested.find("extra")->array[3].find("a")->string == "b");
  REQUIRE(log.confirms.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const ConfirmRecord& written = i == 0 ? confirm : confirm_failed;
    const ConfirmRecord& read = log.confirms[i];
    CHECK(read.trial == written.trial);
    CHECK(read.seed == written.seed);
    CHECK(read.validation_hr == written.validation_hr);
    CHECK(read.objective == written.objective);
    CHECK(read.model_path == written.model_path);
    CHECK(read.seconds == written.seconds);
    CHECK(read.error == written.error);
  }
  REQUIRE(log.finals.size() == 1);
  const FinalRecord& f = log.finals[0];
  CHECK(f.which == final.which);
  CHECK(f.trial == final.trial);
  CHECK(f.seed == final.seed);
  CHECK(f.validation_hr == final.validation_hr);
  CHECK(f.test_hr == final.test_hr);
  CHECK(f.test_ndcg == final.test_ndcg);
  CHECK(f.model_path == final.model_path);
  CHECK(f.seconds == final.seconds);
  REQUIRE(log.baselines.size() == 1);
  CHECK(log.baselines[0].name == "MostPop");
  CHECK(log.baselines[0].test_hr == 0.05);
  CHECK(log.baselines[0].test_ndcg == 0.025);
}

TEST_CASE("trial log: a damaged line is reported by its number and skipped, the lines around it are read") {
  TempDir dir;
  TrialRecord first = sample_trial();
  TrialRecord third = sample_trial();
  third.number = 9;
  const std::string path =
      dir.write("trials.jsonl", header_line(sample_header()) + "\n" + trial_line(first) +
                                    "\n\n{\"type\": \"trial\", \"number\": 8, \"outc\n" + trial_line(third) +
                                    "\n{\"type\": \"trial\"}\n" + header_line(sample_header()) + "\n");
  TrialLog log;
  REQUIRE(read_trial_log(path, &log).ok());
  CHECK(log.has_header);
  REQUIRE(log.trials.size() == 2);
  CHECK(log.trials[0].number == 7);
  CHECK(log.trials[1].number == 9);
  REQUIRE(log.problems.size() == 3);
  CHECK(log.problems[0].rfind(path + ":4: column ", 0) == 0);  // line 3 is blank
  CHECK(log.problems[1] == path + ":6: the key 'number' is missing");
  CHECK(log.problems[2] == path + ":7: a second \"tune\" header");
}

TEST_CASE("trial log: a missing file is an empty log") {
  TempDir dir;
  TrialLog log;
  log.problems.push_back("left over");
  REQUIRE(read_trial_log(dir.file("none.jsonl"), &log).ok());
  CHECK(!log.has_header);
  CHECK(log.trials.empty());
  CHECK(log.finals.empty());
  CHECK(log.problems.empty());
}

TEST_CASE("trial log: appended lines follow each other; a path that cannot take them is an IO error") {
  TempDir dir;
  const std::string path = dir.file("trials.jsonl");
  TrialRecord a = sample_trial();
  TrialRecord b = sample_trial();
  b.number = 8;
  b.outcome = TrialRecord::Outcome::Done;
  REQUIRE(append_line(path, trial_line(a)).ok());
  REQUIRE(append_line(path, trial_line(b)).ok());
  TrialLog log;
  REQUIRE(read_trial_log(path, &log).ok());
  CHECK(!log.has_header);
  CHECK(log.problems.empty());
  REQUIRE(log.trials.size() == 2);
  check_same(log.trials[0], a);
  check_same(log.trials[1], b);

  const Status folder = append_line(dir.path(), trial_line(a));
  CHECK(folder.code() == BARISTA_STATUS_IO_ERROR);
  CHECK(folder.message().find(dir.path()) != std::string::npos);
  CHECK(append_line(path, "{}\n{}").code() == BARISTA_STATUS_INVALID_ARGUMENT);
}
