// Which trial goes to the test targets: the candidates for confirmation,
// the mean over seeds, and the fallbacks to the best single draw.
#include <doctest/doctest.h>

#include <vector>

#include "tune/selection.h"

using namespace barista::internal;

namespace {

TrialRecord trial(uint32_t number, double objective, TrialRecord::Outcome outcome = TrialRecord::Outcome::Done) {
  TrialRecord t;
  t.number = number;
  t.outcome = outcome;
  t.seed = 10;
  t.objective = objective;
  t.validation_hr = {objective};
  return t;
}

ConfirmRecord confirm(uint32_t number, uint64_t seed, double objective) {
  ConfirmRecord c;
  c.trial = number;
  c.seed = seed;
  c.objective = objective;
  c.validation_hr = {objective};
  return c;
}

const auto kStopped = TrialRecord::Outcome::Stopped;
const auto kFailed = TrialRecord::Outcome::Failed;

}  // namespace

TEST_CASE("selection: trial 0 and the best trials that ran to the end are the candidates, best first") {
  const std::vector<TrialRecord> trials = {trial(0, 0.20), trial(1, 0.31),         trial(2, 0.35, kStopped),
                                           trial(3, 0.29), trial(4, 0.90, kFailed), trial(5, 0.31),
                                           trial(6, 0.25)};
  // Stopped (2) and failed (4) trials are not candidates; 1 and 5 tie, the
  // lower number first.
  CHECK(confirm_candidates(trials, 3) == std::vector<uint32_t>{0, 1, 5, 3});
  CHECK(confirm_candidates(trials, 1) == std::vector<uint32_t>{0, 1});
  CHECK(confirm_candidates(trials, 10) == std::vector<uint32_t>{0, 1, 5, 3, 6});
  CHECK(confirm_candidates(trials, 0).empty());
  // A failed trial 0 is not one either.
  const std::vector<TrialRecord> no_base = {trial(0, -1, kFailed), trial(1, 0.3)};
  CHECK(confirm_candidates(no_base, 2) == std::vector<uint32_t>{1});
  // The best single draw counts stopped trials, never failed ones.
  CHECK(best_single_trial(trials) == 2);
  CHECK(best_single_trial({trial(0, -1, kFailed)}) == -1);
}

TEST_CASE("selection: the candidate with the best mean over its seeds wins, not the best single draw") {
  const std::vector<TrialRecord> trials = {trial(0, 0.30), trial(1, 0.36), trial(2, 0.33), trial(3, 0.20)};
  // Trial 1's draw was lucky: 0.36, then 0.30 and 0.29 (mean 0.3167); trial
  // 2 holds (0.33, 0.33, 0.34: 0.3333); the given one 0.30, 0.31, 0.32.
  const std::vector<ConfirmRecord> confirms = {confirm(1, 11, 0.30), confirm(1, 12, 0.29), confirm(2, 11, 0.33),
                                               confirm(2, 12, 0.34), confirm(0, 11, 0.31), confirm(0, 12, 0.32)};
  double mean = 0;
  REQUIRE(mean_objective(trials, confirms, 1, 2, &mean));
  CHECK(mean == doctest::Approx((0.36 + 0.30 + 0.29) / 3).epsilon(1e-12));
  CHECK(chosen_trial(trials, confirms, 2, 2) == 2);
  // With one more seed than was run, the means are incomplete: the best
  // single draw.
  CHECK_FALSE(mean_objective(trials, confirms, 1, 3, &mean));
  CHECK(chosen_trial(trials, confirms, 2, 3) == 1);
  // Without confirmation as well.
  CHECK(chosen_trial(trials, confirms, 0, 2) == 1);
  CHECK(chosen_trial(trials, confirms, 2, 0) == 1);
  // A candidate missing a run (trial 2, seed 12) makes the choice the
  // single draw's, whatever the others' means.
  const std::vector<ConfirmRecord> partial(confirms.begin(), confirms.begin() + 3);
  CHECK(chosen_trial(trials, partial, 2, 2) == 1);
}

TEST_CASE("selection: the given configuration stays when nothing beats it on the mean; a failed run counts as -1") {
  // Values exact in binary, so that sums tie exactly.
  const std::vector<TrialRecord> trials = {trial(0, 0.25), trial(1, 0.5)};
  std::vector<ConfirmRecord> confirms = {confirm(0, 11, 0.5), confirm(0, 12, 0.5), confirm(1, 11, 0.25),
                                         confirm(1, 12, 0.375)};
  CHECK(chosen_trial(trials, confirms, 1, 2) == 0);  // 1.25 / 3 against 1.125 / 3
  confirms[3].objective = 0.5;                       // a tie: the lower number
  CHECK(chosen_trial(trials, confirms, 1, 2) == 0);
  confirms[3].objective = 0.625;
  CHECK(chosen_trial(trials, confirms, 1, 2) == 1);
  // The same runs, but one of trial 1's failed: -1 in its mean.
  confirms[3].error = "the trial's process died of signal 9 (Killed)";
  double mean = 0;
  REQUIRE(mean_objective(trials, confirms, 1, 2, &mean));
  CHECK(mean == (0.5 + 0.25 - 1.0) / 3);
  CHECK(chosen_trial(trials, confirms, 1, 2) == 0);
}
