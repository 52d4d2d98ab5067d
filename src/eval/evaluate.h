// Evaluation with the protocol of issue #3: time-ordered leave-last-out.
// Each user's target interaction (the test item, or the validation item
// during training) is ranked by the model — through the runtime, as a host
// would — against every catalog item the user had not interacted with
// before it: HR@K and NDCG@K. AUC and log-loss come from a pointwise
// hold-out: each target as a positive plus sampled negatives. MostPop (the
// training split's most frequent items) is scored on the same split.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "data/dataset.h"
#include "data/requests.h"
#include "model/model.h"

namespace barista::internal {

struct EvalOptions {
  uint32_t k = 10;
  size_t max_users = 0;    // 0: every user with a target
  uint32_t negatives = 4;  // per positive, for AUC and log-loss
  uint64_t seed = 1;
  bool pointwise = true;
};

struct EvalMetrics {
  size_t users = 0;  // ranked targets
  double hit_rate = 0.0;
  double ndcg = 0.0;
  size_t pointwise_examples = 0;
  double auc = 0.0;
  double logloss = 0.0;  // NaN for models without probabilities (MostPop)
};

// Ranks `targets` (per user: an interaction index, or -1) with the model.
Status evaluate_model(const Model& model, const Dataset& data, const RequestBuilder& requests,
                      const std::vector<int64_t>& targets, const EvalOptions& options, EvalMetrics* out);

// Dataset items by how often the training split has them, most first (ties
// in dataset order): MostPop's ranking. `counts`, when given, receives the
// count of every item.
std::vector<uint32_t> most_popular_order(const Dataset& data, const Split& split,
                                         std::vector<uint64_t>* counts = nullptr);

// The same protocol for MostPop, popularity counted over the training split.
EvalMetrics evaluate_most_popular(const Dataset& data, const Split& split, const std::vector<int64_t>& targets,
                                  const EvalOptions& options);

// Area under the ROC curve of scores for positives vs negatives (ties count
// half).
double area_under_curve(const std::vector<float>& positive, const std::vector<float>& negative);

}  // namespace barista::internal
