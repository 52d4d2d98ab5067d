#include "samples/random_model.h"

#include <algorithm>

#include "common/random.h"

namespace barista::cli {

using namespace barista::internal;

bool reference_shape(const std::string& name, ModelShape* out) {
  ModelShape s;
  s.name = name;
  if (name == "XS") {  // tiny: tests and fuzz seeds
    s.categorical_columns = 4, s.embedding_dim = 2, s.numeric_columns = 2, s.hidden = {4};
    s.wide_buckets = 64, s.items = 4, s.embedding_rows = 8;
  } else if (name == "S") {
    s.categorical_columns = 4, s.embedding_dim = 16, s.numeric_columns = 4, s.hidden = {64, 32};
    s.wide_buckets = uint64_t{1} << 18, s.items = 1000, s.embedding_rows = 1u << 12;
  } else if (name == "M") {
    s.categorical_columns = 8, s.embedding_dim = 32, s.numeric_columns = 8, s.hidden = {256, 128, 64};
    s.wide_buckets = uint64_t{1} << 20, s.items = 10000, s.embedding_rows = 1u << 14;
  } else if (name == "L") {
    s.categorical_columns = 16, s.embedding_dim = 64, s.numeric_columns = 16, s.hidden = {1024, 512, 256};
    s.wide_buckets = uint64_t{1} << 22, s.items = 100000, s.embedding_rows = 1u << 15;
  } else {
    return false;
  }
  *out = s;
  return true;
}

// Request side: user_id, recent_items (multi-valent item ids), then user
// attributes; context numerics. Item side: item_id, then item attributes;
// item numerics. Wide: every categorical column plus two crosses
// (user_id x item_id, recent_items x item_id) that take the remaining
// buckets.
ModelSpec make_random_model(const ModelShape& shape, uint64_t seed) {
  Random random(seed);
  ModelSpec spec;
  spec.metadata.name = "random-" + shape.name;
  spec.metadata.version = "seed " + std::to_string(seed);
  spec.metadata.description = "Synthetic model of reference shape " + shape.name + " (random weights)";
  spec.metadata.created_unix = 1795824000;
  const uint32_t request_cat = std::max(2u, shape.categorical_columns / 2);
  const uint32_t item_cat = std::max(1u, shape.categorical_columns - request_cat);
  const uint32_t request_num = shape.numeric_columns / 2;
  const uint32_t item_num = shape.numeric_columns - request_num;
  const uint32_t n = shape.items;

  auto add_input = [&](std::string name, fb::Source source, fb::ValueKind kind, bool multi) {
    return kind == fb::ValueKind::Numeric ? spec.add_numeric_input(std::move(name), source)
                                          : spec.add_categorical_input(std::move(name), source, multi ? 20 : 1);
  };
  auto add_column = [&](std::string name, fb::ColumnKind kind, uint32_t input, uint64_t buckets) {
    return spec.add_column(std::move(name), kind, input, buckets);
  };

  std::vector<uint32_t> request_columns, item_columns, request_numeric, item_numeric;
  spec.user_id_input = static_cast<int32_t>(add_input("user_id", fb::Source::User, fb::ValueKind::Categorical, false));
  request_columns.push_back(add_column("user_id", fb::ColumnKind::Hashed, 0, shape.embedding_rows));
  const uint32_t recent = add_input("recent_items", fb::Source::User, fb::ValueKind::Categorical, true);
  request_columns.push_back(add_column("recent_items", fb::ColumnKind::Hashed, recent, shape.embedding_rows));
  for (uint32_t i = 2; i < request_cat; ++i) {
    const uint32_t in = add_input("user_attr" + std::to_string(i), fb::Source::User, fb::ValueKind::Categorical, false);
    request_columns.push_back(
        add_column("user_attr" + std::to_string(i), fb::ColumnKind::Hashed, in, shape.embedding_rows));
  }
  for (uint32_t i = 0; i < request_num; ++i) {
    const uint32_t in =
        add_input("context_num" + std::to_string(i), fb::Source::Context, fb::ValueKind::Numeric, false);
    request_numeric.push_back(add_column("context_num" + std::to_string(i), fb::ColumnKind::Numeric, in, 0));
  }
  spec.item_id_input = add_input("item_id", fb::Source::Item, fb::ValueKind::Categorical, false);
  item_columns.push_back(add_column("item_id", fb::ColumnKind::Hashed, spec.item_id_input, shape.embedding_rows));
  std::vector<uint32_t> item_attribute_inputs;
  for (uint32_t i = 1; i < item_cat; ++i) {
    const uint32_t in = add_input("item_attr" + std::to_string(i), fb::Source::Item, fb::ValueKind::Categorical, false);
    item_attribute_inputs.push_back(in);
    item_columns.push_back(add_column("item_attr" + std::to_string(i), fb::ColumnKind::Hashed, in, 256));
  }
  std::vector<uint32_t> item_numeric_inputs;
  for (uint32_t i = 0; i < item_num; ++i) {
    const uint32_t in = add_input("item_num" + std::to_string(i), fb::Source::Item, fb::ValueKind::Numeric, false);
    item_numeric_inputs.push_back(in);
    item_numeric.push_back(add_column("item_num" + std::to_string(i), fb::ColumnKind::Numeric, in, 0));
  }

  // Wide part.
  uint64_t used = 0;
  std::vector<uint32_t> wide_columns;
  for (uint32_t c : request_columns) wide_columns.push_back(c);
  for (uint32_t c : item_columns) wide_columns.push_back(c);
  for (uint32_t c : wide_columns) used += spec.columns[c].cardinality();
  const uint64_t cross_buckets = std::max<uint64_t>(16, (shape.wide_buckets - std::min(used, shape.wide_buckets)) / 2);
  ColumnSpec& user_item = spec.columns[add_column("user_x_item", fb::ColumnKind::Crossed, 0, cross_buckets)];
  user_item.crossed = {request_columns[0], item_columns[0]};
  wide_columns.push_back(static_cast<uint32_t>(spec.columns.size() - 1));
  ColumnSpec& recent_item = spec.columns[add_column("recent_x_item", fb::ColumnKind::Crossed, 0, cross_buckets)];
  recent_item.crossed = {request_columns[1], item_columns[0]};
  wide_columns.push_back(static_cast<uint32_t>(spec.columns.size() - 1));
  for (uint32_t c : wide_columns) {
    WideTermSpec term;
    term.column = c;
    term.weights.resize(spec.columns[c].cardinality());
    for (float& w : term.weights) w = random.symmetric(0.05f);
    spec.wide.push_back(std::move(term));
  }
  spec.wide_bias = -1.0f;

  // Deep part: request side first.
  auto deep = [&](uint32_t c, bool embedded) {
    DeepInputSpec d;
    d.column = c;
    d.combiner = spec.columns[c].name == "recent_items" ? fb::Combiner::Mean : fb::Combiner::Sum;
    if (embedded) {
      d.dim = shape.embedding_dim;
      d.embedding.resize(spec.columns[c].cardinality() * d.dim);
      for (float& v : d.embedding) v = random.symmetric(0.1f);
    }
    spec.deep.push_back(std::move(d));
    return embedded ? shape.embedding_dim : 1u;
  };
  uint32_t width = 0;
  for (uint32_t c : request_columns) width += deep(c, true);
  for (uint32_t c : request_numeric) width += deep(c, false);
  for (uint32_t c : item_columns) width += deep(c, true);
  for (uint32_t c : item_numeric) width += deep(c, false);
  std::vector<uint32_t> sizes = shape.hidden;
  sizes.push_back(1);
  for (size_t l = 0; l < sizes.size(); ++l) {
    DenseSpec layer;
    layer.in = width;
    layer.out = sizes[l];
    layer.relu = l + 1 < sizes.size();
    layer.weights.resize(size_t{layer.in} * layer.out);
    const float scale = 1.0f / static_cast<float>(std::max(1u, layer.in));  // keeps activations O(1)
    for (float& w : layer.weights) w = random.symmetric(std::sqrt(3.0f * scale));
    layer.bias.resize(layer.out);
    for (float& b : layer.bias) b = random.symmetric(0.01f);
    spec.layers.push_back(std::move(layer));
    width = sizes[l];
  }

  // Catalog: item-<i>, with random attributes.
  CatalogSpec& catalog = spec.catalog;
  catalog.ids.reserve(n);
  for (uint32_t i = 0; i < n; ++i) catalog.ids.push_back("item-" + std::to_string(i));
  for (uint32_t in : item_attribute_inputs) {
    auto& values = catalog.categorical[in];
    values.resize(n);
    for (uint32_t i = 0; i < n; ++i) values[i] = {"v" + std::to_string(random.below(50))};
  }
  for (uint32_t in : item_numeric_inputs) {
    auto& values = catalog.numeric[in];
    values.resize(n);
    for (uint32_t i = 0; i < n; ++i) values[i] = random.symmetric(2.0f);
  }
  return spec;
}

}  // namespace barista::cli
