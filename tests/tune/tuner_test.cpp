// barista tune end to end on small synthetic data: the log, determinism,
// resume after a kill, failed trials, and the final evaluation on test.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "config/config_edit.h"
#include "config/train_config.h"
#include "data/dataset.h"
#include "data/synth.h"
#include "eval/baselines.h"
#include "eval/evaluate.h"
#include "support/temp_dir.h"
#include "tune/tuner.h"

using namespace barista::internal;
using barista_test::TempDir;

namespace {

// Synthetic data and a small, fast configuration (tune.json) in `dir`.
void write_data(const TempDir& dir) {
  SynthOptions synth;
  synth.users = 240;
  synth.sessions_per_user = 5;
  synth.seed = 3;
  SynthSummary summary;
  REQUIRE(write_synthetic_data(synth, dir.path(), &summary).ok());
  std::ifstream in(dir.file("config.json"));
  std::stringstream text;
  text << in.rdbuf();
  json::Value config;
  REQUIRE(json::parse(text.str(), &config).ok());
  REQUIRE(json::set_path(&config, "training.epochs", json::number(4)).ok());
  REQUIRE(json::set_path(&config, "training.patience", json::number(4)).ok());
  REQUIRE(json::set_path(&config, "training.validation_users", json::number(200)).ok());
  json::Value hidden;
  REQUIRE(json::parse("[16]", &hidden).ok());
  REQUIRE(json::set_path(&config, "deep.hidden", hidden).ok());
  dir.write("tune.json", json::serialize(config));
}

SearchSpace space_of(const char* text) {
  SearchSpace space;
  const Status s = parse_search_space(text, &space);
  REQUIRE_MESSAGE(s.ok(), s.message());
  return space;
}

const char* kSpace = R"({"training.deep_optimizer.learning_rate": {"loguniform": [1e-4, 3e-2]},
                         "item_id.embedding": {"choice": [4, 8, 16]}})";

TuneOptions options_for(const TempDir& dir, const std::string& out, uint32_t trials) {
  TuneOptions o;
  o.config_path = dir.file("tune.json");
  o.out_dir = dir.file(out);
  o.trials = trials;
  o.parallel = 2;
  o.startup = 3;
  o.final_seeds = 1;
  o.cores = 2;
  return o;
}

// "number:params" per trial, in trial order.
std::vector<std::string> trial_texts(const TrialLog& log) {
  std::vector<std::pair<uint32_t, std::string>> rows;
  for (const TrialRecord& r : log.trials) {
    std::string text;
    for (const ParameterValue& v : r.params) text += v.key + "=" + json::serialize(v.value) + ";";
    char hr[32];
    std::snprintf(hr, sizeof hr, "%.6f", r.objective);
    rows.emplace_back(r.number, std::to_string(r.number) + ":" + outcome_name(r.outcome) + ":" + text + hr);
  }
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> out;
  for (auto& row : rows) out.push_back(row.second);
  return out;
}

// "trial:seed:objective" per confirmation run, sorted.
std::vector<std::string> confirm_texts(const TrialLog& log) {
  std::vector<std::string> out;
  for (const ConfirmRecord& c : log.confirms) {
    char text[96];
    std::snprintf(text, sizeof text, "%u:%llu:%.17g", c.trial, static_cast<unsigned long long>(c.seed), c.objective);
    out.push_back(text);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace

TEST_CASE("tune: trials are logged, the same seed gives the same trials, and the winner is evaluated on test") {
  TempDir dir;
  write_data(dir);
  const SearchSpace space = space_of(kSpace);
  TuneResult first, second;
  Status s = run_tune(options_for(dir, "a", 7), space, &first);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(first.complete);
  REQUIRE(first.log.trials.size() == 7);
  CHECK(first.log.problems.empty());
  std::set<uint32_t> numbers;
  for (const TrialRecord& r : first.log.trials) {
    numbers.insert(r.number);
    CHECK(r.data_fingerprint == first.log.header.data_fingerprint);
    if (r.outcome != TrialRecord::Outcome::Failed) CHECK(!r.validation_hr.empty());
    if (r.number == 0) CHECK(r.params.empty());
    if (r.number > 0) CHECK(r.params.size() == 2);
  }
  CHECK(numbers.size() == 7);
  // Trial 0 (the first at every rung) always runs to the end.
  for (const TrialRecord& r : first.log.trials) {
    if (r.number == 0) CHECK(r.outcome == TrialRecord::Outcome::Done);
  }
  REQUIRE(first.best_trial >= 0);
  // Finals: the best and (unless it is trial 0) the given configuration, on test.
  CHECK(first.log.finals.size() == (first.best_trial == 0 ? 1u : 2u));
  for (const FinalRecord& f : first.log.finals) {
    CHECK(f.test_hr >= 0);
    CHECK(f.test_hr <= 1);
  }
  CHECK(first.log.baselines.size() >= 2);  // MostPop, EASE (item-kNN)
  // They come from a process of their own: the figures computed here, to
  // the last digit, under the names `barista eval` gives them.
  TrainConfig config;
  REQUIRE(load_train_config(dir.file("tune.json"), &config).ok());
  Dataset data;
  REQUIRE(load_dataset(config, &data).ok());
  const Split test = make_split(data, config.training.holdout, false);
  const Split validation = make_split(data, config.training.holdout, true);
  EvalOptions options;
  options.seed = config.training.seed;
  options.negatives = std::max(1u, config.training.negatives);
  const EvalMetrics popular = evaluate_most_popular(data, test, test.test, options);
  const BaselineResult ease = select_ease(data, validation, test, kDefaultEaseLambdas, options);
  REQUIRE(ease.error.empty());
  REQUIRE(first.log.baselines.size() >= 2);
  CHECK(first.log.baselines[0].name == "MostPop");
  CHECK(first.log.baselines[0].test_hr == popular.hit_rate);
  CHECK(first.log.baselines[0].test_ndcg == popular.ndcg);
  CHECK(first.log.baselines[1].name == ease.name);
  CHECK(first.log.baselines[1].test_hr == ease.metrics.hit_rate);
  CHECK(first.log.baselines[1].test_ndcg == ease.metrics.ndcg);
  std::ifstream best(first.best_config_path);
  CHECK(best.good());

  s = run_tune(options_for(dir, "b", 7), space, &second);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(trial_texts(first.log) == trial_texts(second.log));
  CHECK_FALSE(first.log.confirms.empty());
  CHECK(confirm_texts(first.log) == confirm_texts(second.log));
  CHECK(first.best_trial == second.best_trial);
}

TEST_CASE("tune: the given configuration and the best trials run on more seeds, the best mean wins, finals reuse them") {
  TempDir dir;
  write_data(dir);
  TuneOptions options = options_for(dir, "confirm", 6);
  options.confirm = 2;
  options.confirm_seeds = 2;
  options.final_seeds = 3;
  TuneResult result;
  const Status s = run_tune(options, space_of(kSpace), &result);
  REQUIRE_MESSAGE(s.ok(), s.message());
  const TrialLog& log = result.log;
  CHECK(log.problems.empty());
  // The candidates, worked out here: trial 0 and the two best trials that
  // ran to the end.
  const TrialRecord* given = nullptr;
  std::vector<const TrialRecord*> done;
  for (const TrialRecord& r : log.trials) {
    if (r.number == 0) given = &r;
    if (r.number != 0 && r.outcome == TrialRecord::Outcome::Done) done.push_back(&r);
  }
  REQUIRE(given != nullptr);
  std::sort(done.begin(), done.end(), [](const TrialRecord* a, const TrialRecord* b) {
    return a->objective != b->objective ? a->objective > b->objective : a->number < b->number;
  });
  std::vector<const TrialRecord*> candidates = {given};
  for (size_t i = 0; i < std::min<size_t>(2, done.size()); ++i) candidates.push_back(done[i]);
  // One validation run per candidate and extra seed, none for other trials.
  std::set<std::pair<uint32_t, uint64_t>> runs;
  for (const ConfirmRecord& c : log.confirms) {
    CHECK(runs.insert({c.trial, c.seed}).second);
    CHECK(c.error.empty());
    REQUIRE_FALSE(c.validation_hr.empty());
    CHECK(c.objective == *std::max_element(c.validation_hr.begin(), c.validation_hr.end()));
  }
  CHECK(runs.size() == candidates.size() * 2);
  auto confirm_of = [&](uint32_t trial, uint64_t seed) -> const ConfirmRecord* {
    for (const ConfirmRecord& c : log.confirms) {
      if (c.trial == trial && c.seed == seed) return &c;
    }
    return nullptr;
  };
  int64_t expected = -1;
  double expected_mean = -1;
  for (const TrialRecord* t : candidates) {
    double sum = t->objective;
    for (uint64_t extra = 1; extra <= 2; ++extra) {
      const ConfirmRecord* c = confirm_of(t->number, given->seed + extra);
      REQUIRE(c != nullptr);
      sum += c->objective;
    }
    const double mean = sum / 3.0;
    if (mean > expected_mean || (mean == expected_mean && t->number < expected)) {
      expected = t->number;
      expected_mean = mean;
    }
  }
  CHECK(result.best_trial == expected);
  // The finals: the chosen trial (and the given one) on seeds +0, +1, +2,
  // each the model of a run that already trained it (the config validates
  // anyway: early stopping), evaluated on test.
  CHECK(log.finals.size() == (expected == 0 ? 3u : 6u));
  for (const FinalRecord& f : log.finals) {
    CHECK((static_cast<int64_t>(f.trial) == expected || f.trial == 0));
    CHECK(f.which == (static_cast<int64_t>(f.trial) == expected ? "best" : "base"));
    if (f.seed == given->seed) {
      CHECK(f.model_path == "models/trial-" + std::to_string(f.trial) + ".barista");
    } else {
      const ConfirmRecord* c = confirm_of(f.trial, f.seed);
      REQUIRE(c != nullptr);
      CHECK(f.model_path == c->model_path);
      CHECK(f.validation_hr == c->objective);
    }
    CHECK(exists(options.out_dir + "/" + f.model_path));
    CHECK(f.test_hr >= 0);
  }
  // The other candidates' models are gone.
  for (const ConfirmRecord& c : log.confirms) {
    if (static_cast<int64_t>(c.trial) != expected && c.trial != 0) {
      CHECK_FALSE(exists(options.out_dir + "/" + c.model_path));
      CHECK_FALSE(exists(options.out_dir + "/models/trial-" + std::to_string(c.trial) + ".barista"));
    }
  }
}

TEST_CASE("tune: a run killed midway continues from its log and ends with the trials of an uninterrupted run") {
  TempDir dir;
  write_data(dir);
  const SearchSpace space = space_of(kSpace);
  TuneResult reference;
  REQUIRE(run_tune(options_for(dir, "whole", 8), space, &reference).ok());

  TuneOptions options = options_for(dir, "killed", 8);
  const std::string log_path = options.out_dir + "/trials.jsonl";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);  // its trials die with it
    TuneResult ignored;
    _exit(run_tune(options, space, &ignored).ok() ? 0 : 1);
  }
  setpgid(pid, pid);
  // Kill it (and its trial processes) once three trials are logged (the
  // log also holds the baselines, computed beside the first trials).
  size_t trial_lines = 0;
  for (int wait = 0; wait < 6000 && trial_lines < 3; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream log(log_path);
    std::string line;
    trial_lines = 0;
    while (std::getline(log, line)) trial_lines += line.rfind("{\"type\":\"trial\"", 0) == 0 ? 1 : 0;
  }
  kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  TrialLog partial;
  REQUIRE(read_trial_log(log_path, &partial).ok());
  const size_t logged = partial.trials.size();
  CHECK(logged >= 3);
  CHECK(logged < 8);

  TuneResult resumed;
  const Status s = run_tune(options, space, &resumed);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(resumed.trials_this_run == 8 - logged);
  CHECK(trial_texts(resumed.log) == trial_texts(reference.log));
  CHECK(confirm_texts(resumed.log) == confirm_texts(reference.log));
  CHECK(resumed.best_trial == reference.best_trial);
  // A log of another run is refused, not mixed.
  TuneOptions other = options;
  other.seed = 99;
  TuneResult refused;
  const Status mixed = run_tune(other, space, &refused);
  CHECK(mixed.message().find("belongs to another tune run") != std::string::npos);
}

TEST_CASE("tune: a trial whose configuration the trainer refuses is logged as failed and the search goes on") {
  TempDir dir;
  write_data(dir);
  TuneOptions options = options_for(dir, "fail", 4);
  options.final_seeds = 0;
  // A trial reads data other than the given configuration's in its own
  // process: a missing file fails that trial, not the search.
  const SearchSpace space =
      space_of(R"({"data.interactions.path": {"choice": ["interactions.csv", "missing.csv"]}})");
  TuneResult result;
  const Status s = run_tune(options, space, &result);
  REQUIRE_MESSAGE(s.ok(), s.message());
  size_t failed = 0;
  for (const TrialRecord& r : result.log.trials) {
    if (r.outcome == TrialRecord::Outcome::Failed) {
      ++failed;
      CHECK(r.error.find("missing.csv") != std::string::npos);
    }
  }
  CHECK(result.log.trials.size() == 4);
  CHECK(failed >= 1);
}

TEST_CASE("tune: a spent budget stops the search, and the best trial so far is still evaluated on test") {
  TempDir dir;
  write_data(dir);
  const SearchSpace space = space_of(kSpace);
  TuneOptions options = options_for(dir, "budget", 3);
  options.final_seeds = 0;
  TuneResult first;
  Status s = run_tune(options, space, &first);
  REQUIRE_MESSAGE(s.ok(), s.message());
  REQUIRE(first.log.trials.size() == 3);
  CHECK(first.log.finals.empty());

  // The same run asked for more trials with a budget already spent (reading
  // the data takes longer than 6 ms): no trial starts, the finals run.
  options.trials = 6;
  options.final_seeds = 1;
  options.budget_minutes = 0.0001;
  TuneResult cut;
  s = run_tune(options, space, &cut);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK_FALSE(cut.complete);
  CHECK(cut.trials_this_run == 0);
  CHECK(cut.log.trials.size() == 3);
  REQUIRE(cut.best_trial >= 0);
  bool best_on_test = false;
  for (const FinalRecord& f : cut.log.finals) {
    best_on_test |= static_cast<int64_t>(f.trial) == cut.best_trial && f.test_hr >= 0;
  }
  CHECK(best_on_test);
  CHECK_FALSE(cut.log.baselines.empty());
}

TEST_CASE("tune: when the search process is killed, its trial processes end too") {
  TempDir dir;
  write_data(dir);
  const SearchSpace space = space_of(kSpace);
  TuneOptions options = options_for(dir, "orphans", 8);
  // Orphaned trials become this process's children, so that they can be
  // waited for here (not by whatever init the machine has). qemu's user
  // mode (the aarch64 test run) does not pass the call on: nothing to wait
  // with there.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    MESSAGE("no child subreaper (prctl: " << std::strerror(errno) << "): not run here");
    return;
  }
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    TuneResult ignored;
    _exit(run_tune(options, space, &ignored).ok() ? 0 : 1);
  }
  setpgid(pid, pid);
  // Kill only the search, once its first trial is logged (trials run).
  const std::string log_path = options.out_dir + "/trials.jsonl";
  size_t lines = 0;
  for (int wait = 0; wait < 6000 && lines < 2; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream log(log_path);
    std::string line;
    lines = 0;
    while (std::getline(log, line)) ++lines;
  }
  REQUIRE(lines >= 2);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // Every trial process of its group ends (reaped here) within a minute.
  bool alive = true;
  for (int wait = 0; wait < 6000 && alive; ++wait) {
    while (waitpid(-pid, nullptr, WNOHANG) > 0) {
    }
    alive = kill(-pid, 0) == 0;
    if (alive) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK_FALSE(alive);
  if (alive) kill(-pid, SIGKILL);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}
