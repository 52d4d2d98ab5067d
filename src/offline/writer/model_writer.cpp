#include "writer/model_writer.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>

#include "common/limits.h"
#include "features/encoder.h"
#include "hash/hash_index.h"
#include "model/model.h"
#include "platform/file_io.h"
#include "writer/quantize.h"

namespace barista::internal {

bool parse_embedding_dtype(const std::string& name, fb::DType* out) {
  if (name == "f32")
    *out = fb::DType::F32;
  else if (name == "f16")
    *out = fb::DType::F16;
  else if (name == "int8")
    *out = fb::DType::Int8Rowwise;
  else
    return false;
  return true;
}

uint64_t ColumnSpec::cardinality() const {
  switch (kind) {
    case fb::ColumnKind::Hashed: return buckets;
    case fb::ColumnKind::Vocabulary: return vocabulary.size() + int_vocabulary.size() + buckets;
    case fb::ColumnKind::Bucketized: return boundaries.size() + 1;
    case fb::ColumnKind::Numeric: return 0;
    case fb::ColumnKind::Crossed: return buckets;
  }
  return 0;
}

namespace {

using Builder = flatbuffers::FlatBufferBuilder;

// Alignment of every array in the payload (and of the payload in the file).
constexpr size_t kPayloadAlignment = 64;

// Collects every array of the model into the payload blob.
class PayloadBuilder {
 public:
  template <class T>
  fb::Slice add(const T* data, size_t count) {
    const size_t offset = (bytes_.size() + kPayloadAlignment - 1) / kPayloadAlignment * kPayloadAlignment;
    bytes_.resize(offset + count * sizeof(T), 0);
    if (count > 0) std::memcpy(bytes_.data() + offset, data, count * sizeof(T));
    return fb::Slice(offset, count);
  }
  template <class T>
  fb::Slice add(const std::vector<T>& values) {
    return add(values.data(), values.size());
  }
  // Room for `count` elements, zeroed (filled in after the first pass).
  template <class T>
  fb::Slice reserve(size_t count) {
    const std::vector<T> zeros(count);
    return add(zeros);
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

Status check_finite(const std::vector<float>& values, const std::string& what) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: value %zu is not finite", what.c_str(), i);
    }
  }
  return Status();
}

// Keys with their fingerprints and hash index. Fingerprints must be distinct:
// lookups are by fingerprint.
Status build_keys(Builder& b, PayloadBuilder& payload, const std::vector<std::string>& strings,
                  const std::vector<int64_t>& ints, const std::string& what, flatbuffers::Offset<fb::Keys>* out) {
  if (!strings.empty() && !ints.empty()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: give string keys or integer keys, not both", what.c_str());
  }
  const bool integer = !ints.empty();
  const size_t n = integer ? ints.size() : strings.size();
  std::vector<uint64_t> fingerprints(n);
  for (size_t i = 0; i < n; ++i) {
    if (!integer && strings[i].size() > limits::kMaxStringBytes) {
      return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%s: key %zu is longer than %u bytes", what.c_str(), i,
                        limits::kMaxStringBytes);
    }
    fingerprints[i] = integer ? fingerprint64_of_int(ints[i]) : fingerprint64(strings[i]);
  }
  std::vector<uint64_t> sorted = fingerprints;
  std::sort(sorted.begin(), sorted.end());
  const auto duplicate = std::adjacent_find(sorted.begin(), sorted.end());
  if (duplicate != sorted.end()) {
    const size_t at =
        static_cast<size_t>(std::find(fingerprints.begin(), fingerprints.end(), *duplicate) - fingerprints.begin());
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: key '%s' appears twice", what.c_str(),
                      integer ? std::to_string(ints[at]).c_str() : strings[at].c_str());
  }
  const BuiltHashIndex index = build_hash_index(fingerprints);
  const fb::Slice fingerprint_slice = payload.add(fingerprints);
  const fb::Slice slot_slice = payload.add(index.slots);
  const auto index_offset = fb::CreateHashIndex(b, &fingerprint_slice, &slot_slice, index.max_probe);
  flatbuffers::Offset<fb::StringTable> string_table = 0;
  fb::Slice int_keys;
  if (integer) {
    int_keys = payload.add(ints);
  } else {
    std::vector<uint32_t> offsets(n + 1, 0);
    std::string bytes;
    for (size_t i = 0; i < n; ++i) {
      bytes += strings[i];
      if (bytes.size() > UINT32_MAX) {
        return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%s: keys exceed 4 GiB", what.c_str());
      }
      offsets[i + 1] = static_cast<uint32_t>(bytes.size());
    }
    const fb::Slice offset_slice = payload.add(offsets);
    const fb::Slice byte_slice = payload.add(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    string_table = fb::CreateStringTable(b, &offset_slice, &byte_slice);
  }
  *out = fb::CreateKeys(b, integer ? fb::KeyType::Int64 : fb::KeyType::String, string_table,
                        integer ? &int_keys : nullptr, index_offset);
  return Status();
}

flatbuffers::Offset<fb::Tensor> build_tensor(Builder& b, PayloadBuilder& payload, const std::vector<float>& values,
                                             uint64_t rows, uint32_t cols, fb::DType dtype) {
  switch (dtype) {
    case fb::DType::F16: {
      std::vector<uint16_t> half;
      quantize_f16(values.data(), values.size(), &half);
      const fb::Slice data = payload.add(half);
      return fb::CreateTensor(b, dtype, rows, cols, &data);
    }
    case fb::DType::Int8Rowwise: {
      std::vector<uint8_t> q;
      std::vector<float> scale_bias;
      quantize_rows_q8(values.data(), rows, cols, &q, &scale_bias);
      const fb::Slice data = payload.add(q);
      const fb::Slice scales = payload.add(scale_bias);
      return fb::CreateTensor(b, dtype, rows, cols, &data, &scales);
    }
    case fb::DType::F32: break;
  }
  const fb::Slice data = payload.add(values);
  return fb::CreateTensor(b, fb::DType::F32, rows, cols, &data);
}

flatbuffers::Offset<fb::Dense> build_dense(Builder& b, PayloadBuilder& payload, const float* weights, uint32_t in,
                                           uint32_t out, bool relu) {
  const auto tensor =
      build_tensor(b, payload, std::vector<float>(weights, weights + size_t{in} * out), in, out, fb::DType::F32);
  const fb::Slice bias = payload.add(weights + size_t{in} * out, out);
  return fb::CreateDense(b, tensor, &bias, relu ? fb::Activation::Relu : fb::Activation::None);
}

// Always F32: the encoder's weights are few (a few d x d matrices), and
// its positions are added to embedding rows before any rounding would help.
flatbuffers::Offset<fb::SequenceEncoder> build_sequence_encoder(Builder& b, PayloadBuilder& payload,
                                                                const SequenceEncoderSpec& s) {
  const SequenceLayout at(s);
  const float* p = s.params.data();
  const uint32_t d = s.dim;
  auto norm = [&](size_t offset) {
    const fb::Slice gain_bias = payload.add(p + offset, 2 * size_t{d});
    return fb::CreateNorm(b, &gain_bias);
  };
  std::vector<flatbuffers::Offset<fb::AttentionBlock>> blocks;
  for (size_t k = 0; k < s.blocks; ++k) {
    const auto norm1 = norm(at.norm1(k));
    const auto query = build_dense(b, payload, p + at.query(k), d, d, false);
    const auto key = build_dense(b, payload, p + at.key(k), d, d, false);
    const auto value = build_dense(b, payload, p + at.value(k), d, d, false);
    const auto norm2 = norm(at.norm2(k));
    const auto feed1 = build_dense(b, payload, p + at.feed1(k), d, d, true);
    const auto feed2 = build_dense(b, payload, p + at.feed2(k), d, d, false);
    blocks.push_back(fb::CreateAttentionBlock(b, norm1, query, key, value, norm2, feed1, feed2));
  }
  const auto positions =
      build_tensor(b, payload, std::vector<float>(p, p + size_t{s.length} * d), s.length, d, fb::DType::F32);
  const auto blocks_vector = b.CreateVector(blocks);
  const auto final_norm = norm(at.final_norm());
  return fb::CreateSequenceEncoder(b, s.length, positions, blocks_vector, final_norm);
}

Status check_spec(const ModelSpec& spec, const WriteOptions& options) {
  if (options.wide_dtype != fb::DType::F32 && options.wide_dtype != fb::DType::F16) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "wide weights are stored as F32 or F16");
  }
  for (size_t t = 0; t < spec.wide.size(); ++t) {
    const WideTermSpec& term = spec.wide[t];
    if (term.column >= spec.columns.size()) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "wide term %zu: column %u is out of range", t, term.column);
    }
    const ColumnSpec& column = spec.columns[term.column];
    const uint64_t want = column.kind == fb::ColumnKind::Numeric ? 1 : column.cardinality();
    if (term.weights.size() != want) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "wide term '%s': %zu weights for %llu ids",
                        column.name.c_str(), term.weights.size(), static_cast<unsigned long long>(want));
    }
    BARISTA_RETURN_IF_ERROR(check_finite(term.weights, "wide term '" + column.name + "'"));
  }
  for (size_t i = 0; i < spec.deep.size(); ++i) {
    const DeepInputSpec& in = spec.deep[i];
    if (in.column >= spec.columns.size()) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "deep input %zu: column %u is out of range", i, in.column);
    }
    const ColumnSpec& column = spec.columns[in.column];
    if (column.kind == fb::ColumnKind::Numeric) {
      if (!in.embedding.empty()) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "deep input '%s' is numeric and takes no embedding",
                          column.name.c_str());
      }
      continue;
    }
    if (in.dim == 0 || in.embedding.size() != column.cardinality() * in.dim) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "embedding of '%s': %zu values for %llu ids x dim %u",
                        column.name.c_str(), in.embedding.size(), static_cast<unsigned long long>(column.cardinality()),
                        in.dim);
    }
    BARISTA_RETURN_IF_ERROR(check_finite(in.embedding, "embedding of '" + column.name + "'"));
    const SequenceEncoderSpec& sequence = in.sequence;
    if (sequence.length > 0) {
      if (sequence.dim != in.dim || sequence.blocks == 0 ||
          sequence.params.size() != SequenceLayout(sequence).total()) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                          "sequence encoder of '%s': %zu parameters for length %u, dim %u (the embedding's %u), %u "
                          "blocks",
                          column.name.c_str(), sequence.params.size(), sequence.length, sequence.dim, in.dim,
                          sequence.blocks);
      }
      BARISTA_RETURN_IF_ERROR(check_finite(sequence.params, "sequence encoder of '" + column.name + "'"));
    }
  }
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    const DenseSpec& layer = spec.layers[l];
    if (layer.weights.size() != size_t{layer.in} * layer.out || layer.bias.size() != layer.out) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "layer %zu: %zu weights and %zu biases for %u x %u", l,
                        layer.weights.size(), layer.bias.size(), layer.in, layer.out);
    }
    BARISTA_RETURN_IF_ERROR(check_finite(layer.weights, "layer " + std::to_string(l) + " weights"));
    BARISTA_RETURN_IF_ERROR(check_finite(layer.bias, "layer " + std::to_string(l) + " bias"));
  }
  if (!std::isfinite(spec.wide_bias)) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "wide bias is not finite");
  const CatalogSpec& catalog = spec.catalog;
  if (!catalog.ids.empty() && !catalog.int_ids.empty()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "catalog: give string ids or integer ids, not both");
  }
  for (const auto& [input, values] : catalog.categorical) {
    if (values.size() != catalog.size()) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "catalog: input %u has values for %zu of %zu items", input,
                        values.size(), catalog.size());
    }
  }
  for (const auto& [input, values] : catalog.numeric) {
    if (values.size() != catalog.size()) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "catalog: input %u has values for %zu of %zu items", input,
                        values.size(), catalog.size());
    }
    BARISTA_RETURN_IF_ERROR(check_finite(values, "catalog numeric input " + std::to_string(input)));
  }
  return Status();
}

// Pass 1: the whole file, with the precomputed arrays zeroed. Tables first
// (they reference payload slices), the payload blob last; `precomputed`
// receives where the per-item arrays are.
struct PrecomputedSlices {
  fb::Slice item_wide;
  fb::Slice item_first_layer;
};

Status build(const ModelSpec& spec, const WriteOptions& options, Builder& b, PrecomputedSlices* precomputed) {
  PayloadBuilder payload;
  // Metadata.
  std::vector<flatbuffers::Offset<fb::Metric>> metrics;
  for (const auto& [name, value] : spec.metadata.metrics) {
    metrics.push_back(fb::CreateMetric(b, b.CreateString(name), value));
  }
  std::vector<flatbuffers::Offset<fb::Property>> properties;
  for (const auto& [key, value] : spec.metadata.properties) {
    properties.push_back(fb::CreateProperty(b, b.CreateString(key), b.CreateString(value)));
  }
  const int64_t created =
      spec.metadata.created_unix != 0 ? spec.metadata.created_unix : static_cast<int64_t>(std::time(nullptr));
  const auto metadata = fb::CreateMetadata(b, b.CreateString(spec.metadata.name), b.CreateString(spec.metadata.version),
                                           b.CreateString(spec.metadata.description), created,
                                           b.CreateString("barista " BARISTA_VERSION_STRING),
                                           b.CreateString(spec.metadata.training_config), b.CreateVector(metrics),
                                           b.CreateString(spec.metadata.data_fingerprint), b.CreateVector(properties));

  std::vector<flatbuffers::Offset<fb::Input>> inputs;
  for (const InputSpec& in : spec.inputs) {
    inputs.push_back(fb::CreateInput(b, b.CreateString(in.name), in.source, in.kind, in.multivalent,
                                     in.multivalent ? in.max_values : 1, in.default_value));
  }

  std::vector<flatbuffers::Offset<fb::Column>> columns;
  for (const ColumnSpec& c : spec.columns) {
    flatbuffers::Offset<fb::Keys> vocabulary = 0;
    if (c.kind == fb::ColumnKind::Vocabulary) {
      BARISTA_RETURN_IF_ERROR(
          build_keys(b, payload, c.vocabulary, c.int_vocabulary, "vocabulary of '" + c.name + "'", &vocabulary));
    }
    const auto boundaries = c.kind == fb::ColumnKind::Bucketized ? b.CreateVector(c.boundaries) : 0;
    const auto crossed = c.kind == fb::ColumnKind::Crossed ? b.CreateVector(c.crossed) : 0;
    columns.push_back(fb::CreateColumn(b, b.CreateString(c.name), c.kind, c.input, c.buckets, vocabulary, boundaries,
                                       c.mean, c.stddev, crossed, c.hash_key, c.position));
  }
  // The oldest format the model fits in: older libraries read it.
  const bool format3 =
      std::any_of(spec.deep.begin(), spec.deep.end(), [](const DeepInputSpec& d) { return d.sequence.length > 0; });
  const bool format2 = format3 || std::any_of(spec.columns.begin(), spec.columns.end(),
                                              [](const ColumnSpec& c) { return c.position > 0; });
  const uint16_t format_major = format3 ? 3 : format2 ? 2 : 1;
  const uint16_t format_minor = format3 ? BARISTA_FORMAT_MINOR : format2 ? 1 : 2;

  // Wide: one weight vector, terms at consecutive offsets.
  std::vector<float> wide_weights;
  std::vector<flatbuffers::Offset<fb::WideTerm>> terms;
  for (const WideTermSpec& term : spec.wide) {
    terms.push_back(fb::CreateWideTerm(b, term.column, wide_weights.size(), term.combiner, term.learnable));
    wide_weights.insert(wide_weights.end(), term.weights.begin(), term.weights.end());
  }
  const auto wide_tensor = build_tensor(b, payload, wide_weights, wide_weights.size(), 1, options.wide_dtype);
  const auto wide = fb::CreateWide(b, spec.wide_bias, wide_tensor, b.CreateVector(terms));

  std::vector<flatbuffers::Offset<fb::DeepInput>> deep_inputs;
  for (const DeepInputSpec& in : spec.deep) {
    flatbuffers::Offset<fb::Tensor> embedding = 0;
    if (!in.embedding.empty()) {
      embedding = build_tensor(b, payload, in.embedding, in.embedding.size() / in.dim, in.dim, options.embedding_dtype);
    }
    flatbuffers::Offset<fb::SequenceEncoder> sequence = 0;
    if (in.sequence.length > 0) sequence = build_sequence_encoder(b, payload, in.sequence);
    deep_inputs.push_back(fb::CreateDeepInput(b, in.column, in.combiner, embedding, sequence));
  }
  std::vector<flatbuffers::Offset<fb::Dense>> layers;
  for (const DenseSpec& layer : spec.layers) {
    const auto weights = build_tensor(b, payload, layer.weights, layer.in, layer.out, fb::DType::F32);
    const fb::Slice bias = payload.add(layer.bias);
    layers.push_back(fb::CreateDense(b, weights, &bias, layer.relu ? fb::Activation::Relu : fb::Activation::None));
  }
  const auto deep = fb::CreateDeep(b, b.CreateVector(deep_inputs), b.CreateVector(layers));

  // Catalog.
  const CatalogSpec& catalog = spec.catalog;
  const size_t n = catalog.size();
  flatbuffers::Offset<fb::Keys> keys;
  BARISTA_RETURN_IF_ERROR(build_keys(b, payload, catalog.ids, catalog.int_ids, "catalog", &keys));
  std::vector<uint32_t> categorical_inputs, numeric_inputs;
  for (const auto& entry : catalog.categorical) categorical_inputs.push_back(entry.first);
  for (const auto& entry : catalog.numeric) numeric_inputs.push_back(entry.first);
  std::vector<uint32_t> value_offsets(1, 0);
  std::vector<uint64_t> value_fingerprints;
  for (size_t item = 0; item < n; ++item) {
    for (const auto& entry : catalog.categorical) {
      for (const std::string& value : entry.second[item]) value_fingerprints.push_back(fingerprint64(value));
      value_offsets.push_back(static_cast<uint32_t>(value_fingerprints.size()));
    }
  }
  std::vector<float> numeric_values;
  for (size_t item = 0; item < n; ++item) {
    for (const auto& entry : catalog.numeric) numeric_values.push_back(entry.second[item]);
  }
  const uint32_t h1 = spec.layers.empty() ? 0 : spec.layers[0].out;
  const fb::Slice offsets_slice = payload.add(value_offsets);
  const fb::Slice values_slice = payload.add(value_fingerprints);
  const fb::Slice numeric_slice = payload.add(numeric_values);
  precomputed->item_wide = payload.reserve<float>(n);
  precomputed->item_first_layer = payload.reserve<float>(n * h1);
  const auto item_first_layer = fb::CreateTensor(b, fb::DType::F32, n, h1, &precomputed->item_first_layer);
  const auto catalog_offset =
      fb::CreateCatalog(b, keys, b.CreateVector(categorical_inputs), &offsets_slice, &values_slice,
                        b.CreateVector(numeric_inputs), &numeric_slice, &precomputed->item_wide, item_first_layer);

  const auto root_inputs = b.CreateVector(inputs);
  const auto root_columns = b.CreateVector(columns);
  // Aligns the payload's data to 64 bytes from the end of the buffer, and
  // the buffer's size to a multiple of 64, hence from its start too.
  // (ForceVectorAlignment would do the same but asserts alignment <= 32.)
  b.PreAlign(payload.bytes().size(), kPayloadAlignment);
  const auto payload_vector = b.CreateVector(payload.bytes());
  // Non-zero placeholders keep the checksum and size fields in the buffer,
  // so that they can be overwritten in place once the contents are final.
  const auto model =
      fb::CreateModel(b, format_major, format_minor, BARISTA_QUANTIZATION_VERSION, metadata, root_inputs, root_columns,
                      spec.user_id_input, spec.item_id_input, wide, deep, catalog_offset, payload_vector,
                      /*checksum=*/1, /*file_size=*/1);
  b.Finish(model, fb::ModelIdentifier());
  return Status();
}

// Pass 2: the per-item values of the fast path (src/README.md, 'The fast
// path'), computed with the runtime's own feature encoding over the (already
// quantized) tables, so the fast path and the plain forward pass see the
// same numbers.
Status precompute(std::vector<uint8_t>* buffer, const PrecomputedSlices& slices) {
  std::unique_ptr<Model> model;
  OpenOptions open;
  open.kernels = "reference";
  BARISTA_RETURN_IF_ERROR(Model::open_buffer(buffer->data(), buffer->size(), open, &model));
  const uint32_t n = model->catalog().count;
  const uint32_t request_width = model->deep_request_width();
  const uint32_t item_width = model->deep_width() - request_width;
  const LayerInfo& first = model->layers()[0];

  fb::Model* root = fb::GetMutableModel(buffer->data());
  uint8_t* payload = root->mutable_payload()->data();
  float* item_wide = reinterpret_cast<float*>(payload + slices.item_wide.offset());
  float* item_first_layer = reinterpret_cast<float*>(payload + slices.item_first_layer.offset());

  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMajor x_items(n, item_width);
  Encoder encoder(*model);
  std::vector<float> x(model->deep_width());
  for (uint32_t i = 0; i < n; ++i) {
    const Example example{nullptr, ItemRef::catalog(i)};
    BARISTA_RETURN_IF_ERROR(encoder.wide_sum(example, model->wide_item_terms(), &item_wide[i]));
    BARISTA_RETURN_IF_ERROR(encoder.deep_side(example, Side::Item, x.data()));
    std::copy(x.begin(), x.begin() + item_width, x_items.row(i).data());
  }
  // item_first_layer = x_items * W[request_width:, :]
  const Eigen::Map<const RowMajor> w_items(first.weights + size_t{request_width} * first.out, item_width, first.out);
  Eigen::Map<RowMajor> halves(item_first_layer, n, first.out);
  if (item_width == 0) {
    halves.setZero();
  } else {
    halves.noalias() = x_items * w_items;
  }
  uint64_t checksum = 0;
  if (!file_checksum(buffer->data(), buffer->size(), &checksum)) {
    return make_error(BARISTA_STATUS_INTERNAL, "the checksum field is missing");
  }
  root->mutate_checksum(checksum);
  return Status();
}

}  // namespace

Status write_model(const ModelSpec& spec, const WriteOptions& options, std::vector<uint8_t>* out) {
  BARISTA_RETURN_IF_ERROR(check_spec(spec, options));
  Builder builder(1 << 16);
  PrecomputedSlices precomputed;
  BARISTA_RETURN_IF_ERROR(build(spec, options, builder, &precomputed));
  if (builder.GetSize() > limits::kMaxModelBytes) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "the model would be %u bytes, more than a model may have",
                      builder.GetSize());
  }
  std::vector<uint8_t> buffer(builder.GetBufferPointer(), builder.GetBufferPointer() + builder.GetSize());
  builder.Clear();
  fb::GetMutableModel(buffer.data())->mutate_file_size(buffer.size());
  // Opening the pass-1 buffer runs every semantic check of the runtime on
  // the spec; its messages name the offending part.
  BARISTA_RETURN_IF_ERROR(precompute(&buffer, precomputed));
  *out = std::move(buffer);
  return Status();
}

Status write_model_file(const ModelSpec& spec, const WriteOptions& options, const std::string& path) {
  std::vector<uint8_t> buffer;
  BARISTA_RETURN_IF_ERROR(write_model(spec, options, &buffer));
  return replace_file_durably(path, buffer.data(), buffer.size());
}

}  // namespace barista::internal
