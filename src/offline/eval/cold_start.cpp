#include "eval/cold_start.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/random.h"
#include "eval/evaluate.h"
#include "hash/fingerprint.h"
#include "learn/learner.h"
#include "score/scorer.h"
#include "score/serving_index.h"

namespace barista::internal {

double ColdStartRow::difference_stderr() const {
  if (users < 2) return 0.0;
  // Per-user differences are -1, 0 or 1: their squares sum to `discordant`.
  const double n = static_cast<double>(users), mean = difference();
  const double variance = (static_cast<double>(discordant) - n * mean * mean) / (n - 1.0);
  return std::sqrt(std::max(0.0, variance) / n);
}

void ColdStartRow::add(const ColdStartRow& other) {
  users += other.users;
  most_popular_hits += other.most_popular_hits;
  history_only_hits += other.history_only_hits;
  learning_hits += other.learning_hits;
  memory_hits += other.memory_hits;
  id_only_hits += other.id_only_hits;
  discordant += other.discordant;
}

std::vector<uint32_t> hold_out_users(const Dataset& data, uint32_t folds, uint32_t fold, uint64_t seed, Split* split) {
  std::vector<uint32_t> order(data.user_count());
  std::iota(order.begin(), order.end(), 0u);
  Random random = Random::salted(seed * 0x2545F4914F6CDD1DULL + 11);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);
  std::vector<uint32_t> held_out;
  for (size_t i = fold; i < order.size(); i += folds) held_out.push_back(order[i]);
  std::sort(held_out.begin(), held_out.end());
  for (uint32_t user : held_out) {
    split->test[user] = -1;
    split->validation[user] = -1;
    for (size_t j = data.user_begin[user]; j < data.user_begin[user + 1]; ++j) {
      split->training_count -= split->in_training[j];
      split->in_training[j] = 0;
    }
  }
  return held_out;
}

Status evaluate_cold_start(const Model& model, const Dataset& data, const RequestBuilder& requests, const Split& split,
                           const std::vector<uint32_t>& held_out, const ColdStartOptions& options,
                           std::vector<ColdStartRow>* out) {
  out->assign(options.steps.size(), ColdStartRow());
  for (size_t s = 0; s < options.steps.size(); ++s) (*out)[s].seen = options.steps[s];
  if (options.steps.empty()) return Status();
  const uint32_t last_step = *std::max_element(options.steps.begin(), options.steps.end());

  // Dataset items -> catalog indices, and MostPop's order.
  std::vector<int64_t> catalog_of(data.item_count());
  for (size_t i = 0; i < data.item_count(); ++i) catalog_of[i] = model.find_item(fingerprint64(data.item_ids[i]));
  const std::vector<uint32_t> by_popularity = most_popular_order(data, split);

  OverlayStore store;
  BARISTA_RETURN_IF_ERROR(OverlayStore::create(options.memory_limit, options.ftrl, &store));
  std::unique_ptr<ServingIndex> index;
  BARISTA_RETURN_IF_ERROR(ServingIndex::build(model, &index));
  Learner learner(*index, &store);
  OverlayStore id_only_store;
  BARISTA_RETURN_IF_ERROR(OverlayStore::create(options.memory_limit, options.ftrl, &id_only_store));
  Learner id_only_learner(*index, &id_only_store);
  Scorer plain(*index), learned(*index), remembering(*index), id_only(*index);
  id_only.set_overlay(&id_only_store);
  learned.set_overlay(&store);
  // The memory engine: an overlay whose customer memory holds every
  // held-out customer (no evictions: the comparison is of the history's
  // source, not of the memory's size).
  OverlayOptions overlay_options;
  overlay_options.memory_limit = options.memory_limit;
  overlay_options.ftrl = options.ftrl;
  overlay_options.shown_weight = options.shown_weight;
  const int32_t history = Overlay::history_input(model);
  const size_t history_length = history < 0 ? 0 : model.inputs()[static_cast<size_t>(history)].max_values;
  overlay_options.customer_memory_limit = 4096 + 2 * (held_out.size() + 1) * (32 + 8 * history_length);
  std::unique_ptr<Overlay> overlay;
  BARISTA_RETURN_IF_ERROR(Overlay::open(*index, "", overlay_options, &overlay));
  remembering.set_overlay(&overlay->store());
  FeatureBag request(model, BagRole::Request), bare(model, BagRole::Request), filled(model, BagRole::Request);
  std::vector<uint32_t> seen_items;  // dataset items taken so far (sorted)
  std::vector<uint32_t> excluded;    // their catalog indices (sorted)
  Vec<Scored> top;
  Vec<uint32_t> shown;

  auto hit = [](const Vec<Scored>& list, int64_t target) {
    return target >= 0 && std::any_of(list.begin(), list.end(),
                                      [&](const Scored& s) { return s.item == static_cast<uint32_t>(target); });
  };
  for (uint32_t user : held_out) {
    const size_t begin = data.user_begin[user], end = data.user_begin[user + 1];
    if (end - begin <= last_step) continue;
    seen_items.clear();
    excluded.clear();
    for (uint32_t j = 0; j <= last_step; ++j) {
      const size_t position = begin + j;
      const uint32_t taken = data.interactions[position].item;
      const int64_t target = catalog_of[taken];
      const auto measured = std::find(options.steps.begin(), options.steps.end(), j);
      BARISTA_RETURN_IF_ERROR(requests.fill(position, UserIdMode::Logged, &request));
      BARISTA_RETURN_IF_ERROR(requests.fill(position, UserIdMode::Logged, &bare, /*history=*/false));
      RecommendQuery query;
      query.k = options.k;
      if (options.exclude_seen) query.exclude = excluded;

      // Learning: what the till shows now, then what the customer did.
      BARISTA_RETURN_IF_ERROR(learned.recommend(request, query, &top));
      const bool learning_hit = hit(top, target);
      shown.clear();
      for (const Scored& s : top) shown.push_back(s.item);
      BARISTA_RETURN_IF_ERROR(learner.observe_shown(request, shown,
                                                    target >= 0 ? static_cast<uint32_t>(target) : Learner::kNoItem,
                                                    options.shown_weight, nullptr));

      // Learning with memory: the same, the history from the overlay.
      BARISTA_RETURN_IF_ERROR(remembering.recommend(overlay->with_memory(bare, &filled), query, &top));
      const bool memory_hit = hit(top, target);
      shown.clear();
      for (const Scored& s : top) shown.push_back(s.item);
      BARISTA_RETURN_IF_ERROR(
          overlay->observe_shown(bare, shown, target >= 0 ? static_cast<uint32_t>(target) : Learner::kNoItem));

      // Id only: the same requests, nothing remembered.
      BARISTA_RETURN_IF_ERROR(id_only.recommend(bare, query, &top));
      const bool id_only_hit = hit(top, target);
      shown.clear();
      for (const Scored& s : top) shown.push_back(s.item);
      BARISTA_RETURN_IF_ERROR(id_only_learner.observe_shown(
          bare, shown, target >= 0 ? static_cast<uint32_t>(target) : Learner::kNoItem, options.shown_weight, nullptr));

      if (measured != options.steps.end()) {
        ColdStartRow& row = (*out)[static_cast<size_t>(measured - options.steps.begin())];
        BARISTA_RETURN_IF_ERROR(plain.recommend(request, query, &top));
        const bool history_hit = hit(top, target);
        size_t rank = 0;
        bool popular_hit = false;
        for (uint32_t item : by_popularity) {
          if (options.exclude_seen && std::binary_search(seen_items.begin(), seen_items.end(), item)) continue;
          if (item == taken) {
            popular_hit = true;
            break;
          }
          if (++rank >= options.k) break;
        }
        ++row.users;
        row.most_popular_hits += popular_hit;
        row.history_only_hits += history_hit;
        row.learning_hits += learning_hit;
        row.memory_hits += memory_hit;
        row.id_only_hits += id_only_hit;
        row.discordant += history_hit != learning_hit;
      }
      seen_items.insert(std::upper_bound(seen_items.begin(), seen_items.end(), taken), taken);
      if (target >= 0) {
        const uint32_t item = static_cast<uint32_t>(target);
        excluded.insert(std::upper_bound(excluded.begin(), excluded.end(), item), item);
      }
    }
  }
  return Status();
}

}  // namespace barista::internal
