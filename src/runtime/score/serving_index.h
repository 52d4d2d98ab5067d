// What scoring derives from a model once, for every session to share: the
// catalog-wide arrays that would otherwise be built per session on its
// first call (memory growing with the number of threads, and a latency
// spike on each thread's first request).
//
// - Per mixed wide term (a cross of request and item columns), every
//   catalog item's hashes of each item-side component: hashing them per
//   item in every request (a vocabulary lookup and a FarmHash each) was a
//   fifth of a recommendation. 8 bytes per item and item-side component.
// - The catalog items' learnable item-side wide ids (with their combiner
//   scales), read when a customer has learned weights on such terms:
//   encoding them per item in every request would cost a quarter of a
//   recommendation. 8 bytes per learnable id of every catalog item.
// - The hidden upper layers quantized to int8 for the int8 mode.
//
// Built once, when the model is opened (barista_model_open_*), and
// immutable afterwards: any number of sessions on any threads read it.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "common/alloc.h"
#include "common/fast_mod.h"
#include "common/status.h"
#include "kernels/kernel_list.h"
#include "model/model.h"

namespace barista::internal {

class ServingIndex {
 public:
  // A mixed wide term: which of its components are item-side, and every
  // catalog item's hashes for those.
  struct MixedTerm {
    WideTermInfo term;
    size_t first_item_component = 0;  // components before it are request-side
    bool item_only_last = false;      // the last component is the only item-side one
    CrossBuckets buckets;             // % column.buckets
    // Per item-side component. `begin` is empty when every item has exactly
    // one hash (hashes[item]); otherwise a CSR over items.
    struct ItemHashes {
      Vec<uint32_t> begin;
      Vec<uint64_t> hashes;  // empty where `mixed` replaces them
      // fingerprint_cat64_mix of each hash, instead of the hashes, for the
      // last component of an item_only_last term (all the fast path reads).
      Vec<uint64_t> mixed;
    };
    Vec<ItemHashes> item_hashes;  // per component (empty for request-side ones)
  };

  // A learnable item-side wide weight of a catalog item.
  struct ItemTerm {
    uint32_t index;  // into the wide weights
    float scale;     // combiner scale, or the numeric value
  };

  // The int8 mode's hidden upper layers: per-column int8 weights, packed for
  // dense_u8s8 (4 bytes per 4 inputs of one column).
  struct Int8Layer {
    Vec<int8_t> weights;  // [in_padded / 4][out][4]
    Vec<float> scales;    // per column: max |w| / 127
    uint32_t in_padded = 0;
  };

  // Builds the index of `model`, which must outlive it. Fails as encoding
  // the catalog's own values fails (a catalog value out of its column's
  // range, a cross over the limits).
  static Status build(const Model& model, std::unique_ptr<ServingIndex>* out);

  const Model& model() const { return model_; }

  Span<MixedTerm> mixed_terms() const { return mixed_; }
  // Some mixed term is not item_only_last (scored per item, not per block).
  bool other_mixed_terms() const { return other_mixed_terms_; }

  // [offset, end) of each learnable item-side term's weights.
  Span<std::pair<uint32_t, uint32_t>> learnable_item_ranges() const { return learnable_item_ranges_; }
  // Catalog item `item`'s learnable item-side weights (when there are
  // learnable item ranges).
  Span<ItemTerm> item_terms(uint32_t item) const {
    return Span<ItemTerm>(item_terms_.data() + item_terms_begin_[item],
                          item_terms_begin_[item + 1] - item_terms_begin_[item]);
  }

  // Whether the model's layers allow the int8 mode: every layer but the
  // output one ends in a ReLU (int8 activations are unsigned) and there is
  // at least one hidden layer above the first.
  bool int8_layers_available() const { return !int8_layers_.empty(); }
  // Layers 1 .. L-2 (empty when the int8 mode is not available).
  Span<Int8Layer> int8_layers() const { return int8_layers_; }
  uint32_t int8_widest_input() const { return int8_widest_input_; }

  // Heap memory the index holds.
  size_t memory_bytes() const;

 private:
  explicit ServingIndex(const Model& model) : model_(model) {}
  Status index_mixed_terms();
  Status index_item_terms();
  void quantize_upper_layers();

  const Model& model_;
  Vec<MixedTerm> mixed_;
  bool other_mixed_terms_ = false;
  Vec<std::pair<uint32_t, uint32_t>> learnable_item_ranges_;
  Vec<uint32_t> item_terms_begin_;  // per catalog item + 1
  Vec<ItemTerm> item_terms_;
  Vec<Int8Layer> int8_layers_;
  uint32_t int8_widest_input_ = 0;
};

}  // namespace barista::internal
