// Simple strong baselines, fitted on a split's training interactions and
// ranked with the same protocol as the model (eval/evaluate.h): every
// catalog item the user had not interacted with before the target.
// - EASE (Steck 2019): the item-item weights B that minimise
//   ||X - XB||^2 + lambda ||B||^2 with diag(B) = 0, in closed form:
//   P = (X^T X + lambda I)^-1, B = I - P diag(1 / diag(P)).
// - item-kNN: cosine similarity of the items' user sets, each item keeping
//   its `neighbors` most similar items; a user's score for item i is the sum
//   of the similarities of i's neighbors the user had.
// X is the binary user x item matrix of the training interactions. Both
// are refused above kMaxItemItemItems items.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/dataset.h"
#include "eval/evaluate.h"

namespace barista::internal {

// Both baselines work on dense item x item matrices: 12,000 items take
// 1.15 GB per matrix of doubles (EASE holds two), and EASE's solve about
// 0.83 n^3 multiply-adds per lambda (Cholesky, its inverse, their product).
constexpr size_t kMaxItemItemItems = 12000;

// Item-item weights: a user's scores are the sum of the rows of the items
// they had (score_j = sum over had items i of weights(i, j)).
struct ItemItemWeights {
  size_t items = 0;
  std::vector<float> weights;  // items x items, row-major
};

// The training interactions' co-occurrence counts X^T X (items x items,
// row-major), the input of both baselines.
struct CoOccurrence {
  size_t items = 0;
  std::vector<double> counts;
};
Status co_occurrence(const Dataset& data, const Split& split, CoOccurrence* out);

// `threads` threads (at least one) share EASE's solve.
Status fit_ease(const CoOccurrence& g, double lambda, unsigned threads, ItemItemWeights* out);
ItemItemWeights fit_item_knn(const CoOccurrence& g, uint32_t neighbors);

// Ranks `targets` with item-item weights over the user's training items (the
// interactions before the target that `split` trains on).
EvalMetrics evaluate_item_item(const Dataset& data, const Split& split, const std::vector<int64_t>& targets,
                               const ItemItemWeights& weights, const EvalOptions& options,
                               std::vector<UserResult>* per_user = nullptr);

// A baseline's settings chosen on the validation targets of `validation`
// (a split with validation targets), then evaluated on `test`'s targets:
// what `barista eval` prints. `name` says which setting won, e.g.
// "EASE (lambda 100)"; `error` is set (and metrics empty) when the
// baseline cannot run on this data (too many items for EASE).
struct BaselineResult {
  std::string name;
  std::string error;
  double chosen = 0.0;                // lambda or neighbors
  std::vector<double> tried;          // in the order given
  std::vector<double> validation_hr;  // per setting tried
  EvalMetrics metrics;
  std::vector<UserResult> per_user;
};
BaselineResult select_ease(const Dataset& data, const Split& validation, const Split& test,
                           const std::vector<double>& lambdas, const EvalOptions& options);
// The settings `barista eval` and `barista tune` try on validation by default.
inline const std::vector<double> kDefaultEaseLambdas = {10, 30, 100, 300, 1000, 3000};
inline const std::vector<double> kDefaultKnnNeighbors = {5, 10, 20, 50, 100, 200};
BaselineResult select_item_knn(const Dataset& data, const Split& validation, const Split& test,
                               const std::vector<double>& neighbors, const EvalOptions& options);

}  // namespace barista::internal
