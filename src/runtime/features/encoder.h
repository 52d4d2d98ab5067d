// Turns feature values into what the model consumes (src/README.md, 'The model'):
// categorical ids per column (hashing, vocabulary lookup, bucketizing,
// crossing), standardized numeric values, wide sums and the slices of the
// deep input vector. One Encoder per session (it owns scratch memory).
#pragma once

#include <cstdint>

#include "common/alloc.h"
#include "common/span.h"
#include "common/status.h"
#include "features/feature_bag.h"
#include "model/model.h"
#include "sequence/sequence_encoder.h"

namespace barista::internal {

// The candidate item of an example: a catalog item, or one described by a
// FeatureBag (role Item).
struct ItemRef {
  uint32_t catalog_index = 0;
  const FeatureBag* bag = nullptr;

  static ItemRef catalog(uint32_t index) { return ItemRef{index, nullptr}; }
  static ItemRef described(const FeatureBag& bag) { return ItemRef{0, &bag}; }
};

// A request (may be null when only item-side values are read) and an item.
struct Example {
  const FeatureBag* request = nullptr;
  ItemRef item;
};

class Encoder {
 public:
  explicit Encoder(const Model& model);

  // Categorical values of `input` as fingerprints.
  Status input_values(const Example& example, uint32_t input, Span<uint64_t>* out);
  // The values a hashed or vocabulary column reads: its input's, or the one
  // at its position (the p-th most recent; none when there are fewer).
  Status column_values(const Example& example, const ColumnInfo& column, Span<uint64_t>* out);
  float input_number(const Example& example, uint32_t input) const;

  // Ids of categorical column `column` for the example (appended to `ids`).
  Status column_ids(const Example& example, uint32_t column, Vec<uint32_t>* ids);
  // The values a crossed column hashes for component `column` (appended).
  Status cross_hashes(const Example& example, uint32_t column, Vec<uint64_t>* hashes);
  // Extends every partial fingerprint chain in `partials` by every hash in
  // `hashes` (the cartesian product), replacing `partials`.
  Status extend_cross(const ColumnInfo& crossed, Span<uint64_t> hashes, Vec<uint64_t>* partials);
  // Standardized value of numeric column `column`.
  float numeric_value(const Example& example, uint32_t column) const;

  // LIMIT_EXCEEDED when the crossed wide terms together would make more
  // than limits::kMaxCrossCombinations combinations for this request and
  // one item (item-side columns at their most ids, ColumnInfo::max_ids).
  // Checked once per request, before any item is scored; *per_item (when
  // given) receives the total.
  Status check_crosses(const FeatureBag& request, uint64_t* per_item = nullptr) const;

  // Sum of the wide terms `terms` for the example (no bias).
  Status wide_sum(const Example& example, Span<WideTermInfo> terms, float* out);
  // One term's contribution given the ids of its (categorical) column.
  float wide_term_from_ids(const WideTermInfo& term, Span<uint32_t> ids) const;

  // Writes the deep input slices of one side (Side::Request or Side::Item):
  // request side into x[0 .. deep_request_width), item side into
  // x[0 .. deep_width - deep_request_width) (offsets relative to the side's
  // start).
  Status deep_side(const Example& example, Side side, float* x);

  // Heap memory of the scratch buffers.
  size_t memory_bytes() const {
    return heap_bytes(ids_) + heap_bytes(term_ids_) + heap_bytes(hashes_) + heap_bytes(partials_) +
           heap_bytes(next_partials_) + sequence_.memory_bytes();
  }

 private:
  const Model& model_;
  Vec<uint32_t> ids_;       // ids of cross components
  Vec<uint32_t> term_ids_;  // ids of one wide term or deep input
  Vec<uint64_t> hashes_;
  Vec<uint64_t> partials_;
  Vec<uint64_t> next_partials_;
  uint64_t item_key_ = 0;  // storage for the catalog item id's fingerprint
  SequenceEncoderRunner sequence_;
};

// LIMIT_EXCEEDED: the crossed wide terms, up to `column`, make more than
// limits::kMaxCrossCombinations combinations for one item.
Status too_many_cross_combinations(const ColumnInfo& column);

// 1, 1/n or 1/sqrt(n) for n combined ids (0 when n == 0).
float combiner_scale(fb::Combiner combiner, size_t n);

}  // namespace barista::internal
