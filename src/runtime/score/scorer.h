// Scoring: p = sigmoid(wide + deep) (src/README.md, 'The model'), two ways.
//
// - The plain forward pass: the full deep input vector through every layer,
//   every wide term evaluated. The reference the fast path is tested against.
// - The fast path (src/README.md, 'The fast path'): the first layer splits into a
//   request half (computed once per request) and an item half (precomputed
//   per catalog item in the file); only the upper layers run per item, as a
//   batched matrix product over blocks of items. Item-only wide terms are
//   precomputed per item too; request-only terms are summed once.
//
// A Scorer owns the scratch memory of one session (one thread at a time);
// what is derived from the model for every session lives in the model's
// ServingIndex, shared by all of them.
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>

#include "common/alloc.h"
#include "common/fast_mod.h"
#include "common/span.h"
#include "common/status.h"
#include "features/encoder.h"
#include "features/feature_bag.h"
#include "model/model.h"
#include "overlay/overlay_store.h"
#include "score/serving_index.h"
#include "score/top_k.h"

namespace barista::internal {

// An item outside the catalog whose item-side values were computed once
// (CatalogChanges): its bag, its item half of the first layer (without
// bias) and the sum of its item-only wide terms.
struct PreparedItem {
  const FeatureBag* bag = nullptr;
  const float* first_layer_half = nullptr;
  float item_wide = 0.0f;
};

struct RecommendQuery {
  size_t k = 10;
  bool whole_catalog = true;
  Span<uint32_t> candidates;  // catalog indices, when !whole_catalog
  Span<uint32_t> exclude;     // catalog indices
  // Items added beside the catalog, ranked with it: numbered catalog count
  // + i, before the extra items (catalog count + added count + j).
  Span<PreparedItem> added_items;
  Span<const FeatureBag*> extra_items;
  // Rank the catalog with int8 upper layers, then rescore a shortlist
  // exactly (Scorer::kShortlist); results carry exact f32 logits.
  bool int8_layers = false;
};

inline float sigmoid(float logit) { return 1.0f / (1.0f + std::exp(-logit)); }

class Scorer {
 public:
  // Items scored together by the fast path.
  static constexpr uint32_t kBlock = 64;

  // `index` (and its model) must outlive the scorer.
  explicit Scorer(const ServingIndex& index);

  const Model& model() const { return model_; }
  const ServingIndex& index() const { return index_; }

  // Heap memory the scorer holds: buffers sized by the model's widths, and
  // what the largest request so far needed (cross chains, the customer's
  // learned weights). Independent of the catalog's size.
  size_t memory_bytes() const;

  // Scores include what `overlay` learned for the request's customer
  // (nullptr: the model alone). The overlay must outlive its use here.
  void set_overlay(const OverlayStore* overlay) { overlay_ = overlay; }
  const OverlayStore* overlay() const { return overlay_; }

  // The plain forward pass for one example.
  Status logit_plain(const FeatureBag& request, ItemRef item, float* logit);

  // Fast path: prepare() computes the request's half once; the logits_*
  // calls then score items against it.
  Status prepare(const FeatureBag& request);
  // Starts loading a few catalog items' own data (their first-layer halves,
  // wide sums and cross hashes) into the cache, so that the misses overlap
  // with prepare() instead of following it. Items must be in range.
  void prefetch_catalog(Span<uint32_t> items) const;
  Status logits_catalog(Span<uint32_t> items, float* logits);
  Status logits_described(Span<const FeatureBag*> items, float* logits);
  Status logits_prepared(Span<PreparedItem> items, float* logits);

  // Top-k by the fast path; `out` receives logits, best first.
  Status recommend(const FeatureBag& request, const RecommendQuery& query, Vec<Scored>* out);

  // The int8 mode's shortlist: the best max(4k, k + 50) items by the int8
  // layers are rescored exactly. `barista bench` measures how often the
  // top-10 then equals the exact one.
  static size_t shortlist_size(size_t k) { return std::max(4 * k, k + 50); }
  // Whether the model's layers allow the int8 mode (ServingIndex).
  bool int8_layers_available() const { return index_.int8_layers_available(); }

 private:
  // Mixed wide terms (crosses of request and item columns): the request's
  // part of the fingerprint chain is computed once per request; the items'
  // part is in the ServingIndex.
  struct MixedRequest {
    Vec<uint64_t> prefix;               // chains over the leading request components
    Vec<Vec<uint64_t>> request_hashes;  // per component (request-side ones)
  };

  // Which mixed terms mixed_wide sums: all of them (a described item), or
  // all but the item_only_last ones, which a block of catalog items sums
  // apart (mixed_catalog_indices and _sums).
  enum class MixedTerms : uint8_t { All, NotBlockSummed };
  // The upper layers a block of catalog items runs through.
  enum class UpperLayers : uint8_t { F32, Int8 };

  // Mixed terms of one item.
  // `combinations` counts the item's cross combinations so far (the block
  // terms'); the item fails with LIMIT_EXCEEDED past
  // limits::kMaxCrossCombinations, whatever its catalog values.
  Status mixed_wide(const Example& example, MixedTerms terms, uint64_t combinations, float* out);
  // The item_only_last mixed terms of a block of catalog items: their weight
  // indices, prefetched; then, after other work, their sums added to out.
  Status mixed_catalog_indices(const uint32_t* items, uint32_t rows);
  void add_mixed_catalog_sums(uint32_t rows, float* out) const;
  // What the overlay learned for this customer on the learnable terms among
  // `terms`, for the example (plain path).
  Status overlay_sum(const Example& example, Span<WideTermInfo> terms, float* out);
  // The customer's learned weights, copied per request into a small table
  // that the per-item loop probes (it stays in L1).
  void load_learned(uint64_t user);
  // The customer's learned weights on the item's learnable item-side terms
  // (a per-customer cross with each item feature); for described items.
  Status learned_item_sum(const Example& example, float* out);
  float learned(uint32_t index) const {
    uint32_t slot = (index * 0x9E3779B1u) & learned_mask_;
    while (learned_keys_[slot] != 0) {
      if (learned_keys_[slot] == index + 1) return learned_weights_[slot];
      slot = (slot + 1) & learned_mask_;
    }
    return 0.0f;
  }
  // Runs layers 1.. over block rows whose first-layer pre-activation is
  // h1_request + item_half[b]; adds wide[b]; writes logits.
  void upper_layers(uint32_t rows, const float* const* item_halves, const float* wide, float* logits);
  // The same with the hidden upper layers in int8 (ServingIndex).
  void upper_layers_int8(uint32_t rows, const float* const* item_halves, const float* wide, float* logits);
  Status logits_catalog_impl(Span<uint32_t> items, UpperLayers layers, float* logits);
  // LIMIT_EXCEEDED when scoring `items` items for the prepared request could
  // make more than limits::kMaxCrossCombinationsPerRequest cross combinations.
  Status check_request_crosses(size_t items) const;

  const Model& model_;
  const ServingIndex& index_;
  Encoder encoder_;
  const FeatureBag* prepared_ = nullptr;
  uint64_t cross_combinations_ = 0;  // per item at most, for the prepared request (Encoder::check_crosses)
  const OverlayStore* overlay_ = nullptr;
  bool use_learned_ = false;        // the prepared customer has learned weights
  bool use_learned_items_ = false;  // ... some on item-side terms
  Vec<uint32_t> learned_keys_;      // index + 1, 0 when empty
  Vec<float> learned_weights_;
  uint32_t learned_mask_ = 0;

  float wide_request_ = 0.0f;
  Vec<float> x_;           // deep input (plain path: all of it; fast path: one side)
  Vec<float> h1_request_;  // bias + request half of the first layer
  Vec<float> zero_bias_;
  Span<ServingIndex::MixedTerm> mixed_terms_;  // the index's
  Vec<MixedRequest> mixed_;                    // one per mixed term
  Vec<uint64_t> partials_;
  Vec<uint64_t> hashes_;
  Vec<uint32_t> ids_;

  // Block buffers (kBlock rows x widest layer) and per-row values.
  Vec<float> block_a_, block_b_;
  Vec<float> described_halves_;  // kBlock x first layer width
  const float* halves_[kBlock];
  float wide_[kBlock];
  Vec<uint32_t> block_counts_;                // combinations per item_only_last term and row
  uint64_t block_combinations_[kBlock] = {};  // per row, over the item_only_last terms
  Vec<uint32_t> block_indices_;               // their wide indices, term by term, row by row
  Vec<uint64_t> block_mixed_;                 // a block's item hashes (mixed_catalog_indices)
  Vec<uint32_t> block_by_prefix_;             // one term's indices, prefix by prefix
  float logits_[kBlock];
  uint32_t items_[kBlock];

  // The int8 mode's block input: kBlock rows of one layer's input, as uint8.
  Vec<uint8_t> block_q_;
  float block_q_scales_[kBlock];
  Vec<Scored> shortlist_;

  Vec<uint32_t> candidates_, exclude_;
  TopK top_;
};

}  // namespace barista::internal
