// Evaluation by time-ordered leave-last-out.
// Each user's target interaction (the test item, or the validation item
// during training) is ranked by the model — through the runtime, as a host
// would — against every catalog item the user had not interacted with
// before it: HR@K and NDCG@K. AUC and log-loss come from a pointwise
// hold-out: each target as a positive plus sampled negatives. MostPop (the
// training split's most frequent items) is scored on the same split.
#pragma once

#include <cstdint>
#include <string>
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
  unsigned threads = 1;  // for the baselines' solves
};

// One evaluated user's outcome, for paired comparisons between methods
// (`barista eval --per-user`).
struct UserResult {
  uint32_t user = 0;    // dataset user
  uint32_t target = 0;  // dataset item
  // 0-based rank of the target among the user's candidates (ties: the
  // lower catalog index first, as recommend breaks them); -1 when the model
  // cannot rank it (an item its catalog lacks).
  int64_t rank = -1;
};

struct EvalMetrics {
  size_t users = 0;  // ranked targets
  double hit_rate = 0.0;
  double ndcg = 0.0;
  size_t pointwise_examples = 0;
  double auc = 0.0;
  double logloss = 0.0;  // NaN for models without probabilities (MostPop)
};

// One method's line in an evaluation table ("MostPop", "EASE", a model).
struct EvalRow {
  std::string name;
  EvalMetrics metrics;
};

// Ranks `targets` (per user: an interaction index, or -1) with the model.
// `per_user`, when given, receives each evaluated user's full rank (which
// scores the whole catalog once more per user).
Status evaluate_model(const Model& model, const Dataset& data, const RequestBuilder& requests,
                      const std::vector<int64_t>& targets, const EvalOptions& options, EvalMetrics* out,
                      std::vector<UserResult>* per_user = nullptr);

// Opens model bytes (as a host would), builds the requests of `config`'s
// features, and ranks the split's test targets.
Status evaluate_bytes(const TrainConfig& config, const Dataset& data, const Split& split,
                      const std::vector<uint8_t>& bytes, const EvalOptions& options, EvalMetrics* out,
                      std::vector<UserResult>* per_user = nullptr);

// The users evaluated: those with a target, at most max_users of them,
// spread evenly over the user list (deterministic).
std::vector<uint32_t> evaluated_users(const std::vector<int64_t>& targets, size_t max_users);

// HR and NDCG at k of a 0-based rank (-1: a miss), added to `metrics`.
void add_ranked(int64_t rank, uint32_t k, EvalMetrics* metrics);

// Dataset items by how often the training split has them, most first (ties
// in dataset order): MostPop's ranking. `counts`, when given, receives the
// count of every item.
std::vector<uint32_t> most_popular_order(const Dataset& data, const Split& split,
                                         std::vector<uint64_t>* counts = nullptr);

// The same protocol for MostPop, popularity counted over the training split.
EvalMetrics evaluate_most_popular(const Dataset& data, const Split& split, const std::vector<int64_t>& targets,
                                  const EvalOptions& options, std::vector<UserResult>* per_user = nullptr);

// Area under the ROC curve of scores for positives vs negatives (ties count
// half).
double area_under_curve(const std::vector<float>& positive, const std::vector<float>& negative);

}  // namespace barista::internal
