// Which trial `barista tune` takes to the test targets.
//
// A trial's validation HR@10 is one seed's draw: over a few thousand
// validation users its standard error is about 0.01, as large as the
// differences between the best trials, and the search keeps the best of N
// such draws, which reads high. So the winner is not the single best
// draw: the given configuration (trial 0) and the `top` best trials that
// ran to the end are trained again on `seeds` more training seeds (the
// config's seed + 1 ... + seeds), validation only, and the candidate with
// the best mean over its seeds (the trial's own draw included) is chosen.
// Trial 0 is always a candidate, so the given configuration is kept unless
// something beats it on the mean. With no confirmation (top or seeds 0),
// or while a candidate lacks a seed, the choice is the best single draw.
#pragma once

#include <cstdint>
#include <vector>

#include "tune/trial_log.h"

namespace barista::internal {

// The best single draw: the highest objective of the trials not failed
// (the lowest number on ties); -1 when none has one.
int64_t best_single_trial(const std::vector<TrialRecord>& trials);

// Trial 0 (when it has an objective), then the `top` best others that ran
// to the end (done, not stopped by halving), best first, the lower number
// on ties. Empty when top is 0.
std::vector<uint32_t> confirm_candidates(const std::vector<TrialRecord>& trials, uint32_t top);

// The mean objective of `trial` over its own draw and its confirmation
// runs on seeds seed + 1 ... seed + seeds (a failed one counts as -1);
// false when the trial or one of those runs is missing.
bool mean_objective(const std::vector<TrialRecord>& trials, const std::vector<ConfirmRecord>& confirms,
                    uint32_t trial, uint32_t seeds, double* mean);

// The chosen trial: the candidate with the best mean objective (the lower
// number on ties), or best_single_trial when confirmation is off or
// incomplete.
int64_t chosen_trial(const std::vector<TrialRecord>& trials, const std::vector<ConfirmRecord>& confirms,
                     uint32_t top, uint32_t seeds);

}  // namespace barista::internal
