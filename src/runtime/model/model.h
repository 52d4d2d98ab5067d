// An open model: the mapped FlatBuffers buffer plus small views derived from
// it at open time (one entry per input, column, term, layer). Opening checks
// identifier, versions, the FlatBuffers verifier and the semantics (shapes
// agree, every array slice lies inside the payload, ids and offsets in
// range): work that grows with the number of tables, not with the size of the
// weights, and that reads only the front of the file. Arrays indexed by
// per-item data (catalog value offsets, string offsets) are range-checked
// where they are read, and by verify_full(): checking them at open would
// map 4 bytes per item and item input (2.8 MB on the L shape, 1.4 ms
// against 0.1 ms for the rest of the open on the development machine).
// verify_full() adds the file checksum and the finiteness of every number.
//
// Immutable after open; safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "barista_model_generated.h"
#include "common/alloc.h"
#include "common/span.h"
#include "common/status.h"
#include "hash/hash_index.h"
#include "kernels/kernel_list.h"
#include "platform/file_map.h"

namespace barista::internal {

namespace fb = ::barista::format;

// A rank-2 tensor in the payload; exactly one of the element pointers is
// set, as `dtype` says (plus q8_scale_bias for Int8Rowwise).
struct TensorView {
  fb::DType dtype = fb::DType::F32;
  uint64_t rows = 0;
  uint32_t cols = 0;
  const float* f32 = nullptr;
  const uint16_t* f16 = nullptr;
  const uint8_t* q8 = nullptr;
  const float* q8_scale_bias = nullptr;

  // Element (r, c) as float, dequantized. For tests, tools and the writer;
  // the hot paths use the kernels.
  float at(uint64_t r, uint32_t c) const;
  // Bytes of payload.
  uint64_t bytes() const;
};

// Strings packed in one blob; get() checks the offsets it reads.
struct StringTableView {
  const uint32_t* offsets = nullptr;
  uint32_t count = 0;  // strings (offsets has count + 1 entries)
  const uint8_t* bytes = nullptr;
  uint32_t byte_count = 0;

  bool get(uint32_t i, std::string_view* out) const;
};

// Which side of the request/item split a column's values come from.
enum class Side : uint8_t { Request, Item, Mixed };

struct InputInfo {
  const char* name = "";
  fb::Source source = fb::Source::User;
  fb::ValueKind kind = fb::ValueKind::Categorical;
  bool multivalent = false;
  uint32_t max_values = 1;
  float default_value = 0.0f;
  // Position in the catalog's categorical_inputs or numeric_inputs; -1 for
  // request inputs and the item id input.
  int32_t catalog_slot = -1;
  bool is_item_side() const { return source == fb::Source::Item; }
};

struct ColumnInfo {
  const char* name = "";
  fb::ColumnKind kind = fb::ColumnKind::Hashed;
  uint32_t input = 0;        // Hashed, Vocabulary, Bucketized, Numeric
  uint64_t buckets = 0;      // hash or OOV buckets
  uint64_t cardinality = 0;  // ids in [0, cardinality); 0 for Numeric
  HashIndexView vocabulary;  // Vocabulary
  // Vocabulary: the keys themselves (strings, or ints when vocabulary_ints
  // is set), for explanations.
  StringTableView vocabulary_strings;
  const int64_t* vocabulary_ints = nullptr;
  Span<float> boundaries;    // Bucketized
  float mean = 0.0f;         // Numeric
  float inv_stddev = 1.0f;   // Numeric
  Span<uint32_t> crossed;    // Crossed components
  uint64_t hash_key = 0;     // Crossed
  uint32_t position = 0;     // Hashed, Vocabulary: 0 every value, p the p-th most recent
  // The most ids one example can give: its input's max_values for a hashed
  // or vocabulary column of every value, 1 for a position or a bucketized
  // column, the product of the components' for a cross (saturating).
  uint64_t max_ids = 1;
  Side side = Side::Request;
  bool is_categorical() const { return kind != fb::ColumnKind::Numeric; }
};

struct WideTermInfo {
  uint32_t column = 0;
  uint32_t offset = 0;
  fb::Combiner combiner = fb::Combiner::Sum;
  bool learnable = false;  // on-device learning adjusts it per customer
};

struct LayerInfo {
  const float* weights = nullptr;  // in x out, row-major
  const float* bias = nullptr;     // out
  uint32_t in = 0;
  uint32_t out = 0;
  bool relu = false;
};

struct NormInfo {
  const float* gain = nullptr;  // d
  const float* bias = nullptr;  // d
};

struct AttentionBlockInfo {
  NormInfo norm1, norm2;
  LayerInfo query, key, value, feed1, feed2;  // d x d each
};

// schema: SequenceEncoder (run by sequence/sequence_encoder.h).
struct SequenceEncoderInfo {
  uint32_t length = 0;
  uint32_t dim = 0;
  const float* positions = nullptr;  // length x dim; row 0 for the last value
  Vec<AttentionBlockInfo> blocks;
  NormInfo final_norm;
};

struct DeepInputInfo {
  uint32_t column = 0;
  fb::Combiner combiner = fb::Combiner::Sum;
  bool has_embedding = false;  // false: a numeric column, width 1
  TensorView embedding;
  uint32_t offset = 0;  // position in the concatenated deep input
  uint32_t width = 0;
  bool item_side = false;
  // Index into Model::sequence_encoders() when the ids are encoded in
  // order instead of pooled; -1 otherwise.
  int32_t sequence = -1;
};

struct CatalogView {
  uint32_t count = 0;
  fb::KeyType key_type = fb::KeyType::String;
  StringTableView string_keys;
  const int64_t* int_keys = nullptr;
  HashIndexView index;
  // Per-item feature values (see schema): value_offsets has
  // count * categorical_slots + 1 entries.
  uint32_t categorical_slots = 0;
  uint32_t numeric_slots = 0;
  const uint32_t* value_offsets = nullptr;
  const uint64_t* value_fingerprints = nullptr;
  uint32_t value_count = 0;
  const float* numeric_values = nullptr;
  // Precomputed per item (src/README.md, 'The fast path').
  const float* item_wide = nullptr;         // count
  const float* item_first_layer = nullptr;  // count x first layer width

  // The value fingerprints of item `item` in categorical slot `slot`; false
  // when the file's offsets are out of range (a corrupt file).
  bool values(uint32_t item, uint32_t slot, Span<uint64_t>* out) const;
};

struct OpenOptions {
  bool verify_full = false;
  bool copy = false;  // open_file: read the file into memory instead of mapping it
  const char* kernels = nullptr;  // NULL/"auto" or a variant name
};

class Model {
 public:
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  static Status open_file(const char* path, const OpenOptions& options, std::unique_ptr<Model>* out);
  // Uses `data` in place when 8-byte aligned (the caller keeps it alive);
  // otherwise copies it.
  static Status open_buffer(const void* data, size_t size, const OpenOptions& options, std::unique_ptr<Model>* out);

  // The file checksum and the finiteness of every stored number.
  Status verify_full() const;

  // Heap memory the model holds: its tables, and its copy of the file when
  // it has one (OpenOptions::copy, an unaligned buffer); a mapped file's
  // pages are the operating system's.
  size_t memory_bytes() const;

  const fb::Model& root() const { return *root_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const uint8_t* payload() const { return payload_; }
  uint64_t payload_size() const { return payload_size_; }
  const KernelTable& kernels() const { return *kernels_; }

  Span<InputInfo> inputs() const { return inputs_; }
  Span<ColumnInfo> columns() const { return columns_; }
  int32_t user_id_input() const { return user_id_input_; }
  uint32_t item_id_input() const { return item_id_input_; }
  // Input index by name, or -1.
  int32_t find_input(std::string_view name) const;

  float wide_bias() const { return wide_bias_; }
  const TensorView& wide_weights() const { return wide_weights_; }
  // Wide terms split by side: request-only terms are summed once per request,
  // item-only terms are precomputed per catalog item, mixed ones (crosses of
  // request and item columns) are evaluated per (request, item).
  Span<WideTermInfo> wide_request_terms() const { return wide_request_terms_; }
  Span<WideTermInfo> wide_item_terms() const { return wide_item_terms_; }
  Span<WideTermInfo> wide_mixed_terms() const { return wide_mixed_terms_; }

  Span<DeepInputInfo> deep_inputs() const { return deep_inputs_; }
  uint32_t deep_width() const { return deep_width_; }
  // Width of the request-side prefix of the deep input (item inputs follow).
  uint32_t deep_request_width() const { return deep_request_width_; }
  Span<LayerInfo> layers() const { return layers_; }
  Span<SequenceEncoderInfo> sequence_encoders() const { return sequence_encoders_; }
  uint32_t first_layer_width() const { return layers_[0].out; }
  uint32_t max_layer_width() const { return max_layer_width_; }

  const CatalogView& catalog() const { return catalog_; }
  // Catalog index of the item with this key fingerprint, or -1.
  int64_t find_item(uint64_t fingerprint) const { return catalog_.index.find(fingerprint); }
  // The id of catalog item `index` as text (decimal for integer keys).
  bool item_id(uint32_t index, std::string* out) const;
  // The key of vocabulary id `id` (< the vocabulary's size) of a vocabulary
  // column, as a string (decimal for integer keys); false when out of range.
  bool vocabulary_key(const ColumnInfo& column, uint32_t id, std::string* out) const;

 private:
  Model() = default;
  // Whether a column reads the user id or a multi-valent user input.
  bool reads_user_state(uint32_t column) const;
  static Status open_owned(std::unique_ptr<Model> model, const OpenOptions& options, std::unique_ptr<Model>* out);
  Status validate();
  Status validate_inputs();
  Status validate_columns();
  Status validate_wide();
  Status validate_deep();
  Status validate_sequence(const fb::SequenceEncoder& sequence, const DeepInputInfo& input, SequenceEncoderInfo* out);
  Status validate_catalog();

  FileMap map_;
  void* owned_copy_ = nullptr;  // mimalloc copy of an unaligned caller buffer
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  const fb::Model* root_ = nullptr;
  const uint8_t* payload_ = nullptr;
  uint64_t payload_size_ = 0;
  const KernelTable* kernels_ = nullptr;

  Vec<InputInfo> inputs_;
  Vec<std::pair<uint64_t, uint32_t>> input_lookup_;  // (fingerprint of name, index), sorted
  Vec<ColumnInfo> columns_;
  int32_t user_id_input_ = -1;
  uint32_t item_id_input_ = 0;
  float wide_bias_ = 0.0f;
  TensorView wide_weights_;
  Vec<WideTermInfo> wide_request_terms_, wide_item_terms_, wide_mixed_terms_;
  Vec<DeepInputInfo> deep_inputs_;
  uint32_t deep_width_ = 0;
  uint32_t deep_request_width_ = 0;
  Vec<LayerInfo> layers_;
  Vec<SequenceEncoderInfo> sequence_encoders_;
  uint32_t max_layer_width_ = 0;
  CatalogView catalog_;
};

// Calls visit(name, slice, element_size) for every array slice of a
// (verified) model: "wide.weights", "deep.input[3].embedding", ... For
// reports such as `barista inspect`.
template <class Visit>
void for_each_payload_slice(const fb::Model& model, Visit&& visit);

// The file checksum of a model buffer (schema: Model.checksum); false when
// the checksum field is absent.
bool file_checksum(const uint8_t* data, size_t size, uint64_t* out);

}  // namespace barista::internal

#include "model/payload.inl"
