#include "model/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/half.h"
#include "common/limits.h"
#include "hash/fingerprint.h"
#include "kernels/dispatch.h"

namespace barista::internal {

static_assert(FLATBUFFERS_LITTLEENDIAN, "barista reads model arrays in place and needs a little-endian host");

namespace {

constexpr size_t kBufferAlignment = 8;
// ColumnInfo::max_ids of a cross saturates here: far beyond every limit it is
// compared with, and a factor of at most 4096 more cannot overflow.
constexpr uint64_t kSaturatedIds = uint64_t{1} << 32;

template <class T>
uint32_t size_of(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? 0 : v->size();
}

bool valid_combiner(fb::Combiner c) {
  return c == fb::Combiner::Sum || c == fb::Combiner::Mean || c == fb::Combiner::Sqrtn;
}

// Reads field `field` (a uint16 scalar) of the root table without trusting
// the buffer, so a file from another format version is reported as such even
// when its layout does not pass this version's verifier. Returns false when
// absent or unreadable.
bool peek_root_uint16(const uint8_t* data, size_t size, unsigned field, uint16_t* out) {
  auto read32 = [&](size_t at, uint32_t* v) {
    if (at > size || size - at < 4) return false;
    std::memcpy(v, data + at, 4);
    return true;
  };
  uint32_t root = 0;
  if (!read32(0, &root)) return false;
  uint32_t vtable_delta = 0;
  if (!read32(root, &vtable_delta)) return false;
  const int64_t vtable = static_cast<int64_t>(root) - static_cast<int32_t>(vtable_delta);
  if (vtable < 0 || static_cast<uint64_t>(vtable) + 4 > size) return false;
  uint16_t vtable_size = 0;
  std::memcpy(&vtable_size, data + vtable, 2);
  const size_t entry = 4 + 2 * field;
  if (entry + 2 > vtable_size || static_cast<uint64_t>(vtable) + entry + 2 > size) return false;
  uint16_t field_offset = 0;
  std::memcpy(&field_offset, data + vtable + entry, 2);
  if (field_offset == 0) return false;
  const uint64_t at = uint64_t{root} + field_offset;
  if (at + 2 > size) return false;
  std::memcpy(out, data + at, 2);
  return true;
}

// The payload blob: every array of the model, each referenced by a Slice
// that is range-checked here before anything reads it.
struct Payload {
  const uint8_t* base = nullptr;
  uint64_t size = 0;

  static constexpr uint64_t kAnyCount = ~uint64_t{0};

  // Views `slice` as `expected` elements of T (kAnyCount: any number). An
  // absent slice is an empty array.
  template <class T>
  Status view(const fb::Slice* slice, uint64_t expected, const std::string& what, const T** out,
              uint64_t* count = nullptr) const {
    const uint64_t n = slice ? slice->count() : 0;
    if (expected != kAnyCount && n != expected) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s has %llu elements; %llu expected", what.c_str(),
                        static_cast<unsigned long long>(n), static_cast<unsigned long long>(expected));
    }
    if (count != nullptr) *count = n;
    if (n == 0) {
      *out = nullptr;
      return Status();
    }
    const uint64_t offset = slice->offset();
    if (offset % alignof(T) != 0 || n > size / sizeof(T) || offset > size - n * sizeof(T)) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s (%llu elements at %llu) lies outside the %llu-byte payload",
                        what.c_str(), static_cast<unsigned long long>(n), static_cast<unsigned long long>(offset),
                        static_cast<unsigned long long>(size));
    }
    *out = reinterpret_cast<const T*>(base + offset);
    return Status();
  }
};

// Views a Tensor after checking that its dtype and arrays agree with its shape.
Status view_tensor(const Payload& payload, const fb::Tensor* t, const std::string& what, TensorView* out) {
  if (t == nullptr) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: tensor missing", what.c_str());
  TensorView v;
  v.dtype = t->dtype();
  v.rows = t->rows();
  v.cols = t->cols();
  if (v.cols == 0 || v.rows > limits::kMaxModelBytes || v.rows * v.cols > limits::kMaxModelBytes) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: bad shape %llu x %u", what.c_str(),
                      static_cast<unsigned long long>(v.rows), v.cols);
  }
  const uint64_t elements = v.rows * v.cols;
  switch (v.dtype) {
    case fb::DType::F32: BARISTA_RETURN_IF_ERROR(payload.view(t->data(), elements, what, &v.f32)); break;
    case fb::DType::F16: BARISTA_RETURN_IF_ERROR(payload.view(t->data(), elements, what, &v.f16)); break;
    case fb::DType::Int8Rowwise:
      BARISTA_RETURN_IF_ERROR(payload.view(t->data(), elements, what, &v.q8));
      BARISTA_RETURN_IF_ERROR(payload.view(t->scale_bias(), 2 * v.rows, what + " scale_bias", &v.q8_scale_bias));
      break;
    default:
      return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION, "%s: unknown dtype %d (written by a newer barista?)",
                        what.c_str(), static_cast<int>(v.dtype));
  }
  *out = v;
  return Status();
}

Status view_hash_index(const Payload& payload, const fb::HashIndex* index, const std::string& what,
                       HashIndexView* out) {
  uint64_t count = 0, slots = 0;
  BARISTA_RETURN_IF_ERROR(
      payload.view(index->fingerprints(), Payload::kAnyCount, what + " fingerprints", &out->fingerprints, &count));
  BARISTA_RETURN_IF_ERROR(payload.view(index->slots(), Payload::kAnyCount, what + " index", &out->slots, &slots));
  if (slots == 0 || slots > UINT32_MAX || (slots & (slots - 1)) != 0 || slots <= count || index->max_probe() > slots) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: index has %llu slots (max probe %u) for %llu keys",
                      what.c_str(), static_cast<unsigned long long>(slots), index->max_probe(),
                      static_cast<unsigned long long>(count));
  }
  out->count = static_cast<uint32_t>(count);
  out->mask = static_cast<uint32_t>(slots - 1);
  out->max_probe = index->max_probe();
  return Status();
}

Status view_string_table(const Payload& payload, const fb::StringTable* table, uint32_t count, const std::string& what,
                         StringTableView* out) {
  if (table == nullptr) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: strings missing", what.c_str());
  BARISTA_RETURN_IF_ERROR(payload.view(table->offsets(), uint64_t{count} + 1, what + " string offsets", &out->offsets));
  uint64_t bytes = 0;
  BARISTA_RETURN_IF_ERROR(payload.view(table->bytes(), Payload::kAnyCount, what + " strings", &out->bytes, &bytes));
  if (bytes > UINT32_MAX) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: strings exceed 4 GiB", what.c_str());
  out->count = count;
  out->byte_count = static_cast<uint32_t>(bytes);
  return Status();
}

// Keys: count, string or integer storage, and the index.
Status view_keys(const Payload& payload, const fb::Keys* keys, const std::string& what, uint32_t max_count,
                 uint32_t* count, StringTableView* strings, const int64_t** ints, HashIndexView* index) {
  BARISTA_RETURN_IF_ERROR(view_hash_index(payload, keys->index(), what, index));
  const uint32_t n = index->count;
  if (n > max_count) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%s: %u keys, more than the limit of %u", what.c_str(), n,
                      max_count);
  }
  switch (keys->type()) {
    case fb::KeyType::String:
      BARISTA_RETURN_IF_ERROR(view_string_table(payload, keys->strings(), n, what, strings));
      break;
    case fb::KeyType::Int64:
      BARISTA_RETURN_IF_ERROR(payload.view(keys->ints(), n, what + " integer keys", ints));
      break;
    default:
      return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION, "%s: unknown key type %d", what.c_str(),
                        static_cast<int>(keys->type()));
  }
  *count = n;
  return Status();
}

bool format_supported(uint32_t major) { return major >= BARISTA_FORMAT_MAJOR_OLDEST && major <= BARISTA_FORMAT_MAJOR; }

bool all_finite(const float* v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// Views

float TensorView::at(uint64_t r, uint32_t c) const {
  const uint64_t i = r * cols + c;
  switch (dtype) {
    case fb::DType::F32: return f32[i];
    case fb::DType::F16: return half_to_float(f16[i]);
    case fb::DType::Int8Rowwise: return q8_scale_bias[2 * r] * static_cast<float>(q8[i]) + q8_scale_bias[2 * r + 1];
  }
  return 0.0f;
}

uint64_t TensorView::bytes() const {
  const uint64_t n = rows * cols;
  switch (dtype) {
    case fb::DType::F32: return n * 4;
    case fb::DType::F16: return n * 2;
    case fb::DType::Int8Rowwise: return n + rows * 8;
  }
  return 0;
}

bool StringTableView::get(uint32_t i, std::string_view* out) const {
  if (i >= count) return false;
  const uint32_t begin = offsets[i];
  const uint32_t end = offsets[i + 1];
  if (begin > end || end > byte_count) return false;
  *out = std::string_view(reinterpret_cast<const char*>(bytes) + begin, end - begin);
  return true;
}

bool CatalogView::values(uint32_t item, uint32_t slot, Span<uint64_t>* out) const {
  const uint64_t at = uint64_t{item} * categorical_slots + slot;
  const uint32_t begin = value_offsets[at];
  const uint32_t end = value_offsets[at + 1];
  if (begin > end || end > value_count) return false;
  *out = Span<uint64_t>(value_fingerprints + begin, end - begin);
  return true;
}

// ---------------------------------------------------------------------------
// Opening

Model::~Model() {
  if (owned_copy_ != nullptr) deallocate(owned_copy_);
}

Status Model::open_file(const char* path, const OpenOptions& options, std::unique_ptr<Model>* out) {
  if (path == nullptr) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "path is NULL");
  std::unique_ptr<Model> model(new Model());
  BARISTA_RETURN_IF_ERROR(options.copy ? FileMap::read(path, limits::kMaxModelBytes, &model->map_)
                                        : FileMap::open(path, limits::kMaxModelBytes, &model->map_));
  model->data_ = model->map_.data();
  model->size_ = model->map_.size();
  return open_owned(std::move(model), options, out);
}

Status Model::open_buffer(const void* data, size_t size, const OpenOptions& options, std::unique_ptr<Model>* out) {
  if (data == nullptr) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "buffer is NULL");
  if (size > limits::kMaxModelBytes) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "buffer of %zu bytes is larger than a model can be", size);
  }
  std::unique_ptr<Model> model(new Model());
  if (reinterpret_cast<uintptr_t>(data) % kBufferAlignment == 0) {
    model->data_ = static_cast<const uint8_t*>(data);
  } else {
    // FlatBuffers reads scalars in place and needs them aligned.
    model->owned_copy_ = allocate_aligned(size == 0 ? 1 : size, kBufferAlignment);
    if (model->owned_copy_ == nullptr) {
      return make_error(BARISTA_STATUS_OUT_OF_MEMORY, "cannot copy an unaligned buffer of %zu bytes", size);
    }
    std::memcpy(model->owned_copy_, data, size);
    model->data_ = static_cast<const uint8_t*>(model->owned_copy_);
  }
  model->size_ = size;
  return open_owned(std::move(model), options, out);
}

Status Model::open_owned(std::unique_ptr<Model> model, const OpenOptions& options, std::unique_ptr<Model>* out) {
  const uint8_t* data = model->data_;
  const size_t size = model->size_;
  if (size < 8) return make_error(BARISTA_STATUS_NOT_A_MODEL, "%zu bytes are too few for a model file", size);
  if (!flatbuffers::BufferHasIdentifier(data, fb::ModelIdentifier())) {
    return make_error(BARISTA_STATUS_NOT_A_MODEL, "not a barista model: file identifier is not \"%s\"",
                      fb::ModelIdentifier());
  }
  uint16_t major = 0;
  if (peek_root_uint16(data, size, 0, &major) && !format_supported(major)) {
    return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION,
                      "model file format %u is not supported (this library reads formats %d to %d)", major,
                      BARISTA_FORMAT_MAJOR_OLDEST, BARISTA_FORMAT_MAJOR);
  }
  flatbuffers::Verifier::Options verifier_options;
  verifier_options.max_depth = 16;
  verifier_options.max_tables = 1u << 16;  // well above the most tables the limits allow
  flatbuffers::Verifier verifier(data, size, verifier_options);
  if (!fb::VerifyModelBuffer(verifier)) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                      "model file structure is invalid (FlatBuffers verification failed)");
  }
  model->root_ = fb::GetModel(data);
  const fb::Model& root = *model->root_;
  model->payload_ = root.payload()->data();
  model->payload_size_ = root.payload()->size();
  if (reinterpret_cast<uintptr_t>(model->payload_) % kBufferAlignment != 0) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "the payload is not aligned to %zu bytes", kBufferAlignment);
  }
  if (!format_supported(root.format_major())) {
    return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION,
                      "model file format %u is not supported (this library reads formats %d to %d)",
                      root.format_major(), BARISTA_FORMAT_MAJOR_OLDEST, BARISTA_FORMAT_MAJOR);
  }
  // The verifier reads only what the tables reach: a file cut in its last
  // padding bytes, or with bytes after the buffer, passes it.
  if (root.file_size() != 0 && root.file_size() != size) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "the file is %zu bytes, but the model was written as %llu (%s)",
                      size, static_cast<unsigned long long>(root.file_size()),
                      size < root.file_size() ? "cut short" : "bytes after it");
  }
  if (root.quantization_version() != BARISTA_QUANTIZATION_VERSION) {
    return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION,
                      "quantization layout version %u is not supported (this library reads version %d)",
                      root.quantization_version(), BARISTA_QUANTIZATION_VERSION);
  }
  BARISTA_RETURN_IF_ERROR(select_kernels(options.kernels, &model->kernels_));
  BARISTA_RETURN_IF_ERROR(model->validate());
  if (options.verify_full) BARISTA_RETURN_IF_ERROR(model->verify_full());
  *out = std::move(model);
  return Status();
}

// ---------------------------------------------------------------------------
// Semantic checks

Status Model::validate() {
  BARISTA_RETURN_IF_ERROR(validate_inputs());
  BARISTA_RETURN_IF_ERROR(validate_columns());
  BARISTA_RETURN_IF_ERROR(validate_wide());
  BARISTA_RETURN_IF_ERROR(validate_deep());
  BARISTA_RETURN_IF_ERROR(validate_catalog());
  return Status();
}

Status Model::validate_inputs() {
  const auto* inputs = root_->inputs();
  if (inputs->size() > limits::kMaxInputs) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%u inputs, more than the limit of %u", inputs->size(),
                      limits::kMaxInputs);
  }
  inputs_.resize(inputs->size());
  input_lookup_.resize(inputs->size());
  for (uint32_t i = 0; i < inputs->size(); ++i) {
    const fb::Input* in = inputs->Get(i);
    InputInfo& info = inputs_[i];
    info.name = in->name()->c_str();
    info.source = in->source();
    info.kind = in->kind();
    info.multivalent = in->multivalent();
    info.max_values = info.multivalent ? in->max_values() : 1;
    info.default_value = in->default_value();
    if (info.source > fb::Source::Item || info.kind > fb::ValueKind::Numeric) {
      return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION, "input '%s': unknown source or kind", info.name);
    }
    if (info.max_values == 0 || info.max_values > limits::kMaxValuesPerInput) {
      return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "input '%s': max_values %u is outside 1..%u", info.name,
                        info.max_values, limits::kMaxValuesPerInput);
    }
    if (info.kind == fb::ValueKind::Numeric && (info.multivalent || !std::isfinite(info.default_value))) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                        "input '%s': numeric inputs are single-valued with a finite default", info.name);
    }
    input_lookup_[i] = {fingerprint64(in->name()->string_view()), i};
  }
  std::sort(input_lookup_.begin(), input_lookup_.end());
  for (size_t i = 1; i < input_lookup_.size(); ++i) {
    if (input_lookup_[i].first == input_lookup_[i - 1].first) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "input name '%s' appears twice",
                        inputs_[input_lookup_[i].second].name);
    }
  }
  user_id_input_ = root_->user_id_input();
  if (user_id_input_ != -1) {
    if (user_id_input_ < 0 || static_cast<uint32_t>(user_id_input_) >= inputs_.size()) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "user id input %d is out of range", user_id_input_);
    }
    const InputInfo& user = inputs_[static_cast<uint32_t>(user_id_input_)];
    if (user.source != fb::Source::User || user.kind != fb::ValueKind::Categorical || user.multivalent) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "user id input '%s' must be a single categorical user input",
                        user.name);
    }
  }
  item_id_input_ = root_->item_id_input();
  if (item_id_input_ >= inputs_.size()) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "item id input %u is out of range", item_id_input_);
  }
  const InputInfo& item = inputs_[item_id_input_];
  if (item.source != fb::Source::Item || item.kind != fb::ValueKind::Categorical || item.multivalent) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "item id input '%s' must be a single categorical item input",
                      item.name);
  }
  return Status();
}

int32_t Model::find_input(std::string_view name) const {
  const uint64_t fp = fingerprint64(name);
  auto it = std::lower_bound(input_lookup_.begin(), input_lookup_.end(), std::make_pair(fp, uint32_t{0}));
  if (it == input_lookup_.end() || it->first != fp) return -1;
  // Fingerprints can collide in principle; confirm the name.
  if (name != inputs_[it->second].name) return -1;
  return static_cast<int32_t>(it->second);
}

Status Model::validate_columns() {
  const auto* columns = root_->columns();
  if (columns->size() > limits::kMaxColumns) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%u columns, more than the limit of %u", columns->size(),
                      limits::kMaxColumns);
  }
  columns_.resize(columns->size());
  auto input_of = [&](const ColumnInfo& info, fb::ValueKind kind) -> Status {
    if (info.input >= inputs_.size()) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "column '%s': input %u is out of range", info.name, info.input);
    }
    if (inputs_[info.input].kind != kind) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "column '%s': input '%s' has the wrong kind", info.name,
                        inputs_[info.input].name);
    }
    return Status();
  };
  auto check_buckets = [&](const ColumnInfo& info, uint64_t buckets, bool allow_zero) -> Status {
    if ((buckets == 0 && !allow_zero) || buckets > limits::kMaxCardinality) {
      return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "column '%s': %llu buckets is outside %d..%llu", info.name,
                        static_cast<unsigned long long>(buckets), allow_zero ? 0 : 1,
                        static_cast<unsigned long long>(limits::kMaxCardinality));
    }
    return Status();
  };
  // First pass: everything but crosses (which refer to other columns).
  for (uint32_t c = 0; c < columns->size(); ++c) {
    const fb::Column* col = columns->Get(c);
    ColumnInfo& info = columns_[c];
    info.name = col->name()->c_str();
    info.kind = col->kind();
    info.input = col->input();
    info.buckets = col->buckets();
    switch (info.kind) {
      case fb::ColumnKind::Hashed:
        BARISTA_RETURN_IF_ERROR(input_of(info, fb::ValueKind::Categorical));
        BARISTA_RETURN_IF_ERROR(check_buckets(info, info.buckets, false));
        info.cardinality = info.buckets;
        break;
      case fb::ColumnKind::Vocabulary: {
        BARISTA_RETURN_IF_ERROR(input_of(info, fb::ValueKind::Categorical));
        BARISTA_RETURN_IF_ERROR(check_buckets(info, info.buckets, true));
        if (col->vocabulary() == nullptr) {
          return make_error(BARISTA_STATUS_CORRUPT_MODEL, "column '%s': vocabulary missing", info.name);
        }
        uint32_t count = 0;
        StringTableView strings;
        const int64_t* ints = nullptr;
        BARISTA_RETURN_IF_ERROR(view_keys(
            Payload{payload_, payload_size_}, col->vocabulary(), std::string("column '") + info.name + "' vocabulary",
            static_cast<uint32_t>(limits::kMaxCardinality), &count, &strings, &ints, &info.vocabulary));
        info.vocabulary_strings = strings;
        info.vocabulary_ints = ints;
        info.cardinality = uint64_t{count} + info.buckets;
        BARISTA_RETURN_IF_ERROR(check_buckets(info, info.cardinality, false));
        break;
      }
      case fb::ColumnKind::Bucketized: {
        BARISTA_RETURN_IF_ERROR(input_of(info, fb::ValueKind::Numeric));
        const uint32_t n = size_of(col->boundaries());
        if (n == 0 || n > limits::kMaxBoundaries) {
          return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "column '%s': %u boundaries is outside 1..%u", info.name, n,
                            limits::kMaxBoundaries);
        }
        info.boundaries = Span<float>(col->boundaries()->data(), n);
        for (uint32_t i = 0; i < n; ++i) {
          if (!std::isfinite(info.boundaries[i]) || (i > 0 && !(info.boundaries[i - 1] < info.boundaries[i]))) {
            return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                              "column '%s': boundaries must be finite and strictly increasing", info.name);
          }
        }
        info.cardinality = uint64_t{n} + 1;
        break;
      }
      case fb::ColumnKind::Numeric:
        BARISTA_RETURN_IF_ERROR(input_of(info, fb::ValueKind::Numeric));
        if (!std::isfinite(col->mean()) || !std::isfinite(col->stddev()) || !(col->stddev() > 0.0f)) {
          return make_error(BARISTA_STATUS_CORRUPT_MODEL, "column '%s': mean and stddev must be finite, stddev > 0",
                            info.name);
        }
        info.mean = col->mean();
        info.inv_stddev = 1.0f / col->stddev();
        // Degenerate but finite (stddev 1e-45, or mean -3e38 with stddev
        // 1e-30): every value would standardize to infinity and every
        // score be NaN. Inputs whose own value overflows are refused when
        // set (FeatureBag::set_number).
        if (!std::isfinite(info.inv_stddev) || !std::isfinite(info.mean * info.inv_stddev)) {
          return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                            "column '%s': mean %g and stddev %g standardize beyond float's range", info.name,
                            static_cast<double>(info.mean), static_cast<double>(col->stddev()));
        }
        info.cardinality = 0;
        break;
      case fb::ColumnKind::Crossed:
        BARISTA_RETURN_IF_ERROR(check_buckets(info, info.buckets, false));
        info.cardinality = info.buckets;
        info.hash_key = col->hash_key();
        break;
      default:
        return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION,
                          "column '%s': unknown kind %d (written by a newer barista?)", info.name,
                          static_cast<int>(info.kind));
    }
    if (info.kind != fb::ColumnKind::Crossed) {
      info.side = inputs_[info.input].is_item_side() ? Side::Item : Side::Request;
    }
    info.position = col->position();
    if ((info.kind == fb::ColumnKind::Hashed || info.kind == fb::ColumnKind::Vocabulary) && info.position == 0) {
      info.max_ids = inputs_[info.input].max_values;
    }
    if (info.position > 0) {
      if (root_->format_major() < 2) {
        return make_error(BARISTA_STATUS_CORRUPT_MODEL, "column '%s': a position needs format 2 (the file says %u)",
                          info.name, root_->format_major());
      }
      if ((info.kind != fb::ColumnKind::Hashed && info.kind != fb::ColumnKind::Vocabulary) ||
          info.position > inputs_[info.input].max_values) {
        return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                          "column '%s': position %u needs a hashed or vocabulary column over an input of at least "
                          "as many values",
                          info.name, info.position);
      }
    }
  }
  // Second pass: crosses of plain categorical columns.
  for (uint32_t c = 0; c < columns->size(); ++c) {
    ColumnInfo& info = columns_[c];
    if (info.kind != fb::ColumnKind::Crossed) continue;
    const auto* crossed = columns->Get(c)->crossed();
    const uint32_t n = size_of(crossed);
    if (n < 2 || n > limits::kMaxCrossedComponents) {
      return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "crossed column '%s': %u components is outside 2..%u", info.name,
                        n, limits::kMaxCrossedComponents);
    }
    info.crossed = Span<uint32_t>(crossed->data(), n);
    bool request = false, item = false;
    for (uint32_t component : info.crossed) {
      if (component >= columns_.size()) {
        return make_error(BARISTA_STATUS_CORRUPT_MODEL, "crossed column '%s': component %u is out of range", info.name,
                          component);
      }
      const ColumnInfo& part = columns_[component];
      if (part.kind != fb::ColumnKind::Hashed && part.kind != fb::ColumnKind::Vocabulary &&
          part.kind != fb::ColumnKind::Bucketized) {
        return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                          "crossed column '%s': component '%s' must be hashed, vocabulary or bucketized", info.name,
                          part.name);
      }
      (part.side == Side::Item ? item : request) = true;
      info.max_ids = std::min(info.max_ids * part.max_ids, kSaturatedIds);
    }
    info.side = request && item ? Side::Mixed : (item ? Side::Item : Side::Request);
  }
  return Status();
}

Status Model::validate_wide() {
  const fb::Wide* wide = root_->wide();
  wide_bias_ = wide->bias();
  if (!std::isfinite(wide_bias_)) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "wide bias is not finite");
  const uint32_t term_count = size_of(wide->terms());
  if (term_count > limits::kMaxColumns) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%u wide terms, more than the limit of %u", term_count,
                      limits::kMaxColumns);
  }
  if (term_count == 0 && wide->weights() == nullptr) return Status();
  BARISTA_RETURN_IF_ERROR(
      view_tensor(Payload{payload_, payload_size_}, wide->weights(), "wide weights", &wide_weights_));
  if (wide_weights_.cols != 1 || (wide_weights_.dtype != fb::DType::F32 && wide_weights_.dtype != fb::DType::F16)) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "wide weights must be one F32 or F16 column");
  }
  bool any_learnable = false;
  // Each term's weights, to refuse two terms on one column or on shared
  // weights: the writer never makes them, and a file that repeats one
  // expensive cross thousands of times would multiply the work of every
  // request (crosses are also capped per request, Encoder::check_crosses).
  Vec<uint32_t> term_of_column(columns_.size(), UINT32_MAX);
  Vec<std::pair<uint64_t, uint64_t>> ranges;  // [offset, end) of each term's weights
  ranges.reserve(term_count);
  for (uint32_t t = 0; t < term_count; ++t) {
    const fb::WideTerm* term = wide->terms()->Get(t);
    if (term->column() >= columns_.size()) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "wide term %u: column %u is out of range", t, term->column());
    }
    const ColumnInfo& column = columns_[term->column()];
    if (!valid_combiner(term->combiner())) {
      return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION, "wide term '%s': unknown combiner", column.name);
    }
    const uint64_t span = column.is_categorical() ? column.cardinality : 1;
    if (term->offset() > wide_weights_.rows || span > wide_weights_.rows - term->offset()) {
      return make_error(
          BARISTA_STATUS_CORRUPT_MODEL, "wide term '%s': weights [%llu, %llu) are outside the %llu wide weights",
          column.name, static_cast<unsigned long long>(term->offset()),
          static_cast<unsigned long long>(term->offset() + span), static_cast<unsigned long long>(wide_weights_.rows));
    }
    if (term_of_column[term->column()] != UINT32_MAX) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "wide terms %u and %u both read column '%s'",
                        term_of_column[term->column()], t, column.name);
    }
    term_of_column[term->column()] = t;
    ranges.emplace_back(term->offset(), term->offset() + span);
    const WideTermInfo info{term->column(), static_cast<uint32_t>(term->offset()), term->combiner(), term->learnable()};
    any_learnable = any_learnable || info.learnable;
    switch (column.side) {
      case Side::Request: wide_request_terms_.push_back(info); break;
      case Side::Item: wide_item_terms_.push_back(info); break;
      case Side::Mixed: wide_mixed_terms_.push_back(info); break;
    }
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "two wide terms share the wide weights [%llu, %llu)",
                        static_cast<unsigned long long>(ranges[i].first),
                        static_cast<unsigned long long>(std::min(ranges[i].second, ranges[i - 1].second)));
    }
  }
  if (!any_learnable) {
    // A model that does not say (format 1.0, hand-built): as the trainer's
    // default, the terms that read the user id or a multi-valent user input
    // (the history), and the item id's own term (a per-customer memory of
    // items).
    for (Vec<WideTermInfo>* terms : {&wide_request_terms_, &wide_item_terms_, &wide_mixed_terms_}) {
      for (WideTermInfo& term : *terms) {
        const ColumnInfo& column = columns_[term.column];
        term.learnable =
            reads_user_state(term.column) || (column.kind != fb::ColumnKind::Crossed && column.input == item_id_input_);
      }
    }
  }
  return Status();
}

bool Model::reads_user_state(uint32_t column_index) const {
  const ColumnInfo& column = columns_[column_index];
  if (column.kind == fb::ColumnKind::Crossed) {
    for (uint32_t component : column.crossed) {
      if (reads_user_state(component)) return true;
    }
    return false;
  }
  const InputInfo& input = inputs_[column.input];
  return static_cast<int32_t>(column.input) == user_id_input_ ||
         (input.source == fb::Source::User && input.multivalent);
}

Status Model::validate_deep() {
  const fb::Deep* deep = root_->deep();
  const uint32_t input_count = size_of(deep->inputs());
  if (input_count > limits::kMaxColumns) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%u deep inputs, more than the limit of %u", input_count,
                      limits::kMaxColumns);
  }
  uint64_t offset = 0;
  bool seen_item = false;
  deep_inputs_.resize(input_count);
  for (uint32_t i = 0; i < input_count; ++i) {
    const fb::DeepInput* in = deep->inputs()->Get(i);
    DeepInputInfo& info = deep_inputs_[i];
    if (in->column() >= columns_.size()) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "deep input %u: column %u is out of range", i, in->column());
    }
    const ColumnInfo& column = columns_[in->column()];
    info.column = in->column();
    info.combiner = in->combiner();
    if (!valid_combiner(info.combiner)) {
      return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION, "deep input '%s': unknown combiner", column.name);
    }
    if (column.side == Side::Mixed) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                        "deep input '%s' mixes request and item features; the first layer could not be split",
                        column.name);
    }
    info.item_side = column.side == Side::Item;
    if (info.item_side) {
      seen_item = true;
    } else if (seen_item) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                        "deep input '%s' (request side) comes after item inputs; request inputs must come first",
                        column.name);
    }
    if (column.is_categorical()) {
      BARISTA_RETURN_IF_ERROR(view_tensor(Payload{payload_, payload_size_}, in->embedding(),
                                          std::string("embedding of '") + column.name + "'", &info.embedding));
      if (info.embedding.rows != column.cardinality || info.embedding.cols > limits::kMaxEmbeddingDim) {
        return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                          "embedding of '%s' is %llu x %u; the column has %llu ids (dimension at most %u)", column.name,
                          static_cast<unsigned long long>(info.embedding.rows), info.embedding.cols,
                          static_cast<unsigned long long>(column.cardinality), limits::kMaxEmbeddingDim);
      }
      info.has_embedding = true;
      info.width = info.embedding.cols;
      if (in->sequence() != nullptr) {
        if (root_->format_major() < 3) {
          return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                            "deep input '%s' has a sequence encoder, which format %u files cannot have (format 3 on)",
                            column.name, root_->format_major());
        }
        if (info.item_side) {
          return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                            "deep input '%s': a sequence encoder reads request-side values only", column.name);
        }
        info.sequence = static_cast<int32_t>(sequence_encoders_.size());
        sequence_encoders_.emplace_back();
        BARISTA_RETURN_IF_ERROR(validate_sequence(*in->sequence(), info, &sequence_encoders_.back()));
      }
    } else {
      if (in->embedding() != nullptr) {
        return make_error(BARISTA_STATUS_CORRUPT_MODEL, "numeric deep input '%s' has an embedding", column.name);
      }
      info.width = 1;
    }
    info.offset = static_cast<uint32_t>(offset);
    offset += info.width;
    if (offset > limits::kMaxDeepWidth) {
      return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "deep input is wider than the limit of %u",
                        limits::kMaxDeepWidth);
    }
    if (!info.item_side) deep_request_width_ = static_cast<uint32_t>(offset);
  }
  deep_width_ = static_cast<uint32_t>(offset);
  if (deep_width_ == 0) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "the deep part has no inputs");

  const uint32_t layer_count = size_of(deep->layers());
  if (layer_count == 0 || layer_count > limits::kMaxLayers) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%u layers is outside 1..%u", layer_count, limits::kMaxLayers);
  }
  layers_.resize(layer_count);
  uint32_t width = deep_width_;
  max_layer_width_ = 0;
  for (uint32_t l = 0; l < layer_count; ++l) {
    const fb::Dense* dense = deep->layers()->Get(l);
    LayerInfo& info = layers_[l];
    TensorView weights;
    const std::string what = "layer " + std::to_string(l) + " weights";
    BARISTA_RETURN_IF_ERROR(view_tensor(Payload{payload_, payload_size_}, dense->weights(), what, &weights));
    if (weights.dtype != fb::DType::F32) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s must be F32", what.c_str());
    }
    if (weights.rows != width || weights.cols > limits::kMaxLayerWidth) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s are %llu x %u; expected %u inputs (at most %u outputs)",
                        what.c_str(), static_cast<unsigned long long>(weights.rows), weights.cols, width,
                        limits::kMaxLayerWidth);
    }
    const Payload payload{payload_, payload_size_};
    BARISTA_RETURN_IF_ERROR(
        payload.view(dense->bias(), weights.cols, "layer " + std::to_string(l) + " bias", &info.bias));
    if (dense->activation() != fb::Activation::None && dense->activation() != fb::Activation::Relu) {
      return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION, "layer %u: unknown activation", l);
    }
    info.weights = weights.f32;
    info.in = width;
    info.out = weights.cols;
    info.relu = dense->activation() == fb::Activation::Relu;
    width = info.out;
    max_layer_width_ = std::max(max_layer_width_, info.out);
  }
  if (layers_.back().out != 1 || layers_.back().relu) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "the last layer must have one output and no activation");
  }
  max_layer_width_ = std::max(max_layer_width_, deep_width_);
  return Status();
}

Status Model::validate_sequence(const fb::SequenceEncoder& sequence, const DeepInputInfo& input,
                                SequenceEncoderInfo* out) {
  const Payload payload{payload_, payload_size_};
  const std::string name = std::string("sequence encoder of '") + columns_[input.column].name + "'";
  const uint32_t d = input.width;
  out->dim = d;
  out->length = sequence.length();
  // The encoder's scratch holds several length x d arrays per request.
  if (out->length == 0 || out->length > limits::kMaxSequenceLength || d > limits::kMaxSequenceDim ||
      uint64_t{out->length} * d > limits::kMaxSequenceValues) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED,
                      "%s: length %u x dimension %u is outside the limits (length 1..%u, dimension at most %u, "
                      "at most %u values)",
                      name.c_str(), out->length, d, limits::kMaxSequenceLength, limits::kMaxSequenceDim,
                      limits::kMaxSequenceValues);
  }
  TensorView positions;
  BARISTA_RETURN_IF_ERROR(view_tensor(payload, sequence.positions(), name + " positions", &positions));
  if (positions.dtype != fb::DType::F32 || positions.rows != out->length || positions.cols != d) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: positions must be F32, %u x %u", name.c_str(), out->length, d);
  }
  out->positions = positions.f32;
  auto norm = [&](const fb::Norm* n, const std::string& what, NormInfo* info) -> Status {
    if (n == nullptr) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: %s missing", name.c_str(), what.c_str());
    const float* gain_bias = nullptr;
    BARISTA_RETURN_IF_ERROR(payload.view(n->gain_bias(), 2 * uint64_t{d}, name + " " + what, &gain_bias));
    info->gain = gain_bias;
    info->bias = gain_bias + d;
    return Status();
  };
  auto dense = [&](const fb::Dense* layer, const std::string& what, bool relu, LayerInfo* info) -> Status {
    if (layer == nullptr) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: %s missing", name.c_str(), what.c_str());
    TensorView weights;
    BARISTA_RETURN_IF_ERROR(view_tensor(payload, layer->weights(), name + " " + what, &weights));
    if (weights.dtype != fb::DType::F32 || weights.rows != d || weights.cols != d) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: %s must be F32, %u x %u", name.c_str(), what.c_str(), d, d);
    }
    const fb::Activation want = relu ? fb::Activation::Relu : fb::Activation::None;
    if (layer->activation() != want) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s: %s must have activation %s", name.c_str(), what.c_str(),
                        relu ? "Relu" : "None");
    }
    BARISTA_RETURN_IF_ERROR(payload.view(layer->bias(), d, name + " " + what + " bias", &info->bias));
    info->weights = weights.f32;
    info->in = info->out = d;
    info->relu = relu;
    return Status();
  };
  const uint32_t blocks = size_of(sequence.blocks());
  if (blocks == 0 || blocks > limits::kMaxSequenceBlocks) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%s: %u blocks is outside 1..%u", name.c_str(), blocks,
                      limits::kMaxSequenceBlocks);
  }
  out->blocks.resize(blocks);
  for (uint32_t b = 0; b < blocks; ++b) {
    const fb::AttentionBlock* in = sequence.blocks()->Get(b);
    AttentionBlockInfo& block = out->blocks[b];
    const std::string at = "block " + std::to_string(b) + " ";
    BARISTA_RETURN_IF_ERROR(norm(in->norm1(), at + "norm1", &block.norm1));
    BARISTA_RETURN_IF_ERROR(dense(in->query(), at + "query", false, &block.query));
    BARISTA_RETURN_IF_ERROR(dense(in->key(), at + "key", false, &block.key));
    BARISTA_RETURN_IF_ERROR(dense(in->value(), at + "value", false, &block.value));
    BARISTA_RETURN_IF_ERROR(norm(in->norm2(), at + "norm2", &block.norm2));
    BARISTA_RETURN_IF_ERROR(dense(in->feed1(), at + "feed1", true, &block.feed1));
    BARISTA_RETURN_IF_ERROR(dense(in->feed2(), at + "feed2", false, &block.feed2));
  }
  return norm(sequence.final_norm(), "final norm", &out->final_norm);
}

Status Model::validate_catalog() {
  const fb::Catalog* catalog = root_->catalog();
  const Payload payload{payload_, payload_size_};
  CatalogView& view = catalog_;
  BARISTA_RETURN_IF_ERROR(view_keys(payload, catalog->keys(), "catalog", limits::kMaxItems, &view.count,
                                    &view.string_keys, &view.int_keys, &view.index));
  view.key_type = catalog->keys()->type();
  const uint32_t n = view.count;

  // Every item input but the id is stored per item, categorical or numeric.
  view.categorical_slots = size_of(catalog->categorical_inputs());
  view.numeric_slots = size_of(catalog->numeric_inputs());
  auto claim = [&](uint32_t input, fb::ValueKind kind, uint32_t slot) -> Status {
    if (input >= inputs_.size() || input == item_id_input_ || inputs_[input].source != fb::Source::Item ||
        inputs_[input].kind != kind || inputs_[input].catalog_slot != -1) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                        "catalog lists input %u wrongly (not an item %s input, "
                        "the item id, or listed twice)",
                        input, kind == fb::ValueKind::Numeric ? "numeric" : "categorical");
    }
    inputs_[input].catalog_slot = static_cast<int32_t>(slot);
    return Status();
  };
  for (uint32_t j = 0; j < view.categorical_slots; ++j) {
    BARISTA_RETURN_IF_ERROR(claim(catalog->categorical_inputs()->Get(j), fb::ValueKind::Categorical, j));
  }
  for (uint32_t j = 0; j < view.numeric_slots; ++j) {
    BARISTA_RETURN_IF_ERROR(claim(catalog->numeric_inputs()->Get(j), fb::ValueKind::Numeric, j));
  }
  for (uint32_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i].source == fb::Source::Item && i != item_id_input_ && inputs_[i].catalog_slot == -1) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "catalog has no values for item input '%s'", inputs_[i].name);
    }
  }
  BARISTA_RETURN_IF_ERROR(payload.view(catalog->value_offsets(), uint64_t{n} * view.categorical_slots + 1,
                                       "catalog value offsets", &view.value_offsets));
  uint64_t values = 0;
  BARISTA_RETURN_IF_ERROR(payload.view(catalog->value_fingerprints(), Payload::kAnyCount, "catalog values",
                                       &view.value_fingerprints, &values));
  if (values > UINT32_MAX) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "catalog has too many values");
  view.value_count = static_cast<uint32_t>(values);
  BARISTA_RETURN_IF_ERROR(payload.view(catalog->numeric_values(), uint64_t{n} * view.numeric_slots,
                                       "catalog numeric values", &view.numeric_values));
  BARISTA_RETURN_IF_ERROR(payload.view(catalog->item_wide(), n, "catalog precomputed wide sums", &view.item_wide));
  TensorView first;
  BARISTA_RETURN_IF_ERROR(view_tensor(payload, catalog->item_first_layer(), "catalog item_first_layer", &first));
  if (first.dtype != fb::DType::F32 || first.rows != n || first.cols != first_layer_width()) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "catalog item_first_layer is %llu x %u; expected F32 %u x %u",
                      static_cast<unsigned long long>(first.rows), first.cols, n, first_layer_width());
  }
  view.item_first_layer = first.f32;
  return Status();
}

bool Model::item_id(uint32_t index, std::string* out) const {
  if (index >= catalog_.count) return false;
  if (catalog_.key_type == fb::KeyType::Int64) {
    char buffer[24];
    out->assign(buffer, format_int64(catalog_.int_keys[index], buffer));
    return true;
  }
  std::string_view key;
  if (!catalog_.string_keys.get(index, &key)) return false;
  out->assign(key.data(), key.size());
  return true;
}

bool Model::vocabulary_key(const ColumnInfo& column, uint32_t id, std::string* out) const {
  if (column.kind != fb::ColumnKind::Vocabulary || id >= column.vocabulary.count) return false;
  if (column.vocabulary_ints != nullptr) {
    char buffer[24];
    out->assign(buffer, format_int64(column.vocabulary_ints[id], buffer));
    return true;
  }
  std::string_view key;
  if (!column.vocabulary_strings.get(id, &key)) return false;
  out->assign(key.data(), key.size());
  return true;
}

// ---------------------------------------------------------------------------
// Full verification

size_t Model::memory_bytes() const {
  size_t bytes = sizeof(*this) + heap_bytes(inputs_) + heap_bytes(input_lookup_) + heap_bytes(columns_) +
                 heap_bytes(wide_request_terms_) + heap_bytes(wide_item_terms_) + heap_bytes(wide_mixed_terms_) +
                 heap_bytes(deep_inputs_) + heap_bytes(layers_) + heap_bytes(sequence_encoders_);
  for (const SequenceEncoderInfo& e : sequence_encoders_) bytes += heap_bytes(e.blocks);
  if (owned_copy_ != nullptr || map_.copied()) bytes += size_;
  return bytes;
}

Status Model::verify_full() const {
  uint64_t checksum = 0;
  if (!file_checksum(data_, size_, &checksum)) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "the file has no checksum");
  }
  if (checksum != root_->checksum()) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL,
                      "checksum mismatch: the file says %016llx, its contents give %016llx",
                      static_cast<unsigned long long>(root_->checksum()), static_cast<unsigned long long>(checksum));
  }
  auto check_tensor = [](const TensorView& t, const char* what) -> Status {
    bool finite = true;
    if (t.f32 != nullptr) finite = all_finite(t.f32, t.rows * t.cols);
    if (t.q8_scale_bias != nullptr) finite = all_finite(t.q8_scale_bias, 2 * t.rows);
    if (t.f16 != nullptr) {
      for (uint64_t i = 0; i < t.rows * t.cols && finite; ++i) finite = std::isfinite(half_to_float(t.f16[i]));
    }
    if (!finite) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "%s holds a NaN or infinite number", what);
    return Status();
  };
  BARISTA_RETURN_IF_ERROR(check_tensor(wide_weights_, "wide weights"));
  for (const DeepInputInfo& in : deep_inputs_) {
    if (in.has_embedding) BARISTA_RETURN_IF_ERROR(check_tensor(in.embedding, columns_[in.column].name));
  }
  for (const SequenceEncoderInfo& e : sequence_encoders_) {
    const size_t d = e.dim;
    bool finite = all_finite(e.positions, size_t{e.length} * d) && all_finite(e.final_norm.gain, 2 * d);
    for (const AttentionBlockInfo& b : e.blocks) {
      finite = finite && all_finite(b.norm1.gain, 2 * d) && all_finite(b.norm2.gain, 2 * d);
      for (const LayerInfo* l : {&b.query, &b.key, &b.value, &b.feed1, &b.feed2})
        finite = finite && all_finite(l->weights, d * d) && all_finite(l->bias, d);
    }
    if (!finite) return make_error(BARISTA_STATUS_CORRUPT_MODEL, "a sequence encoder holds a NaN or infinite number");
  }
  for (size_t l = 0; l < layers_.size(); ++l) {
    if (!all_finite(layers_[l].weights, size_t{layers_[l].in} * layers_[l].out) ||
        !all_finite(layers_[l].bias, layers_[l].out)) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "layer %zu holds a NaN or infinite number", l);
    }
  }
  const CatalogView& c = catalog_;
  if (!all_finite(c.item_wide, c.count) || !all_finite(c.item_first_layer, size_t{c.count} * first_layer_width()) ||
      !all_finite(c.numeric_values, size_t{c.count} * c.numeric_slots)) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "catalog holds a NaN or infinite number");
  }
  for (uint32_t i = 0; i < c.count; ++i) {
    for (uint32_t j = 0; j < c.categorical_slots; ++j) {
      Span<uint64_t> values;
      if (!c.values(i, j, &values)) {
        return make_error(BARISTA_STATUS_CORRUPT_MODEL, "catalog value offsets of item %u are out of range", i);
      }
    }
    std::string_view key;
    if (c.key_type == fb::KeyType::String && !c.string_keys.get(i, &key)) {
      return make_error(BARISTA_STATUS_CORRUPT_MODEL, "catalog id of item %u is out of range", i);
    }
  }
  return Status();
}

bool file_checksum(const uint8_t* data, size_t size, uint64_t* out) {
  const fb::Model* root = fb::GetModel(data);
  // Generated tables inherit flatbuffers::Table privately; the field lookup
  // is Table's.
  const flatbuffers::voffset_t field =
      reinterpret_cast<const flatbuffers::Table*>(root)->GetOptionalFieldOffset(fb::Model::VT_CHECKSUM);
  if (field == 0) return false;
  const size_t position = static_cast<size_t>(reinterpret_cast<const uint8_t*>(root) - data) + field;
  if (position + 8 > size) return false;
  *out = fingerprint_cat64(fingerprint64(data, position), fingerprint64(data + position + 8, size - position - 8));
  return true;
}

}  // namespace barista::internal
