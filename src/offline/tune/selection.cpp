#include "tune/selection.h"

#include <algorithm>

namespace barista::internal {

namespace {

const TrialRecord* find(const std::vector<TrialRecord>& trials, uint32_t number) {
  for (const TrialRecord& t : trials) {
    if (t.number == number) return &t;
  }
  return nullptr;
}

bool has_objective(const TrialRecord& t) { return t.outcome != TrialRecord::Outcome::Failed && t.objective >= 0; }

// Best first; the lower number on ties.
bool better(const TrialRecord* a, const TrialRecord* b) {
  return a->objective != b->objective ? a->objective > b->objective : a->number < b->number;
}

}  // namespace

int64_t best_single_trial(const std::vector<TrialRecord>& trials) {
  const TrialRecord* best = nullptr;
  for (const TrialRecord& t : trials) {
    if (has_objective(t) && (best == nullptr || better(&t, best))) best = &t;
  }
  return best == nullptr ? -1 : static_cast<int64_t>(best->number);
}

std::vector<uint32_t> confirm_candidates(const std::vector<TrialRecord>& trials, uint32_t top) {
  std::vector<uint32_t> out;
  if (top == 0) return out;
  const TrialRecord* given = find(trials, 0);
  if (given != nullptr && has_objective(*given)) out.push_back(0);
  std::vector<const TrialRecord*> done;
  for (const TrialRecord& t : trials) {
    if (t.number != 0 && t.outcome == TrialRecord::Outcome::Done && has_objective(t)) done.push_back(&t);
  }
  std::sort(done.begin(), done.end(), better);
  for (size_t i = 0; i < std::min<size_t>(top, done.size()); ++i) out.push_back(done[i]->number);
  return out;
}

bool mean_objective(const std::vector<TrialRecord>& trials, const std::vector<ConfirmRecord>& confirms,
                    uint32_t trial, uint32_t seeds, double* mean) {
  const TrialRecord* t = find(trials, trial);
  if (t == nullptr) return false;
  double sum = t->objective;
  for (uint32_t s = 1; s <= seeds; ++s) {
    const auto run = std::find_if(confirms.begin(), confirms.end(), [&](const ConfirmRecord& c) {
      return c.trial == trial && c.seed == t->seed + s;
    });
    if (run == confirms.end()) return false;
    sum += run->error.empty() ? run->objective : -1.0;
  }
  *mean = sum / (seeds + 1.0);
  return true;
}

int64_t chosen_trial(const std::vector<TrialRecord>& trials, const std::vector<ConfirmRecord>& confirms,
                     uint32_t top, uint32_t seeds) {
  const std::vector<uint32_t> candidates = confirm_candidates(trials, top);
  if (seeds == 0 || candidates.empty()) return best_single_trial(trials);
  int64_t chosen = -1;
  double chosen_mean = 0;
  for (uint32_t c : candidates) {
    double mean = 0;
    if (!mean_objective(trials, confirms, c, seeds, &mean)) return best_single_trial(trials);
    if (chosen < 0 || mean > chosen_mean || (mean == chosen_mean && c < chosen)) chosen = c, chosen_mean = mean;
  }
  return chosen;
}

}  // namespace barista::internal
