#include "score/serving_index.h"

#include <algorithm>
#include <cmath>

#include "features/encoder.h"
#include "hash/fingerprint.h"

namespace barista::internal {

Status ServingIndex::build(const Model& model, std::unique_ptr<ServingIndex>* out) {
  std::unique_ptr<ServingIndex> index(new ServingIndex(model));
  BARISTA_RETURN_IF_ERROR(index->index_mixed_terms());
  BARISTA_RETURN_IF_ERROR(index->index_item_terms());
  index->quantize_upper_layers();
  *out = std::move(index);
  return Status();
}

Status ServingIndex::index_mixed_terms() {
  const uint32_t n = model_.catalog().count;
  Encoder encoder(model_);
  mixed_.resize(model_.wide_mixed_terms().size());
  for (size_t t = 0; t < mixed_.size(); ++t) {
    MixedTerm& m = mixed_[t];
    m.term = model_.wide_mixed_terms()[t];
    const ColumnInfo& column = model_.columns()[m.term.column];
    m.first_item_component = column.crossed.size();
    for (size_t c = 0; c < column.crossed.size(); ++c) {
      if (model_.columns()[column.crossed[c]].side == Side::Item) {
        m.first_item_component = c;
        break;
      }
    }
    m.item_only_last = m.first_item_component + 1 == column.crossed.size();
    other_mixed_terms_ = other_mixed_terms_ || !m.item_only_last;
    m.buckets = CrossBuckets{column.buckets, FastMod(column.buckets)};

    m.item_hashes.resize(column.crossed.size());
    for (size_t c = m.first_item_component; c < column.crossed.size(); ++c) {
      const uint32_t component = column.crossed[c];
      if (model_.columns()[component].side != Side::Item) continue;
      MixedTerm::ItemHashes& cached = m.item_hashes[c];
      // A CSR only once an item has other than one hash, and the mixed form
      // in place: no transient copies of arrays of 400 KB to 800 KB on L.
      cached.hashes.reserve(n);
      for (uint32_t item = 0; item < n; ++item) {
        BARISTA_RETURN_IF_ERROR(
            encoder.cross_hashes(Example{nullptr, ItemRef::catalog(item)}, component, &cached.hashes));
        if (cached.begin.empty() && cached.hashes.size() != size_t{item} + 1) {
          cached.begin.reserve(size_t{n} + 1);
          for (uint32_t i = 0; i <= item; ++i) cached.begin.push_back(i);  // items before had one hash each
        }
        if (!cached.begin.empty()) cached.begin.push_back(static_cast<uint32_t>(cached.hashes.size()));
      }
      if (m.item_only_last && c + 1 == column.crossed.size()) {
        // Only the mixed form is read for this component: keeping the raw
        // hashes too would cost L (100k items, two crosses) 1.6 MB.
        for (uint64_t& hash : cached.hashes) hash = fingerprint_cat64_mix(hash);
        cached.mixed = std::move(cached.hashes);
        cached.hashes = Vec<uint64_t>();
      }
    }
  }
  return Status();
}

Status ServingIndex::index_item_terms() {
  for (const WideTermInfo& term : model_.wide_item_terms()) {
    if (!term.learnable) continue;
    const ColumnInfo& column = model_.columns()[term.column];
    learnable_item_ranges_.push_back(
        {term.offset, term.offset + static_cast<uint32_t>(column.is_categorical() ? column.cardinality : 1)});
  }
  if (learnable_item_ranges_.empty()) return Status();
  const uint32_t n = model_.catalog().count;
  Encoder encoder(model_);
  Vec<uint32_t> ids;
  item_terms_begin_.reserve(size_t{n} + 1);
  for (uint32_t item = 0; item < n; ++item) {
    item_terms_begin_.push_back(static_cast<uint32_t>(item_terms_.size()));
    const Example example{nullptr, ItemRef::catalog(item)};
    for (const WideTermInfo& term : model_.wide_item_terms()) {
      if (!term.learnable) continue;
      if (!model_.columns()[term.column].is_categorical()) {
        item_terms_.push_back(ItemTerm{term.offset, encoder.numeric_value(example, term.column)});
        continue;
      }
      ids.clear();
      BARISTA_RETURN_IF_ERROR(encoder.column_ids(example, term.column, &ids));
      const float scale = combiner_scale(term.combiner, ids.size());
      for (uint32_t id : ids) item_terms_.push_back(ItemTerm{term.offset + id, scale});
    }
  }
  item_terms_begin_.push_back(static_cast<uint32_t>(item_terms_.size()));
  return Status();
}

void ServingIndex::quantize_upper_layers() {
  const Span<LayerInfo> layers = model_.layers();
  if (layers.size() < 3) return;
  for (size_t l = 0; l + 1 < layers.size(); ++l) {
    if (!layers[l].relu) return;
  }
  for (size_t l = 1; l + 1 < layers.size(); ++l) {
    const LayerInfo& layer = layers[l];
    Int8Layer q;
    q.in_padded = (layer.in + 3) / 4 * 4;
    int8_widest_input_ = std::max(int8_widest_input_, q.in_padded);
    q.scales.assign(layer.out, 1.0f);
    q.weights.assign(size_t{q.in_padded} * layer.out, 0);
    for (uint32_t j = 0; j < layer.out; ++j) {
      float top = 0.0f;
      for (uint32_t k = 0; k < layer.in; ++k) top = std::max(top, std::fabs(layer.weights[size_t{k} * layer.out + j]));
      const float scale = top > 0.0f ? top / 127.0f : 1.0f;
      q.scales[j] = scale;
      for (uint32_t k = 0; k < layer.in; ++k) {
        const float v = std::nearbyint(layer.weights[size_t{k} * layer.out + j] / scale);
        q.weights[(size_t{k / 4} * layer.out + j) * 4 + k % 4] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
      }
    }
    int8_layers_.push_back(std::move(q));
  }
}

size_t ServingIndex::memory_bytes() const {
  size_t bytes = sizeof(*this) + heap_bytes(mixed_) + heap_bytes(learnable_item_ranges_) +
                 heap_bytes(item_terms_begin_) + heap_bytes(item_terms_) + heap_bytes(int8_layers_);
  for (const MixedTerm& m : mixed_) {
    bytes += heap_bytes(m.item_hashes);
    for (const MixedTerm::ItemHashes& h : m.item_hashes) {
      bytes += heap_bytes(h.begin) + heap_bytes(h.hashes) + heap_bytes(h.mixed);
    }
  }
  for (const Int8Layer& q : int8_layers_) bytes += heap_bytes(q.weights) + heap_bytes(q.scales);
  return bytes;
}

}  // namespace barista::internal
