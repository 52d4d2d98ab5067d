#include "score/scorer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/half.h"
#include "common/limits.h"
#include "hash/fingerprint.h"

namespace barista::internal {

Scorer::Scorer(const ServingIndex& index)
    : model_(index.model()), index_(index), encoder_(index.model()), mixed_terms_(index.mixed_terms()) {
  const Model& model = model_;
  const uint32_t h1 = model.first_layer_width();
  x_.resize(model.deep_width());
  h1_request_.resize(h1);
  zero_bias_.assign(h1, 0.0f);
  block_a_.resize(size_t{kBlock} * model.max_layer_width());
  block_b_.resize(size_t{kBlock} * model.max_layer_width());
  described_halves_.resize(size_t{kBlock} * h1);
  block_q_.assign(size_t{kBlock} * index.int8_widest_input(), 0);
  mixed_.resize(mixed_terms_.size());
  for (size_t t = 0; t < mixed_.size(); ++t) {
    mixed_[t].request_hashes.resize(model.columns()[mixed_terms_[t].term.column].crossed.size());
  }
}

size_t Scorer::memory_bytes() const {
  size_t bytes = sizeof(*this) + encoder_.memory_bytes() + top_.memory_bytes();
  for (const MixedRequest& m : mixed_) {
    bytes += heap_bytes(m.prefix) + heap_bytes(m.request_hashes);
    for (const Vec<uint64_t>& hashes : m.request_hashes) bytes += heap_bytes(hashes);
  }
  for (size_t b : {heap_bytes(learned_keys_),    heap_bytes(learned_weights_), heap_bytes(x_),
                   heap_bytes(h1_request_),      heap_bytes(zero_bias_),       heap_bytes(mixed_),
                   heap_bytes(partials_),        heap_bytes(hashes_),          heap_bytes(ids_),
                   heap_bytes(block_a_),         heap_bytes(block_b_),         heap_bytes(described_halves_),
                   heap_bytes(block_counts_),    heap_bytes(block_indices_),   heap_bytes(block_mixed_),
                   heap_bytes(block_by_prefix_), heap_bytes(block_q_),         heap_bytes(shortlist_),
                   heap_bytes(candidates_),      heap_bytes(exclude_)}) {
    bytes += b;
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// Plain forward pass

Status Scorer::logit_plain(const FeatureBag& request, ItemRef item, float* logit) {
  BARISTA_RETURN_IF_ERROR(encoder_.check_crosses(request));
  const Example example{&request, item};
  const KernelTable& k = model_.kernels();

  float wide = model_.wide_bias();
  for (Span<WideTermInfo> terms : {model_.wide_request_terms(), model_.wide_item_terms(), model_.wide_mixed_terms()}) {
    float sum = 0.0f;
    BARISTA_RETURN_IF_ERROR(encoder_.wide_sum(example, terms, &sum));
    wide += sum;
  }
  if (overlay_ != nullptr) {
    for (Span<WideTermInfo> terms :
         {model_.wide_request_terms(), model_.wide_item_terms(), model_.wide_mixed_terms()}) {
      float learned_sum = 0.0f;
      BARISTA_RETURN_IF_ERROR(overlay_sum(example, terms, &learned_sum));
      wide += learned_sum;
    }
  }

  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Request, x_.data()));
  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Item, x_.data() + model_.deep_request_width()));
  const float* in = x_.data();
  float* out = block_a_.data();
  for (const LayerInfo& layer : model_.layers()) {
    k.dense_f32(in, 1, layer.in, layer.weights, layer.bias, layer.out, layer.relu, out);
    in = out;
    out = out == block_a_.data() ? block_b_.data() : block_a_.data();
  }
  *logit = wide + in[0];
  return Status();
}

// ---------------------------------------------------------------------------
// Fast path

Status Scorer::prepare(const FeatureBag& request) {
  prepared_ = nullptr;
  BARISTA_RETURN_IF_ERROR(encoder_.check_crosses(request, &cross_combinations_));
  const Example example{&request, ItemRef{}};
  float sum = 0.0f;
  BARISTA_RETURN_IF_ERROR(encoder_.wide_sum(example, model_.wide_request_terms(), &sum));
  wide_request_ = model_.wide_bias() + sum;

  const LayerInfo& first = model_.layers()[0];
  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Request, x_.data()));
  // Rows [0, request width) of the first layer's weights: the request half.
  model_.kernels().dense_f32(x_.data(), 1, model_.deep_request_width(), first.weights, first.bias, first.out, 0,
                             h1_request_.data());

  for (size_t t = 0; t < mixed_.size(); ++t) {
    MixedRequest& m = mixed_[t];
    const ServingIndex::MixedTerm& term = mixed_terms_[t];
    const ColumnInfo& column = model_.columns()[term.term.column];
    m.prefix.assign(1, column.hash_key);
    for (size_t c = 0; c < column.crossed.size(); ++c) {
      const uint32_t component = column.crossed[c];
      if (model_.columns()[component].side == Side::Item) continue;
      m.request_hashes[c].clear();
      BARISTA_RETURN_IF_ERROR(encoder_.cross_hashes(example, component, &m.request_hashes[c]));
      if (c < term.first_item_component) {
        BARISTA_RETURN_IF_ERROR(encoder_.extend_cross(column, m.request_hashes[c], &m.prefix));
      }
    }
  }
  use_learned_ = false;
  use_learned_items_ = false;
  if (overlay_ != nullptr && model_.user_id_input() >= 0) {
    const Span<uint64_t> user = request.values(static_cast<uint32_t>(model_.user_id_input()));
    if (!user.empty() && overlay_->user_entries(user[0]) > 0) {
      // Request-side learnable terms once; mixed ones per item, from a
      // small table of this customer's weights.
      float learned_sum = 0.0f;
      BARISTA_RETURN_IF_ERROR(overlay_sum(example, model_.wide_request_terms(), &learned_sum));
      wide_request_ += learned_sum;
      load_learned(user[0]);
      use_learned_ = true;
    }
  }
  prepared_ = &request;
  return Status();
}

void Scorer::prefetch_catalog(Span<uint32_t> items) const {
  const CatalogView& catalog = model_.catalog();
  const size_t half_bytes = size_t{model_.first_layer_width()} * sizeof(float);
  for (uint32_t item : items) {
    const char* half =
        reinterpret_cast<const char*>(catalog.item_first_layer + size_t{item} * model_.first_layer_width());
    for (size_t line = 0; line < half_bytes; line += 64) __builtin_prefetch(half + line);
    __builtin_prefetch(catalog.item_wide + item);
    for (const ServingIndex::MixedTerm& m : mixed_terms_) {
      if (!m.item_only_last) continue;
      const ServingIndex::MixedTerm::ItemHashes& cached = m.item_hashes.back();
      if (cached.begin.empty()) __builtin_prefetch(cached.mixed.data() + item);
    }
  }
}

Status Scorer::overlay_sum(const Example& example, Span<WideTermInfo> terms, float* out) {
  *out = 0.0f;
  if (overlay_ == nullptr || model_.user_id_input() < 0 || example.request == nullptr) return Status();
  const Span<uint64_t> user = example.request->values(static_cast<uint32_t>(model_.user_id_input()));
  if (user.empty()) return Status();
  float total = 0.0f;
  for (const WideTermInfo& term : terms) {
    if (!term.learnable) continue;
    if (!model_.columns()[term.column].is_categorical()) {
      total += overlay_->weight(user[0], term.offset) * encoder_.numeric_value(example, term.column);
      continue;
    }
    ids_.clear();
    BARISTA_RETURN_IF_ERROR(encoder_.column_ids(example, term.column, &ids_));
    float sum = 0.0f;
    for (uint32_t id : ids_) sum += overlay_->weight(user[0], term.offset + id);
    total += sum * combiner_scale(term.combiner, ids_.size());
  }
  *out = total;
  return Status();
}

Status Scorer::learned_item_sum(const Example& example, float* out) {
  float total = 0.0f;
  for (const WideTermInfo& term : model_.wide_item_terms()) {
    if (!term.learnable) continue;
    if (!model_.columns()[term.column].is_categorical()) {
      total += learned(term.offset) * encoder_.numeric_value(example, term.column);
      continue;
    }
    ids_.clear();
    BARISTA_RETURN_IF_ERROR(encoder_.column_ids(example, term.column, &ids_));
    float sum = 0.0f;
    for (uint32_t id : ids_) sum += learned(term.offset + id);
    total += sum * combiner_scale(term.combiner, ids_.size());
  }
  *out = total;
  return Status();
}

void Scorer::load_learned(uint64_t user) {
  use_learned_items_ = false;
  const size_t count = overlay_->user_entries(user);
  size_t slots = 16;
  while (slots < 2 * count) slots *= 2;
  learned_keys_.assign(slots, 0);
  learned_weights_.assign(slots, 0.0f);
  learned_mask_ = static_cast<uint32_t>(slots - 1);
  overlay_->for_each_of_user(user, [&](const OverlayStore::Entry& e) {
    uint32_t slot = (e.index * 0x9E3779B1u) & learned_mask_;
    while (learned_keys_[slot] != 0) slot = (slot + 1) & learned_mask_;
    learned_keys_[slot] = e.index + 1;
    learned_weights_[slot] = e.w;
    for (const auto& range : index_.learnable_item_ranges()) {
      if (e.index >= range.first && e.index < range.second) use_learned_items_ = true;
    }
  });
}

// The common cross (request columns x one item column) for a block of
// catalog items: the request's chains times each item's cached hashes. The
// weights are read at random from a table larger than the caches, so this
// runs in two steps: every index of the block, with a prefetch each, before
// the upper layers; the sums after them, when the loads have arrived.
Status Scorer::mixed_catalog_indices(const uint32_t* items, uint32_t rows) {
  const KernelTable& k = model_.kernels();
  const TensorView& weights = model_.wide_weights();
  const char* base = weights.dtype == fb::DType::F16 ? reinterpret_cast<const char*>(weights.f16)
                                                     : reinterpret_cast<const char*>(weights.f32);
  const size_t weight_bytes = weights.dtype == fb::DType::F16 ? 2 : 4;
  block_indices_.clear();
  block_counts_.clear();
  std::fill(block_combinations_, block_combinations_ + rows, uint64_t{0});
  for (size_t t = 0; t < mixed_.size(); ++t) {
    const ServingIndex::MixedTerm& m = mixed_terms_[t];
    if (!m.item_only_last) continue;
    const ColumnInfo& column = model_.columns()[m.term.column];
    const ServingIndex::MixedTerm::ItemHashes& cached = m.item_hashes.back();
    const uint64_t* prefix = mixed_[t].prefix.data();
    const size_t prefixes = mixed_[t].prefix.size();
    const uint32_t offset = m.term.offset;
    // Counts first, then every index written through a pointer into a
    // buffer sized once.
    size_t total = 0;
    const size_t counts_begin = block_counts_.size();
    block_counts_.resize(counts_begin + rows);
    uint32_t* counts = block_counts_.data() + counts_begin;
    for (uint32_t r = 0; r < rows; ++r) {
      const uint32_t item = items[r];
      const size_t count = cached.begin.empty() ? 1 : cached.begin[item + 1] - cached.begin[item];
      const size_t combinations = prefixes * count;
      if (combinations > limits::kMaxCrossProduct) {
        return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "crossed column '%s' would make %zu combinations (limit %u)",
                          column.name, combinations, limits::kMaxCrossProduct);
      }
      block_combinations_[r] += combinations;
      if (block_combinations_[r] > limits::kMaxCrossCombinations) return too_many_cross_combinations(column);
      counts[r] = static_cast<uint32_t>(combinations);
      total += combinations;
    }
    const size_t indices_begin = block_indices_.size();
    block_indices_.resize(indices_begin + total);
    uint32_t* out = block_indices_.data() + indices_begin;
    const uint64_t* mixed = cached.mixed.data();
    if (cached.begin.empty()) {
      // One hash per item (the usual item id): the block's hashes side by
      // side, so that the kernel runs over the rows for each prefix; the
      // result is prefix-major, and the copy to row-major order (the order
      // of the sums) issues the prefetches.
      block_mixed_.resize(rows);
      for (uint32_t r = 0; r < rows; ++r) block_mixed_[r] = mixed[items[r]];
      block_by_prefix_.resize(prefixes * rows);
      for (size_t p = 0; p < prefixes; ++p) {
        k.cross_indices(prefix[p], block_mixed_.data(), rows, &m.buckets, offset, block_by_prefix_.data() + p * rows);
      }
      for (uint32_t r = 0; r < rows; ++r) {
        for (size_t p = 0; p < prefixes; ++p) {
          const uint32_t index = block_by_prefix_[p * rows + r];
          __builtin_prefetch(base + size_t{index} * weight_bytes);
          *out++ = index;
        }
      }
      continue;
    }
    for (uint32_t r = 0; r < rows; ++r) {
      const uint32_t item = items[r];
      const uint32_t first = cached.begin[item];
      const uint32_t count = cached.begin[item + 1] - first;
      for (size_t p = 0; p < prefixes; ++p) {
        k.cross_indices(prefix[p], mixed + first, count, &m.buckets, offset, out);
        for (uint32_t i = 0; i < count; ++i) __builtin_prefetch(base + size_t{out[i]} * weight_bytes);
        out += count;
      }
    }
  }
  return Status();
}

void Scorer::add_mixed_catalog_sums(uint32_t rows, float* out) const {
  const TensorView& weights = model_.wide_weights();
  const uint32_t* index = block_indices_.data();
  const uint32_t* count = block_counts_.data();
  // The weight type and whether the customer has learned weights are fixed
  // per term: decided outside the loop over the block's indices.
  auto sum_term = [&](const ServingIndex::MixedTerm& m, auto weight_at) {
    const bool learned_term = use_learned_ && m.term.learnable;
    for (uint32_t r = 0; r < rows; ++r, ++count) {
      float sum = 0.0f;
      const uint32_t* end = index + *count;
      if (learned_term) {
        for (; index < end; ++index) sum += weight_at(*index) + learned(*index);
      } else {
        for (; index < end; ++index) sum += weight_at(*index);
      }
      out[r] += sum * combiner_scale(m.term.combiner, *count);
    }
  };
  for (const ServingIndex::MixedTerm& m : mixed_terms_) {
    if (!m.item_only_last) continue;
    if (weights.dtype == fb::DType::F16) {
      sum_term(m, [&](uint32_t i) { return half_to_float(weights.f16[i]); });
    } else {
      sum_term(m, [&](uint32_t i) { return weights.f32[i]; });
    }
  }
}

Status Scorer::mixed_wide(const Example& example, MixedTerms terms, uint64_t combinations, float* out) {
  const TensorView& weights = model_.wide_weights();
  const KernelTable& k = model_.kernels();
  float total = 0.0f;
  for (size_t t = 0; t < mixed_.size(); ++t) {
    const ServingIndex::MixedTerm& m = mixed_terms_[t];
    const ColumnInfo& column = model_.columns()[m.term.column];
    if (terms == MixedTerms::NotBlockSummed && m.item_only_last) continue;
    partials_.assign(mixed_[t].prefix.begin(), mixed_[t].prefix.end());
    for (size_t c = m.first_item_component; c < column.crossed.size() && !partials_.empty(); ++c) {
      const uint32_t component = column.crossed[c];
      if (model_.columns()[component].side == Side::Item) {
        // A catalog item's cached hashes; the last component of an
        // item_only_last term keeps only their mixed form (encoded below).
        const bool cached_raw = !(m.item_only_last && c + 1 == column.crossed.size());
        if (example.item.bag == nullptr && cached_raw) {
          const ServingIndex::MixedTerm::ItemHashes& cached = m.item_hashes[c];
          const uint32_t item = example.item.catalog_index;
          const Span<uint64_t> item_hashes = cached.begin.empty()
                                                 ? Span<uint64_t>(cached.hashes.data() + item, 1)
                                                 : Span<uint64_t>(cached.hashes.data() + cached.begin[item],
                                                                  cached.begin[item + 1] - cached.begin[item]);
          BARISTA_RETURN_IF_ERROR(encoder_.extend_cross(column, item_hashes, &partials_));
          continue;
        }
        hashes_.clear();
        BARISTA_RETURN_IF_ERROR(encoder_.cross_hashes(example, component, &hashes_));
        BARISTA_RETURN_IF_ERROR(encoder_.extend_cross(column, hashes_, &partials_));
      } else {
        BARISTA_RETURN_IF_ERROR(encoder_.extend_cross(column, mixed_[t].request_hashes[c], &partials_));
      }
    }
    combinations += partials_.size();
    if (combinations > limits::kMaxCrossCombinations) return too_many_cross_combinations(column);
    ids_.resize(partials_.size());
    for (size_t i = 0; i < partials_.size(); ++i) {
      ids_[i] = m.term.offset + static_cast<uint32_t>(m.buckets.fast.mod(partials_[i]));
    }
    float sum = weights.dtype == fb::DType::F16 ? k.gather_sum_f16(weights.f16, ids_.data(), ids_.size())
                                                : k.gather_sum_f32(weights.f32, ids_.data(), ids_.size());
    if (use_learned_ && m.term.learnable) {
      for (uint32_t index : ids_) sum += learned(index);
    }
    total += sum * combiner_scale(m.term.combiner, ids_.size());
  }
  *out = total;
  return Status();
}

void Scorer::upper_layers_int8(uint32_t rows, const float* const* item_halves, const float* wide, float* logits) {
  const KernelTable& k = model_.kernels();
  const Span<LayerInfo> layers = model_.layers();
  const LayerInfo& first = layers[0];
  float* in = block_a_.data();
  float* out = block_b_.data();
  for (size_t l = 1; l + 1 < layers.size(); ++l) {
    const LayerInfo& layer = layers[l];
    const ServingIndex::Int8Layer& q = index_.int8_layers()[l - 1];
    if (l == 1) {
      // The first layer's ReLU and the quantization in one pass over each
      // item's precomputed half.
      for (uint32_t r = 0; r < rows; ++r) {
        k.add_relu_quantize_u8(h1_request_.data(), item_halves[r], first.out, q.in_padded,
                               block_q_.data() + size_t{r} * q.in_padded, &block_q_scales_[r]);
      }
    } else {
      k.quantize_u8_rows(in, rows, layer.in, q.in_padded, block_q_.data(), block_q_scales_);
    }
    k.dense_u8s8(block_q_.data(), block_q_scales_, rows, q.in_padded, q.weights.data(), q.scales.data(), layer.bias,
                 layer.out, layer.relu, out);
    std::swap(in, out);
  }
  const LayerInfo& last = layers[layers.size() - 1];
  for (uint32_t r = 0; r < rows; ++r) {
    logits[r] = wide[r] + last.bias[0] + k.dot_f32(in + size_t{r} * last.in, last.weights, last.in);
  }
}

void Scorer::upper_layers(uint32_t rows, const float* const* item_halves, const float* wide, float* logits) {
  const KernelTable& k = model_.kernels();
  const Span<LayerInfo> layers = model_.layers();
  const LayerInfo& first = layers[0];
  float* in = block_a_.data();
  for (uint32_t r = 0; r < rows; ++r) {
    float* row = in + size_t{r} * first.out;
    if (first.relu) {
      k.add_relu_f32(h1_request_.data(), item_halves[r], row, first.out);
    } else {
      for (uint32_t j = 0; j < first.out; ++j) row[j] = h1_request_[j] + item_halves[r][j];
    }
  }
  float* out = block_b_.data();
  for (size_t l = 1; l + 1 < layers.size(); ++l) {
    const LayerInfo& layer = layers[l];
    k.dense_f32(in, rows, layer.in, layer.weights, layer.bias, layer.out, layer.relu, out);
    std::swap(in, out);
  }
  if (layers.size() == 1) {  // the first layer was the output layer
    for (uint32_t r = 0; r < rows; ++r) logits[r] = wide[r] + in[r];
    return;
  }
  const LayerInfo& last = layers[layers.size() - 1];  // out == 1: weights are a column
  for (uint32_t r = 0; r < rows; ++r) {
    logits[r] = wide[r] + last.bias[0] + k.dot_f32(in + size_t{r} * last.in, last.weights, last.in);
  }
}

Status Scorer::check_request_crosses(size_t items) const {
  if (cross_combinations_ * items <= limits::kMaxCrossCombinationsPerRequest) return Status();
  return make_error(BARISTA_STATUS_LIMIT_EXCEEDED,
                    "the crossed wide terms would make up to %llu combinations for %zu items (limit %llu per request)",
                    static_cast<unsigned long long>(cross_combinations_ * items), items,
                    static_cast<unsigned long long>(limits::kMaxCrossCombinationsPerRequest));
}

Status Scorer::logits_catalog(Span<uint32_t> items, float* logits) {
  BARISTA_RETURN_IF_ERROR(check_request_crosses(items.size()));
  return logits_catalog_impl(items, UpperLayers::F32, logits);
}

Status Scorer::logits_catalog_impl(Span<uint32_t> items, UpperLayers layers, float* logits) {
  if (prepared_ == nullptr) return make_error(BARISTA_STATUS_INTERNAL, "logits_catalog before prepare");
  const CatalogView& catalog = model_.catalog();
  const uint32_t h1 = model_.first_layer_width();
  for (size_t start = 0; start < items.size(); start += kBlock) {
    const uint32_t rows = static_cast<uint32_t>(std::min<size_t>(kBlock, items.size() - start));
    if (!mixed_.empty()) BARISTA_RETURN_IF_ERROR(mixed_catalog_indices(items.data() + start, rows));
    for (uint32_t r = 0; r < rows; ++r) {
      const uint32_t item = items[start + r];
      halves_[r] = catalog.item_first_layer + size_t{item} * h1;
      float mixed = 0.0f;
      if (index_.other_mixed_terms()) {
        float other = 0.0f;
        BARISTA_RETURN_IF_ERROR(mixed_wide(Example{prepared_, ItemRef::catalog(item)}, MixedTerms::NotBlockSummed,
                                           block_combinations_[r], &other));
        mixed += other;
      }
      float learned_item = 0.0f;
      if (use_learned_items_) {
        for (const ServingIndex::ItemTerm& term : index_.item_terms(item)) {
          learned_item += learned(term.index) * term.scale;
        }
      }
      wide_[r] = wide_request_ + catalog.item_wide[item] + mixed + learned_item;
    }
    if (layers == UpperLayers::Int8) {
      upper_layers_int8(rows, halves_, wide_, logits + start);
    } else {
      upper_layers(rows, halves_, wide_, logits + start);
    }
    if (!mixed_.empty()) add_mixed_catalog_sums(rows, logits + start);
  }
  return Status();
}

Status Scorer::logits_described(Span<const FeatureBag*> items, float* logits) {
  if (prepared_ == nullptr) return make_error(BARISTA_STATUS_INTERNAL, "logits_described before prepare");
  BARISTA_RETURN_IF_ERROR(check_request_crosses(items.size()));
  const KernelTable& k = model_.kernels();
  const LayerInfo& first = model_.layers()[0];
  const uint32_t request_width = model_.deep_request_width();
  const uint32_t item_width = model_.deep_width() - request_width;
  const float* item_rows = first.weights + size_t{request_width} * first.out;
  for (size_t start = 0; start < items.size(); start += kBlock) {
    const uint32_t rows = static_cast<uint32_t>(std::min<size_t>(kBlock, items.size() - start));
    for (uint32_t r = 0; r < rows; ++r) {
      const Example example{prepared_, ItemRef::described(*items[start + r])};
      // The item half the writer would have precomputed, computed now.
      BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Item, x_.data()));
      float* half = described_halves_.data() + size_t{r} * first.out;
      k.dense_f32(x_.data(), 1, item_width, item_rows, zero_bias_.data(), first.out, 0, half);
      halves_[r] = half;
      float item_wide = 0.0f, mixed = 0.0f;
      BARISTA_RETURN_IF_ERROR(encoder_.wide_sum(example, model_.wide_item_terms(), &item_wide));
      BARISTA_RETURN_IF_ERROR(mixed_wide(example, MixedTerms::All, 0, &mixed));
      float learned_item = 0.0f;
      if (use_learned_items_) BARISTA_RETURN_IF_ERROR(learned_item_sum(example, &learned_item));
      wide_[r] = wide_request_ + item_wide + mixed + learned_item;
    }
    upper_layers(rows, halves_, wide_, logits + start);
  }
  return Status();
}

Status Scorer::logits_prepared(Span<PreparedItem> items, float* logits) {
  if (prepared_ == nullptr) return make_error(BARISTA_STATUS_INTERNAL, "logits_prepared before prepare");
  BARISTA_RETURN_IF_ERROR(check_request_crosses(items.size()));
  for (size_t start = 0; start < items.size(); start += kBlock) {
    const uint32_t rows = static_cast<uint32_t>(std::min<size_t>(kBlock, items.size() - start));
    for (uint32_t r = 0; r < rows; ++r) {
      const PreparedItem& item = items[start + r];
      const Example example{prepared_, ItemRef::described(*item.bag)};
      halves_[r] = item.first_layer_half;
      float mixed = 0.0f;
      BARISTA_RETURN_IF_ERROR(mixed_wide(example, MixedTerms::All, 0, &mixed));
      float learned_item = 0.0f;
      if (use_learned_items_) BARISTA_RETURN_IF_ERROR(learned_item_sum(example, &learned_item));
      wide_[r] = wide_request_ + item.item_wide + mixed + learned_item;
    }
    upper_layers(rows, halves_, wide_, logits + start);
  }
  return Status();
}

// ---------------------------------------------------------------------------
// Recommend

Status Scorer::recommend(const FeatureBag& request, const RecommendQuery& query, Vec<Scored>* out) {
  const uint32_t n = model_.catalog().count;
  exclude_.assign(query.exclude.begin(), query.exclude.end());
  for (uint32_t item : exclude_) {
    if (item >= n) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "excluded item %u is out of range (the catalog has %u items)",
                        item, n);
    }
  }
  std::sort(exclude_.begin(), exclude_.end());
  if (!query.whole_catalog) {
    candidates_.assign(query.candidates.begin(), query.candidates.end());
    for (uint32_t item : candidates_) {
      if (item >= n) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                          "candidate item %u is out of range (the catalog has %u items)", item, n);
      }
    }
    std::sort(candidates_.begin(), candidates_.end());
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
  }
  BARISTA_RETURN_IF_ERROR(prepare(request));
  BARISTA_RETURN_IF_ERROR(
      check_request_crosses((query.whole_catalog ? n : candidates_.size()) + query.added_items.size() +
                            query.extra_items.size()));

  // The int8 mode ranks by int8 layers into a shortlist, rescored below.
  const bool int8 = query.int8_layers && int8_layers_available();
  top_.reset(int8 ? shortlist_size(query.k) : query.k);
  const size_t total = query.whole_catalog ? n : candidates_.size();
  size_t next_excluded = 0;  // both lists are sorted: walk them together
  uint32_t rows = 0;
  auto flush = [&]() -> Status {
    BARISTA_RETURN_IF_ERROR(
        logits_catalog_impl(Span<uint32_t>(items_, rows), int8 ? UpperLayers::Int8 : UpperLayers::F32, logits_));
    for (uint32_t r = 0; r < rows; ++r) top_.push(Scored{logits_[r], items_[r]});
    rows = 0;
    return Status();
  };
  for (size_t i = 0; i < total; ++i) {
    const uint32_t item = query.whole_catalog ? static_cast<uint32_t>(i) : candidates_[i];
    while (next_excluded < exclude_.size() && exclude_[next_excluded] < item) ++next_excluded;
    if (next_excluded < exclude_.size() && exclude_[next_excluded] == item) continue;
    items_[rows++] = item;
    if (rows == kBlock) BARISTA_RETURN_IF_ERROR(flush());
  }
  if (rows > 0) BARISTA_RETURN_IF_ERROR(flush());
  if (int8) {
    // Exact logits for the shortlist; the int8 ones only chose it.
    top_.finish(&shortlist_);
    top_.reset(query.k);
    for (size_t start = 0; start < shortlist_.size(); start += kBlock) {
      const uint32_t count = static_cast<uint32_t>(std::min<size_t>(kBlock, shortlist_.size() - start));
      for (uint32_t r = 0; r < count; ++r) items_[r] = shortlist_[start + r].item;
      BARISTA_RETURN_IF_ERROR(logits_catalog(Span<uint32_t>(items_, count), logits_));
      for (uint32_t r = 0; r < count; ++r) top_.push(Scored{logits_[r], items_[r]});
    }
  }

  for (size_t start = 0; start < query.added_items.size(); start += kBlock) {
    const size_t count = std::min<size_t>(kBlock, query.added_items.size() - start);
    BARISTA_RETURN_IF_ERROR(logits_prepared(Span<PreparedItem>(query.added_items.data() + start, count), logits_));
    for (size_t r = 0; r < count; ++r) top_.push(Scored{logits_[r], static_cast<uint32_t>(n + start + r)});
  }
  const size_t extra_base = n + query.added_items.size();
  for (size_t start = 0; start < query.extra_items.size(); start += kBlock) {
    const size_t count = std::min<size_t>(kBlock, query.extra_items.size() - start);
    BARISTA_RETURN_IF_ERROR(
        logits_described(Span<const FeatureBag*>(query.extra_items.data() + start, count), logits_));
    for (size_t r = 0; r < count; ++r) {
      top_.push(Scored{logits_[r], static_cast<uint32_t>(extra_base + start + r)});
    }
  }
  top_.finish(out);
  return Status();
}

}  // namespace barista::internal
