// Successive halving for `barista tune` (ASHA, Li et al. 2020, "A System for
// Massively Parallel Hyperparameter Tuning"), in its stopping form: a trial
// trains epoch by epoch, and at each rung (min_epochs, min_epochs * eta,
// min_epochs * eta^2, ... below its last epoch) it goes on only if its best
// validation HR@10 so far is among the top 1/eta of the values that trials
// recorded at that rung. A trial is compared with the trials numbered
// before it only, once each of them has reached the rung or ended, so the
// decisions do not depend on which process ran faster.
#pragma once

#include <cstdint>
#include <vector>

namespace barista::internal {

// The rungs' epochs for a trial of `epochs` epochs: min_epochs * eta^k
// below `epochs` (the last epoch needs no decision).
std::vector<uint32_t> rung_epochs(uint32_t min_epochs, uint32_t eta, uint32_t epochs);

// Whether a trial with `value` at a rung goes on, given the values at that
// rung of the earlier trials that reached it: it must rank in the top
// max(1, floor(n / eta)) of the n values, its own included (ties in its
// favour).
bool continues_at_rung(double value, const std::vector<double>& earlier, uint32_t eta);

// A trial's value at a rung: its best validation HR@10 over the first
// `epochs` epochs; -1 if it ran fewer.
double value_at_rung(const std::vector<double>& validation_hr, uint32_t epochs);

}  // namespace barista::internal
