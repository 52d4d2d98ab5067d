// A model described in plain C++ values: what the model writer turns into a
// file. Used by the trainer, the demo, the tools and the tests. Indices refer
// to positions in the vectors of the same ModelSpec; semantics are those of
// schema/barista_model.fbs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "barista_model_generated.h"
#include "hash/fingerprint.h"

namespace barista::internal {

namespace fb = ::barista::format;

struct InputSpec {
  std::string name;
  fb::Source source = fb::Source::User;
  fb::ValueKind kind = fb::ValueKind::Categorical;
  bool multivalent = false;
  uint32_t max_values = 1;
  float default_value = 0.0f;
};

struct ColumnSpec {
  std::string name;
  fb::ColumnKind kind = fb::ColumnKind::Hashed;
  uint32_t input = 0;
  // Hashed: hash buckets; Vocabulary: OOV buckets; Crossed: hash buckets.
  uint64_t buckets = 0;
  // Vocabulary: string keys, or integer keys (exactly one is non-empty).
  std::vector<std::string> vocabulary;
  std::vector<int64_t> int_vocabulary;
  std::vector<float> boundaries;  // Bucketized
  float mean = 0.0f;              // Numeric
  float stddev = 1.0f;
  std::vector<uint32_t> crossed;  // Crossed: component columns
  uint64_t hash_key = kDefaultCrossHashKey;
  // Hashed, Vocabulary: 0 all values; p >= 1 the p-th most recent (format 2).
  uint32_t position = 0;

  // Number of ids the column produces (0 for Numeric).
  uint64_t cardinality() const;
};

struct WideTermSpec {
  uint32_t column = 0;
  fb::Combiner combiner = fb::Combiner::Sum;
  // On-device learning may adjust this term per customer.
  bool learnable = false;
  // One weight per id of the column (one weight for a numeric column).
  std::vector<float> weights;
};

// A sequence encoder (schema: SequenceEncoder) over embeddings of width
// `dim`, all its parameters in one vector, laid out as SequenceLayout says.
struct SequenceEncoderSpec {
  uint32_t length = 0;  // 0: none
  uint32_t dim = 0;
  uint32_t blocks = 0;
  std::vector<float> params;
};

// Where each parameter of a SequenceEncoderSpec lies in `params`: the
// positions (length x dim), then per block norm1 (gains, biases), query,
// key, value (weights dim x dim, then biases), norm2, feed1, feed2, and
// last the final norm.
struct SequenceLayout {
  size_t dim = 0, blocks = 0, length = 0;
  explicit SequenceLayout(const SequenceEncoderSpec& s) : dim(s.dim), blocks(s.blocks), length(s.length) {}
  size_t norm_size() const { return 2 * dim; }
  size_t dense_size() const { return dim * dim + dim; }
  size_t block_size() const { return 2 * norm_size() + 5 * dense_size(); }
  size_t positions() const { return 0; }
  size_t block(size_t b) const { return length * dim + b * block_size(); }
  size_t norm1(size_t b) const { return block(b); }
  size_t query(size_t b) const { return norm1(b) + norm_size(); }
  size_t key(size_t b) const { return query(b) + dense_size(); }
  size_t value(size_t b) const { return key(b) + dense_size(); }
  size_t norm2(size_t b) const { return value(b) + dense_size(); }
  size_t feed1(size_t b) const { return norm2(b) + norm_size(); }
  size_t feed2(size_t b) const { return feed1(b) + dense_size(); }
  size_t final_norm() const { return block(blocks); }
  size_t total() const { return final_norm() + norm_size(); }
};

struct DeepInputSpec {
  uint32_t column = 0;
  fb::Combiner combiner = fb::Combiner::Sum;
  // Categorical columns: cardinality x dim, row-major. Empty for numeric.
  uint32_t dim = 0;
  std::vector<float> embedding;
  // A request-side categorical column's ids encoded in order instead of
  // pooled (format 3); length 0 when not.
  SequenceEncoderSpec sequence;
};

struct DenseSpec {
  uint32_t in = 0;
  uint32_t out = 0;
  std::vector<float> weights;  // in x out, row-major (TensorFlow's Dense kernel)
  std::vector<float> bias;     // out
  bool relu = true;
};

struct CatalogSpec {
  // Item ids: strings, or integers (exactly one is non-empty unless the
  // catalog is empty).
  std::vector<std::string> ids;
  std::vector<int64_t> int_ids;
  // Values of every item input other than the item id input:
  // categorical[input][item] is that item's list of values,
  // numeric[input][item] its number.
  std::map<uint32_t, std::vector<std::vector<std::string>>> categorical;
  std::map<uint32_t, std::vector<float>> numeric;

  size_t size() const { return ids.empty() ? int_ids.size() : ids.size(); }
};

struct MetadataSpec {
  std::string name;
  std::string version;
  std::string description;
  int64_t created_unix = 0;  // 0: the time of writing
  std::string training_config;
  std::vector<std::pair<std::string, double>> metrics;
  std::string data_fingerprint;
  std::vector<std::pair<std::string, std::string>> properties;
};

struct ModelSpec {
  MetadataSpec metadata;
  std::vector<InputSpec> inputs;
  std::vector<ColumnSpec> columns;
  int32_t user_id_input = -1;
  uint32_t item_id_input = 0;
  float wide_bias = 0.0f;
  std::vector<WideTermSpec> wide;
  // Request-side inputs first, item inputs last (the first layer's split).
  std::vector<DeepInputSpec> deep;
  // Hidden layers, then one output layer (out = 1, relu = false).
  std::vector<DenseSpec> layers;
  CatalogSpec catalog;

  // Appends a categorical input (multi-valent when max_values > 1); returns
  // its index.
  uint32_t add_categorical_input(std::string name, fb::Source source, uint32_t max_values = 1) {
    InputSpec in;
    in.name = std::move(name);
    in.source = source;
    in.kind = fb::ValueKind::Categorical;
    in.multivalent = max_values > 1;
    in.max_values = max_values;
    inputs.push_back(std::move(in));
    return static_cast<uint32_t>(inputs.size() - 1);
  }
  // Appends a numeric input; returns its index.
  uint32_t add_numeric_input(std::string name, fb::Source source, float default_value = 0.0f) {
    InputSpec in;
    in.name = std::move(name);
    in.source = source;
    in.kind = fb::ValueKind::Numeric;
    in.default_value = default_value;
    inputs.push_back(std::move(in));
    return static_cast<uint32_t>(inputs.size() - 1);
  }
  // Appends a column reading `input` (unused by crosses); returns its index.
  uint32_t add_column(std::string name, fb::ColumnKind kind, uint32_t input, uint64_t buckets = 0) {
    ColumnSpec c;
    c.name = std::move(name);
    c.kind = kind;
    c.input = input;
    c.buckets = buckets;
    columns.push_back(std::move(c));
    return static_cast<uint32_t>(columns.size() - 1);
  }
};

}  // namespace barista::internal
