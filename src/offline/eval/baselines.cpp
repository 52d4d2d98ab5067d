#include "eval/baselines.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <thread>

namespace barista::internal {

namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Per user: the distinct items of their training interactions, sorted.
std::vector<std::vector<uint32_t>> training_items(const Dataset& data, const Split& split) {
  std::vector<std::vector<uint32_t>> items(data.user_count());
  for (size_t u = 0; u < data.user_count(); ++u) {
    for (uint32_t j = data.user_begin[u]; j < data.user_begin[u + 1]; ++j) {
      if (split.in_training[j]) items[u].push_back(data.interactions[j].item);
    }
    std::sort(items[u].begin(), items[u].end());
    items[u].erase(std::unique(items[u].begin(), items[u].end()), items[u].end());
  }
  return items;
}

std::string format_setting(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

Status co_occurrence(const Dataset& data, const Split& split, CoOccurrence* out) {
  const size_t n = data.item_count();
  if (n > kMaxItemItemItems) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED,
                      "%zu items are more than the dense item x item baselines take (%zu; their matrices grow "
                      "with the square of the item count)",
                      n, kMaxItemItemItems);
  }
  out->items = n;
  out->counts.assign(n * n, 0.0);
  for (const std::vector<uint32_t>& items : training_items(data, split)) {
    for (uint32_t i : items) {
      double* row = out->counts.data() + size_t{i} * n;
      for (uint32_t j : items) row[j] += 1.0;
    }
  }
  return Status();
}

// Runs work(block) for blocks 0..blocks-1 on `threads` threads, each taking
// the next block when it is done (the blocks' costs differ).
template <typename Work>
void for_each_block(size_t blocks, unsigned threads, const Work& work) {
  std::atomic<size_t> next{0};
  const auto run = [&] {
    for (size_t block; (block = next.fetch_add(1)) < blocks;) work(block);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<size_t>(threads, blocks); ++t) pool.emplace_back(run);
  run();
  for (std::thread& thread : pool) thread.join();
}

Status fit_ease(const CoOccurrence& g, double lambda, unsigned threads, ItemItemWeights* out) {
  const size_t n = g.items;
  const Eigen::Index size = static_cast<Eigen::Index>(n);
  MatrixD p = Eigen::Map<const MatrixD>(g.counts.data(), size, size);
  p.diagonal().array() += lambda;
  // (X^T X + lambda I) = L L^T is symmetric positive definite for lambda
  // > 0; L is factored in place, in p's lower triangle.
  Eigen::LLT<Eigen::Ref<MatrixD>> llt(p);
  if (llt.info() != Eigen::Success) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "EASE: X^T X + %g I is not positive definite", lambda);
  }
  // P = (L L^T)^-1 = W^T W with W = L^-1, lower triangular. Both steps skip
  // W's zeros (n^3/6 and n^3/2 multiply-adds, where solving L L^T P = I
  // takes n^3) and split into blocks that run on `threads` threads: the
  // columns [a, b) of W are L[a:, a:]^-1 I[a:, a:b]; the rows [a, b) of P
  // are W[a:, a:b]^T W[a:, :].
  constexpr Eigen::Index kBlock = 128;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  MatrixD w = MatrixD::Zero(size, size);
  for_each_block(blocks, threads, [&](size_t block) {
    const Eigen::Index a = static_cast<Eigen::Index>(block) * kBlock, width = std::min(kBlock, size - a);
    auto columns = w.block(a, a, size - a, width);
    columns.setIdentity();
    p.bottomRightCorner(size - a, size - a).triangularView<Eigen::Lower>().solveInPlace(columns);
  });
  for_each_block(blocks, threads, [&](size_t block) {
    const Eigen::Index a = static_cast<Eigen::Index>(block) * kBlock, width = std::min(kBlock, size - a);
    p.middleRows(a, width).noalias() = w.block(a, a, size - a, width).transpose() * w.bottomRows(size - a);
  });
  out->items = n;
  out->weights.assign(n * n, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i != j) {
        out->weights[i * n + j] = static_cast<float>(-p(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) /
                                                     p(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j)));
      }
    }
  }
  return Status();
}

ItemItemWeights fit_item_knn(const CoOccurrence& g, uint32_t neighbors) {
  const size_t n = g.items;
  ItemItemWeights out;
  out.items = n;
  out.weights.assign(n * n, 0.0f);
  std::vector<std::pair<float, uint32_t>> column;
  for (size_t j = 0; j < n; ++j) {
    const double jj = g.counts[j * n + j];
    if (jj <= 0.0) continue;
    column.clear();
    for (size_t i = 0; i < n; ++i) {
      const double ij = g.counts[i * n + j], ii = g.counts[i * n + i];
      if (i == j || ij <= 0.0) continue;
      column.emplace_back(static_cast<float>(ij / std::sqrt(ii * jj)), static_cast<uint32_t>(i));
    }
    // The most similar first; ties to the lower index.
    const size_t keep = std::min<size_t>(neighbors, column.size());
    std::partial_sort(column.begin(), column.begin() + static_cast<ptrdiff_t>(keep), column.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    for (size_t k = 0; k < keep; ++k) out.weights[size_t{column[k].second} * n + j] = column[k].first;
  }
  return out;
}

EvalMetrics evaluate_item_item(const Dataset& data, const Split& split, const std::vector<int64_t>& targets,
                               const ItemItemWeights& weights, const EvalOptions& options,
                               std::vector<UserResult>* per_user) {
  const size_t n = weights.items;
  const std::vector<std::vector<uint32_t>> had = training_items(data, split);
  EvalMetrics metrics;
  std::vector<float> scores(n);
  std::vector<uint32_t> seen;
  for (uint32_t user : evaluated_users(targets, options.max_users)) {
    const size_t position = static_cast<size_t>(targets[user]);
    const uint32_t target = data.interactions[position].item;
    std::fill(scores.begin(), scores.end(), 0.0f);
    for (uint32_t i : had[user]) {
      const float* row = weights.weights.data() + size_t{i} * n;
      for (size_t j = 0; j < n; ++j) scores[j] += row[j];
    }
    // Candidates: every item but those the user had before the target.
    seen.clear();
    for (size_t j = data.user_begin[user]; j < position; ++j) seen.push_back(data.interactions[j].item);
    std::sort(seen.begin(), seen.end());
    int64_t rank = 0;
    const float mine = scores[target];
    for (uint32_t item = 0; item < n; ++item) {
      if (std::binary_search(seen.begin(), seen.end(), item)) continue;
      if (scores[item] > mine || (scores[item] == mine && item < target)) ++rank;
    }
    ++metrics.users;
    add_ranked(rank, options.k, &metrics);
    if (per_user != nullptr) per_user->push_back(UserResult{user, target, rank});
  }
  if (metrics.users > 0) {
    metrics.hit_rate /= static_cast<double>(metrics.users);
    metrics.ndcg /= static_cast<double>(metrics.users);
  }
  metrics.auc = std::nan("");
  metrics.logloss = std::nan("");
  return metrics;
}

namespace {

// Tries each setting on the validation targets, keeps the best (the first
// of equals), and evaluates it on the test targets.
template <class Fit>
BaselineResult select(const char* name, const char* setting, const Dataset& data, const Split& validation,
                      const Split& test, const std::vector<double>& settings, const EvalOptions& options, Fit&& fit) {
  BaselineResult result;
  result.tried = settings;
  result.name = name;
  CoOccurrence counts;
  Status status = co_occurrence(data, validation, &counts);
  if (!status.ok()) {
    result.error = status.message();
    return result;
  }
  const bool validates = std::any_of(validation.validation.begin(), validation.validation.end(),
                                     [](int64_t v) { return v >= 0; });
  double best = -1.0;
  for (double value : settings) {
    ItemItemWeights weights;
    if (!(status = fit(counts, value, &weights)).ok()) {
      result.error = status.message();
      return result;
    }
    const double hr =
        validates ? evaluate_item_item(data, validation, validation.validation, weights, options).hit_rate : 0.0;
    result.validation_hr.push_back(hr);
    if (hr > best) {
      best = hr;
      result.chosen = value;
    }
  }
  result.name = std::string(name) + " (" + setting + " " + format_setting(result.chosen) + ")";
  ItemItemWeights weights;
  if (!(status = co_occurrence(data, test, &counts)).ok() || !(status = fit(counts, result.chosen, &weights)).ok()) {
    result.error = status.message();
    return result;
  }
  result.metrics = evaluate_item_item(data, test, test.test, weights, options, &result.per_user);
  return result;
}

}  // namespace

BaselineResult select_ease(const Dataset& data, const Split& validation, const Split& test,
                           const std::vector<double>& lambdas, const EvalOptions& options) {
  return select("EASE", "lambda", data, validation, test, lambdas, options,
                [&](const CoOccurrence& g, double lambda, ItemItemWeights* out) {
                  return fit_ease(g, lambda, options.threads, out);
                });
}

BaselineResult select_item_knn(const Dataset& data, const Split& validation, const Split& test,
                               const std::vector<double>& neighbors, const EvalOptions& options) {
  return select("item-kNN", "k", data, validation, test, neighbors, options,
                [](const CoOccurrence& g, double k, ItemItemWeights* out) {
                  *out = fit_item_knn(g, static_cast<uint32_t>(k));
                  return Status();
                });
}

}  // namespace barista::internal
