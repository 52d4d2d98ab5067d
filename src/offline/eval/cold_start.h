// The cold-start protocol: customers the model has never seen.
//
// A fold of the users (one in `folds`, by a seeded shuffle) is held out of
// training entirely. Each held-out customer then arrives as a stranger and
// interacts in time order: before their interaction j the engine shows its
// top K (excluding what they already took), and we count a hit when
// interaction j's item is among them. Three engines, side by side:
//   - MostPop: the training split's most frequent items;
//   - history only: the model, with the customer's history so far as its
//     features and nothing learned;
//   - learning: the same, plus an overlay that observed each earlier
//     interaction as on a till: the taken item as a positive and the shown
//     items not taken as negatives (observe_shown);
//   - learning with memory: the same overlay learning, but the requests
//     carry no history: the overlay's customer memory supplies it from what
//     it observed (as a till that passes only the customer's id);
//   - id only: the same requests without the memory (what such a till got
//     before there was one).
// HR@K is reported at j = 0, 1, 3, 5, 10 over the same customers (those with
// more than the largest j interactions), with the paired difference between
// learning and history only and its standard error.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "data/dataset.h"
#include "data/requests.h"
#include "learn/learner.h"
#include "learn/overlay.h"
#include "overlay/overlay_store.h"
#include "model/model.h"

namespace barista::internal {

struct ColdStartOptions {
  std::vector<uint32_t> steps = {0, 1, 3, 5, 10};  // interactions seen before the measured one
  uint32_t k = 10;                                 // shown and measured: the top K
  FtrlParams ftrl;
  float shown_weight = kDefaultShownWeight;  // as barista_overlay_params
  // Exclude what the customer already took from what is shown (as the
  // leave-last-out protocol does); false where customers re-order, so
  // their usual may be recommended and counts as a hit.
  bool exclude_seen = true;
  size_t memory_limit = size_t{1} << 20;  // of the learning overlay (shared by all held-out customers)
};

// Holds users out: `fold` (0-based, < folds) of a seeded shuffle into
// `folds` parts. Their interactions leave `split`'s training set and they
// get no test or validation targets.
std::vector<uint32_t> hold_out_users(const Dataset& data, uint32_t folds, uint32_t fold, uint64_t seed, Split* split);

// Counts, so that folds add up.
struct ColdStartRow {
  uint32_t seen = 0;  // interactions before the measured one
  size_t users = 0;
  size_t most_popular_hits = 0, history_only_hits = 0, learning_hits = 0, memory_hits = 0, id_only_hits = 0;
  size_t discordant = 0;  // users that exactly one of history only and learning hit

  double rate(size_t hits) const { return users ? static_cast<double>(hits) / static_cast<double>(users) : 0.0; }
  // The paired difference learning - history only (HR) and its standard error.
  double difference() const { return rate(learning_hits) - rate(history_only_hits); }
  double difference_stderr() const;
  void add(const ColdStartRow& other);
};

// Replays the held-out users' interactions (rows in options.steps order);
// users with too few interactions for the largest step are skipped.
Status evaluate_cold_start(const Model& model, const Dataset& data, const RequestBuilder& requests, const Split& split,
                           const std::vector<uint32_t>& held_out, const ColdStartOptions& options,
                           std::vector<ColdStartRow>* out);

}  // namespace barista::internal
