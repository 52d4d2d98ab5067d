#include "eval/evaluate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <random>

#include "hash/fingerprint.h"
#include "score/scorer.h"
#include "score/serving_index.h"

namespace barista::internal {

namespace {

double ndcg_at(size_t rank) { return 1.0 / std::log2(static_cast<double>(rank) + 2.0); }  // rank 0-based

}  // namespace

void add_ranked(int64_t rank, uint32_t k, EvalMetrics* metrics) {
  if (rank < 0 || rank >= static_cast<int64_t>(k)) return;
  metrics->hit_rate += 1.0;
  metrics->ndcg += ndcg_at(static_cast<size_t>(rank));
}

std::vector<uint32_t> evaluated_users(const std::vector<int64_t>& targets, size_t max_users) {
  std::vector<uint32_t> users;
  for (size_t u = 0; u < targets.size(); ++u) {
    if (targets[u] >= 0) users.push_back(static_cast<uint32_t>(u));
  }
  if (max_users == 0 || users.size() <= max_users) return users;
  std::vector<uint32_t> picked;
  for (size_t i = 0; i < max_users; ++i) picked.push_back(users[i * users.size() / max_users]);
  return picked;
}

namespace {

// Negatives for the pointwise hold-out: uniform over the catalog, not the
// target and not seen before it. Deterministic per (seed, user).
void sample_negatives(uint64_t seed, uint32_t user, uint32_t count, uint32_t catalog, uint32_t target,
                      const std::vector<uint32_t>& seen, std::vector<uint32_t>* out) {
  out->clear();
  if (catalog <= seen.size() + 1) return;
  std::mt19937_64 random(seed * 1000003ULL + user);
  while (out->size() < count) {
    const uint32_t item = static_cast<uint32_t>(random() % catalog);
    if (item == target || std::binary_search(seen.begin(), seen.end(), item)) continue;
    out->push_back(item);
  }
}

}  // namespace

double area_under_curve(const std::vector<float>& positive, const std::vector<float>& negative) {
  if (positive.empty() || negative.empty()) return std::numeric_limits<double>::quiet_NaN();
  // Mann-Whitney U via ranks of the pooled scores (average ranks for ties).
  std::vector<std::pair<float, bool>> all;
  all.reserve(positive.size() + negative.size());
  for (float s : positive) all.emplace_back(s, true);
  for (float s : negative) all.emplace_back(s, false);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double positive_rank_sum = 0.0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double average_rank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
    for (size_t t = i; t < j; ++t) {
      if (all[t].second) positive_rank_sum += average_rank;
    }
    i = j;
  }
  const double np = static_cast<double>(positive.size()), nn = static_cast<double>(negative.size());
  return (positive_rank_sum - np * (np + 1.0) / 2.0) / (np * nn);
}

Status evaluate_model(const Model& model, const Dataset& data, const RequestBuilder& requests,
                      const std::vector<int64_t>& targets, const EvalOptions& options, EvalMetrics* out,
                      std::vector<UserResult>* per_user) {
  // Dataset items -> catalog indices of this model.
  std::vector<int64_t> catalog_of(data.item_count());
  for (size_t i = 0; i < data.item_count(); ++i) catalog_of[i] = model.find_item(fingerprint64(data.item_ids[i]));
  const uint32_t catalog = model.catalog().count;

  std::unique_ptr<ServingIndex> index;
  BARISTA_RETURN_IF_ERROR(ServingIndex::build(model, &index));
  Scorer scorer(*index);
  FeatureBag request(model, BagRole::Request);
  std::vector<uint32_t> seen, excluded, negatives;
  Vec<Scored> top;
  EvalMetrics metrics;
  std::vector<float> positive_scores, negative_scores;
  double logloss = 0.0;
  for (uint32_t user : evaluated_users(targets, options.max_users)) {
    const size_t position = static_cast<size_t>(targets[user]);
    const int64_t target = catalog_of[data.interactions[position].item];
    BARISTA_RETURN_IF_ERROR(requests.fill(position, UserIdMode::Logged, &request));
    requests.seen_before(position, &seen);
    excluded.clear();
    for (uint32_t item : seen) {
      if (catalog_of[item] >= 0) excluded.push_back(static_cast<uint32_t>(catalog_of[item]));
    }
    std::sort(excluded.begin(), excluded.end());
    ++metrics.users;
    if (per_user != nullptr) {
      per_user->push_back(UserResult{user, data.interactions[position].item, -1});
      if (target >= 0) {
        // The full rank: every catalog item scored, the excluded ones
        // skipped, ties to the lower index as recommend breaks them.
        std::vector<uint32_t> all(catalog);
        std::iota(all.begin(), all.end(), 0u);
        std::vector<float> logits(catalog);
        BARISTA_RETURN_IF_ERROR(scorer.prepare(request));
        BARISTA_RETURN_IF_ERROR(scorer.logits_catalog(Span<uint32_t>(all), logits.data()));
        auto key = [](float logit) { return std::isnan(logit) ? -INFINITY : logit; };
        const float mine = key(logits[static_cast<size_t>(target)]);
        int64_t rank = 0;
        for (uint32_t item = 0; item < catalog; ++item) {
          if (std::binary_search(excluded.begin(), excluded.end(), item)) continue;
          const float other = key(logits[item]);
          if (other > mine || (other == mine && item < static_cast<uint32_t>(target))) ++rank;
        }
        per_user->back().rank = rank;
      }
    }
    if (target < 0) continue;  // an item the model does not know: a miss
    RecommendQuery query;
    query.k = options.k;
    query.exclude = excluded;
    BARISTA_RETURN_IF_ERROR(scorer.recommend(request, query, &top));
    for (size_t r = 0; r < top.size(); ++r) {
      if (top[r].item == static_cast<uint32_t>(target)) {
        metrics.hit_rate += 1.0;
        metrics.ndcg += ndcg_at(r);
        break;
      }
    }
    if (!options.pointwise) continue;
    sample_negatives(options.seed, user, options.negatives, catalog, static_cast<uint32_t>(target), excluded,
                     &negatives);
    negatives.push_back(static_cast<uint32_t>(target));  // scored together; the target is last
    std::vector<float> logits(negatives.size());
    BARISTA_RETURN_IF_ERROR(scorer.prepare(request));
    BARISTA_RETURN_IF_ERROR(scorer.logits_catalog(Span<uint32_t>(negatives), logits.data()));
    for (size_t i = 0; i < logits.size(); ++i) {
      const bool is_positive = i + 1 == logits.size();
      const double p = std::clamp(static_cast<double>(sigmoid(logits[i])), 1e-7, 1.0 - 1e-7);
      logloss -= is_positive ? std::log(p) : std::log(1.0 - p);
      (is_positive ? positive_scores : negative_scores).push_back(logits[i]);
    }
  }
  if (metrics.users > 0) {
    metrics.hit_rate /= static_cast<double>(metrics.users);
    metrics.ndcg /= static_cast<double>(metrics.users);
  }
  metrics.pointwise_examples = positive_scores.size() + negative_scores.size();
  metrics.auc = area_under_curve(positive_scores, negative_scores);
  metrics.logloss = metrics.pointwise_examples ? logloss / static_cast<double>(metrics.pointwise_examples)
                                               : std::numeric_limits<double>::quiet_NaN();
  *out = metrics;
  return Status();
}

std::vector<uint32_t> most_popular_order(const Dataset& data, const Split& split, std::vector<uint64_t>* counts) {
  std::vector<uint64_t> count(data.item_count(), 0);
  for (size_t i = 0; i < data.interactions.size(); ++i) {
    if (split.in_training[i]) ++count[data.interactions[i].item];
  }
  std::vector<uint32_t> by_popularity(data.item_count());
  std::iota(by_popularity.begin(), by_popularity.end(), 0u);
  std::stable_sort(by_popularity.begin(), by_popularity.end(),
                   [&](uint32_t a, uint32_t b) { return count[a] > count[b]; });
  if (counts != nullptr) *counts = std::move(count);
  return by_popularity;
}

EvalMetrics evaluate_most_popular(const Dataset& data, const Split& split, const std::vector<int64_t>& targets,
                                  const EvalOptions& options, std::vector<UserResult>* per_user) {
  std::vector<uint64_t> count;
  const std::vector<uint32_t> by_popularity = most_popular_order(data, split, &count);
  EvalMetrics metrics;
  std::vector<uint32_t> seen, negatives;
  std::vector<float> positive_scores, negative_scores;
  for (uint32_t user : evaluated_users(targets, options.max_users)) {
    const size_t position = static_cast<size_t>(targets[user]);
    const uint32_t target = data.interactions[position].item;
    seen.clear();
    for (size_t j = data.user_begin[user]; j < position; ++j) seen.push_back(data.interactions[j].item);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    ++metrics.users;
    int64_t rank = 0;
    for (uint32_t item : by_popularity) {
      if (std::binary_search(seen.begin(), seen.end(), item)) continue;
      if (item == target) break;
      ++rank;
    }
    add_ranked(rank, options.k, &metrics);
    if (per_user != nullptr) per_user->push_back(UserResult{user, target, rank});
    if (!options.pointwise) continue;
    sample_negatives(options.seed, user, options.negatives, static_cast<uint32_t>(data.item_count()), target, seen,
                     &negatives);
    positive_scores.push_back(static_cast<float>(count[target]));
    for (uint32_t n : negatives) negative_scores.push_back(static_cast<float>(count[n]));
  }
  if (metrics.users > 0) {
    metrics.hit_rate /= static_cast<double>(metrics.users);
    metrics.ndcg /= static_cast<double>(metrics.users);
  }
  metrics.pointwise_examples = positive_scores.size() + negative_scores.size();
  metrics.auc = area_under_curve(positive_scores, negative_scores);
  metrics.logloss = std::numeric_limits<double>::quiet_NaN();
  return metrics;
}

Status evaluate_bytes(const TrainConfig& config, const Dataset& data, const Split& split,
                      const std::vector<uint8_t>& bytes, const EvalOptions& options, EvalMetrics* out,
                      std::vector<UserResult>* per_user) {
  std::unique_ptr<Model> model;
  BARISTA_RETURN_IF_ERROR(Model::open_buffer(bytes.data(), bytes.size(), OpenOptions(), &model));
  RequestBuilder requests;
  BARISTA_RETURN_IF_ERROR(RequestBuilder::create(config, data, *model, &requests));
  return evaluate_model(*model, data, requests, split.test, options, out, per_user);
}

}  // namespace barista::internal
