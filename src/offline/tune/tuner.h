// `barista tune`: a hyperparameter search over a training configuration.
//
// Trial 0 trains the configuration as given; trials 1 .. N-1 set the keys
// of the search space to values the search proposes (tpe.h). Each trial is a
// child process that trains epoch by epoch and reports its validation HR@10
// after each one; at successive halving's rungs (asha.h) it waits for the
// decision to go on or stop. Up to `parallel` trials run at once, each with
// cores / parallel training threads. Only validation targets are read while
// searching (a configuration without early stopping is validated every
// epoch and keeps its best one). When the trials are done, the given
// configuration and the `confirm` best trials are trained again on
// `confirm_seeds` more seeds, validation only, and the best mean over seeds
// wins (selection.h). At the end the winner and the given configuration
// are trained as `barista train` trains them, with `final_seeds` seeds (a
// trial's or a confirmation run's model is kept instead of retrained when
// that is the same training), and evaluated once on the test targets,
// beside MostPop, EASE and item-kNN.
//
// Everything the search decides is a function of the inputs and the seed:
// trial i (after the random startup trials, which need nothing) is proposed
// from trials 0 .. i - parallel, each as it stood after (i - j) / parallel
// epochs (or at its end, if it ended sooner), and its rung decisions compare
// it with the trials before it only. So the same seed
// gives the same trials, whatever ran faster, and a run that was
// interrupted continues from its log (trial_log.h): logged trials are read
// back, the others run again.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "common/status.h"
#include "tune/search_space.h"
#include "tune/trial_log.h"

namespace barista::internal {

struct TuneOptions {
  std::string config_path;
  std::string out_dir;       // trials.jsonl, best.json, models/
  uint32_t trials = 20;      // trial 0 (the configuration as given) included
  uint32_t parallel = 1;     // trials at once
  // 0: none. Otherwise no trial starts, and running ones stop, once what is
  // left of it is the estimated time of the final runs (finals_seconds in
  // tuner.cpp); the finals then evaluate the best trial so far.
  double budget_minutes = 0;
  uint64_t seed = 1;         // of the search (the training seed is the config's)
  uint32_t startup = 10;     // random trials (trial 0 included) before TPE
  uint32_t min_epochs = 1;   // the first rung
  uint32_t eta = 3;          // 0: no successive halving
  uint32_t confirm = 3;        // best trials re-validated on more seeds (selection.h); 0: none
  uint32_t confirm_seeds = 2;  // the seeds they get: the config's + 1 ... + confirm_seeds
  uint32_t final_seeds = 3;    // seeds of the final evaluation on test: the config's + 0 ... + final_seeds - 1
  unsigned cores = 0;        // 0: the machine's
  std::FILE* progress = nullptr;  // progress lines, or none
};

struct TuneResult {
  TrialLog log;               // the whole log, this run's lines included
  int64_t best_trial = -1;    // the chosen trial (selection.h); -1 when no trial validated
  bool complete = false;      // every trial ran (not cut by the budget)
  uint64_t epochs_this_run = 0;
  uint64_t trials_this_run = 0;
  double seconds = 0.0;
  std::string best_config_path;  // out_dir/best.json
};

// Checks every key of the space against the configuration: each extreme of
// each parameter (bounds, every option, with the branch that opens it) is set
// in the configuration and parsed. Errors name the key and the value.
Status check_space_keys(const json::Value& base_config, const std::string& base_dir, const SearchSpace& space);

Status run_tune(const TuneOptions& options, const SearchSpace& space, TuneResult* out);

}  // namespace barista::internal
