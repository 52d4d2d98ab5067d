#include "features/encoder.h"

#include <algorithm>
#include <cmath>

#include "common/half.h"
#include "common/limits.h"
#include "hash/fingerprint.h"

namespace barista::internal {

float combiner_scale(fb::Combiner combiner, size_t n) {
  if (n == 0) return 0.0f;
  switch (combiner) {
    case fb::Combiner::Sum: return 1.0f;
    case fb::Combiner::Mean: return 1.0f / static_cast<float>(n);
    case fb::Combiner::Sqrtn: return 1.0f / std::sqrt(static_cast<float>(n));
  }
  return 1.0f;
}

Encoder::Encoder(const Model& model) : model_(model) {}

Status Encoder::input_values(const Example& example, uint32_t input, Span<uint64_t>* out) {
  const InputInfo& info = model_.inputs()[input];
  if (!info.is_item_side()) {
    *out = example.request ? example.request->values(input) : Span<uint64_t>();
    return Status();
  }
  if (example.item.bag != nullptr) {
    *out = example.item.bag->values(input);
    return Status();
  }
  const CatalogView& catalog = model_.catalog();
  const uint32_t item = example.item.catalog_index;
  if (input == model_.item_id_input()) {
    item_key_ = catalog.index.fingerprints[item];
    *out = Span<uint64_t>(&item_key_, 1);
    return Status();
  }
  if (!catalog.values(item, static_cast<uint32_t>(info.catalog_slot), out)) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "catalog values of item %u for input '%s' are out of range", item,
                      info.name);
  }
  return Status();
}

Status Encoder::column_values(const Example& example, const ColumnInfo& column, Span<uint64_t>* out) {
  BARISTA_RETURN_IF_ERROR(input_values(example, column.input, out));
  if (column.position > 0) {
    *out = out->size() < column.position ? Span<uint64_t>()
                                          : Span<uint64_t>(out->data() + out->size() - column.position, 1);
  }
  return Status();
}

float Encoder::input_number(const Example& example, uint32_t input) const {
  const InputInfo& info = model_.inputs()[input];
  if (!info.is_item_side()) {
    return example.request ? example.request->number(input) : info.default_value;
  }
  if (example.item.bag != nullptr) return example.item.bag->number(input);
  const CatalogView& catalog = model_.catalog();
  return catalog.numeric_values[size_t{example.item.catalog_index} * catalog.numeric_slots +
                                static_cast<uint32_t>(info.catalog_slot)];
}

namespace {

// Position in the vocabulary, else an OOV bucket, else -1 (no id: TensorFlow's
// default_value -1 without OOV buckets).
int64_t vocabulary_id(const ColumnInfo& column, uint64_t fp) {
  const int64_t position = column.vocabulary.find(fp);
  if (position >= 0) return position;
  if (column.buckets > 0) return static_cast<int64_t>(column.vocabulary.count + fp % column.buckets);
  return -1;
}

uint32_t bucketize(const ColumnInfo& column, float x) {
  // Number of boundaries <= x (NaN, which only a corrupt catalog can hold,
  // compares false and lands in the last bucket: still a valid id).
  return static_cast<uint32_t>(std::upper_bound(column.boundaries.begin(), column.boundaries.end(), x) -
                               column.boundaries.begin());
}
}  // namespace

Status Encoder::column_ids(const Example& example, uint32_t column_index, Vec<uint32_t>* ids) {
  const ColumnInfo& column = model_.columns()[column_index];
  switch (column.kind) {
    case fb::ColumnKind::Hashed: {
      Span<uint64_t> values;
      BARISTA_RETURN_IF_ERROR(column_values(example, column, &values));
      for (uint64_t fp : values) ids->push_back(static_cast<uint32_t>(fp % column.buckets));
      return Status();
    }
    case fb::ColumnKind::Vocabulary: {
      Span<uint64_t> values;
      BARISTA_RETURN_IF_ERROR(column_values(example, column, &values));
      for (uint64_t fp : values) {
        const int64_t id = vocabulary_id(column, fp);
        if (id >= 0) ids->push_back(static_cast<uint32_t>(id));
      }
      return Status();
    }
    case fb::ColumnKind::Bucketized:
      ids->push_back(bucketize(column, input_number(example, column.input)));
      return Status();
    case fb::ColumnKind::Crossed: {
      partials_.assign(1, column.hash_key);
      for (uint32_t component : column.crossed) {
        hashes_.clear();
        BARISTA_RETURN_IF_ERROR(cross_hashes(example, component, &hashes_));
        BARISTA_RETURN_IF_ERROR(extend_cross(column, hashes_, &partials_));
        if (partials_.empty()) break;
      }
      for (uint64_t h : partials_) ids->push_back(static_cast<uint32_t>(h % column.buckets));
      return Status();
    }
    case fb::ColumnKind::Numeric: break;
  }
  return make_error(BARISTA_STATUS_INTERNAL, "column '%s' is not categorical", column.name);
}

Status Encoder::cross_hashes(const Example& example, uint32_t column_index, Vec<uint64_t>* hashes) {
  const ColumnInfo& column = model_.columns()[column_index];
  if (column.kind == fb::ColumnKind::Hashed) {
    // TensorFlow crosses a hashed column's raw values.
    Span<uint64_t> values;
    BARISTA_RETURN_IF_ERROR(column_values(example, column, &values));
    hashes->insert(hashes->end(), values.begin(), values.end());
    return Status();
  }
  // Vocabulary and bucketized columns are crossed by their ids, as decimal
  // strings.
  ids_.clear();
  BARISTA_RETURN_IF_ERROR(column_ids(example, column_index, &ids_));
  for (uint32_t id : ids_) hashes->push_back(fingerprint64_of_int(id));
  return Status();
}

Status Encoder::extend_cross(const ColumnInfo& crossed, Span<uint64_t> hashes, Vec<uint64_t>* partials) {
  const uint64_t product = uint64_t{partials->size()} * hashes.size();
  if (product > limits::kMaxCrossProduct) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "crossed column '%s' would make %llu combinations (limit %u)",
                      crossed.name, static_cast<unsigned long long>(product), limits::kMaxCrossProduct);
  }
  next_partials_.clear();
  for (uint64_t p : *partials) {
    for (uint64_t h : hashes) next_partials_.push_back(fingerprint_cat64(p, h));
  }
  partials->swap(next_partials_);
  return Status();
}

Status Encoder::check_crosses(const FeatureBag& request, uint64_t* per_item) const {
  uint64_t total = 0;
  for (Span<WideTermInfo> terms : {model_.wide_request_terms(), model_.wide_item_terms(), model_.wide_mixed_terms()}) {
    for (const WideTermInfo& term : terms) {
      const ColumnInfo& column = model_.columns()[term.column];
      if (column.kind != fb::ColumnKind::Crossed) continue;
      uint64_t combinations = 1;
      for (uint32_t component : column.crossed) {
        const ColumnInfo& part = model_.columns()[component];
        uint64_t ids = part.max_ids;
        if (part.side == Side::Request && part.kind != fb::ColumnKind::Bucketized) {
          const size_t values = request.values(part.input).size();
          ids = part.position > 0 ? std::min<uint64_t>(values, 1) : values;
        }
        // Each factor is at most 4096 (max_values) and the product stops
        // at the limit: no overflow.
        combinations = std::min(combinations * ids, limits::kMaxCrossCombinations + 1);
      }
      total += combinations;
      if (total > limits::kMaxCrossCombinations) return too_many_cross_combinations(column);
    }
  }
  if (per_item != nullptr) *per_item = total;
  return Status();
}

Status too_many_cross_combinations(const ColumnInfo& column) {
  return make_error(BARISTA_STATUS_LIMIT_EXCEEDED,
                    "the crossed wide terms would make more than %llu combinations for one item (at '%s')",
                    static_cast<unsigned long long>(limits::kMaxCrossCombinations), column.name);
}

float Encoder::numeric_value(const Example& example, uint32_t column_index) const {
  const ColumnInfo& column = model_.columns()[column_index];
  return (input_number(example, column.input) - column.mean) * column.inv_stddev;
}

float Encoder::wide_term_from_ids(const WideTermInfo& term, Span<uint32_t> ids) const {
  const TensorView& weights = model_.wide_weights();
  float sum = 0.0f;
  for (uint32_t id : ids) {
    const size_t at = size_t{term.offset} + id;
    sum += weights.dtype == fb::DType::F16 ? half_to_float(weights.f16[at]) : weights.f32[at];
  }
  return sum * combiner_scale(term.combiner, ids.size());
}

Status Encoder::wide_sum(const Example& example, Span<WideTermInfo> terms, float* out) {
  const TensorView& weights = model_.wide_weights();
  const KernelTable& k = model_.kernels();
  float total = 0.0f;
  Vec<uint32_t>& ids = term_ids_;
  for (const WideTermInfo& term : terms) {
    const ColumnInfo& column = model_.columns()[term.column];
    if (!column.is_categorical()) {
      const float w =
          weights.dtype == fb::DType::F16 ? half_to_float(weights.f16[term.offset]) : weights.f32[term.offset];
      total += w * numeric_value(example, term.column);
      continue;
    }
    ids.clear();
    BARISTA_RETURN_IF_ERROR(column_ids(example, term.column, &ids));
    // Offsets turn column ids into positions in the weight vector (validated:
    // offset + cardinality <= rows).
    for (uint32_t& id : ids) id += term.offset;
    const float sum = weights.dtype == fb::DType::F16 ? k.gather_sum_f16(weights.f16, ids.data(), ids.size())
                                                      : k.gather_sum_f32(weights.f32, ids.data(), ids.size());
    total += sum * combiner_scale(term.combiner, ids.size());
  }
  *out = total;
  return Status();
}

Status Encoder::deep_side(const Example& example, Side side, float* x) {
  const bool item_side = side == Side::Item;
  const KernelTable& k = model_.kernels();
  const uint32_t base = item_side ? model_.deep_request_width() : 0;
  Vec<uint32_t>& ids = term_ids_;
  for (const DeepInputInfo& in : model_.deep_inputs()) {
    if (in.item_side != item_side) continue;
    float* slice = x + (in.offset - base);
    if (!in.has_embedding) {
      *slice = numeric_value(example, in.column);
      continue;
    }
    ids.clear();
    BARISTA_RETURN_IF_ERROR(column_ids(example, in.column, &ids));
    if (in.sequence >= 0) {
      sequence_.encode(model_.sequence_encoders()[static_cast<size_t>(in.sequence)], in.embedding, k,
                       Span<uint32_t>(ids.data(), ids.size()), slice);
      continue;
    }
    std::fill(slice, slice + in.width, 0.0f);
    const TensorView& table = in.embedding;
    switch (table.dtype) {
      case fb::DType::F32: k.pool_f32(table.f32, in.width, ids.data(), ids.size(), slice); break;
      case fb::DType::F16: k.pool_f16(table.f16, in.width, ids.data(), ids.size(), slice); break;
      case fb::DType::Int8Rowwise:
        k.pool_q8(table.q8, table.q8_scale_bias, in.width, ids.data(), ids.size(), slice);
        break;
    }
    const float scale = combiner_scale(in.combiner, ids.size());
    if (scale != 1.0f) {
      for (uint32_t c = 0; c < in.width; ++c) slice[c] *= scale;
    }
  }
  return Status();
}

}  // namespace barista::internal
