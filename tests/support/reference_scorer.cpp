#include "support/reference_scorer.h"

#include <algorithm>
#include <cmath>

namespace barista_test {

namespace {

struct Example {
  const ModelSpec& spec;
  const Values& request;
  int64_t catalog_item;
  const Values* item;

  std::vector<std::string> strings(uint32_t input) const {
    const InputSpec& in = spec.inputs[input];
    if (in.source != fb::Source::Item) {
      auto it = request.categorical.find(input);
      return it == request.categorical.end() ? std::vector<std::string>() : it->second;
    }
    if (item != nullptr) {
      auto it = item->categorical.find(input);
      return it == item->categorical.end() ? std::vector<std::string>() : it->second;
    }
    if (input == spec.item_id_input) {
      return {spec.catalog.ids.empty() ? std::to_string(spec.catalog.int_ids[catalog_item])
                                       : spec.catalog.ids[catalog_item]};
    }
    return spec.catalog.categorical.at(input)[catalog_item];
  }

  double number(uint32_t input) const {
    const InputSpec& in = spec.inputs[input];
    const Values* source = in.source == fb::Source::Item ? item : &request;
    if (in.source == fb::Source::Item && item == nullptr) return spec.catalog.numeric.at(input)[catalog_item];
    auto it = source->numeric.find(input);
    // The runtime keeps numbers as float: narrow the same way.
    return it == source->numeric.end() ? in.default_value : static_cast<float>(it->second);
  }
};

std::vector<uint64_t> ids(const Example& ex, uint32_t c);

// A hashed or vocabulary column's values: all of its input's, or the p-th
// from the end.
std::vector<std::string> column_strings(const Example& ex, const ColumnSpec& column) {
  std::vector<std::string> all = ex.strings(column.input);
  if (column.position == 0) return all;
  if (all.size() < column.position) return {};
  return {all[all.size() - column.position]};
}

// The values a cross chains for component c.
std::vector<uint64_t> cross_values(const Example& ex, uint32_t c) {
  const ColumnSpec& column = ex.spec.columns[c];
  std::vector<uint64_t> out;
  if (column.kind == fb::ColumnKind::Hashed) {
    for (const std::string& s : column_strings(ex, column)) out.push_back(fingerprint64(s));
  } else {
    for (uint64_t id : ids(ex, c)) out.push_back(fingerprint64(std::to_string(id)));
  }
  return out;
}

std::vector<uint64_t> ids(const Example& ex, uint32_t c) {
  const ColumnSpec& column = ex.spec.columns[c];
  std::vector<uint64_t> out;
  switch (column.kind) {
    case fb::ColumnKind::Hashed:
      for (const std::string& s : column_strings(ex, column)) out.push_back(fingerprint64(s) % column.buckets);
      break;
    case fb::ColumnKind::Vocabulary: {
      std::vector<std::string> vocabulary = column.vocabulary;
      for (int64_t v : column.int_vocabulary) vocabulary.push_back(std::to_string(v));
      for (const std::string& s : column_strings(ex, column)) {
        auto it = std::find(vocabulary.begin(), vocabulary.end(), s);
        if (it != vocabulary.end()) {
          out.push_back(static_cast<uint64_t>(it - vocabulary.begin()));
        } else if (column.buckets > 0) {
          out.push_back(vocabulary.size() + fingerprint64(s) % column.buckets);
        }
      }
      break;
    }
    case fb::ColumnKind::Bucketized: {
      const double x = ex.number(column.input);
      uint64_t bucket = 0;
      for (float b : column.boundaries) bucket += static_cast<double>(b) <= x ? 1 : 0;
      out.push_back(bucket);
      break;
    }
    case fb::ColumnKind::Crossed: {
      std::vector<uint64_t> chains = {column.hash_key};
      for (uint32_t component : column.crossed) {
        std::vector<uint64_t> next;
        for (uint64_t chain : chains) {
          for (uint64_t v : cross_values(ex, component)) next.push_back(fingerprint_cat64(chain, v));
        }
        chains = next;
      }
      for (uint64_t h : chains) out.push_back(h % column.buckets);
      break;
    }
    case fb::ColumnKind::Numeric: break;
  }
  return out;
}

double scale(fb::Combiner combiner, size_t n) {
  if (n == 0) return 0.0;
  if (combiner == fb::Combiner::Mean) return 1.0 / static_cast<double>(n);
  if (combiner == fb::Combiner::Sqrtn) return 1.0 / std::sqrt(static_cast<double>(n));
  return 1.0;
}

double standardized(const Example& ex, uint32_t c) {
  const ColumnSpec& column = ex.spec.columns[c];
  return (ex.number(column.input) - static_cast<double>(column.mean)) / static_cast<double>(column.stddev);
}

}  // namespace

double reference_probability(const ModelSpec& spec, const Values& request, int64_t catalog_item,
                             const Values* described_item) {
  const Example ex{spec, request, catalog_item, described_item};
  double wide = spec.wide_bias;
  for (const WideTermSpec& term : spec.wide) {
    const ColumnSpec& column = spec.columns[term.column];
    if (column.kind == fb::ColumnKind::Numeric) {
      wide += static_cast<double>(term.weights[0]) * standardized(ex, term.column);
      continue;
    }
    const std::vector<uint64_t> active = ids(ex, term.column);
    double sum = 0.0;
    for (uint64_t id : active) sum += static_cast<double>(term.weights[id]);
    wide += sum * scale(term.combiner, active.size());
  }
  std::vector<double> x;
  for (const DeepInputSpec& in : spec.deep) {
    const ColumnSpec& column = spec.columns[in.column];
    if (column.kind == fb::ColumnKind::Numeric) {
      x.push_back(standardized(ex, in.column));
      continue;
    }
    const std::vector<uint64_t> active = ids(ex, in.column);
    for (uint32_t d = 0; d < in.dim; ++d) {
      double sum = 0.0;
      for (uint64_t id : active) sum += static_cast<double>(in.embedding[id * in.dim + d]);
      x.push_back(sum * scale(in.combiner, active.size()));
    }
  }
  for (const DenseSpec& layer : spec.layers) {
    std::vector<double> y(layer.out);
    for (uint32_t j = 0; j < layer.out; ++j) {
      double sum = layer.bias[j];
      for (uint32_t k = 0; k < layer.in; ++k)
        sum += x[k] * static_cast<double>(layer.weights[size_t{k} * layer.out + j]);
      y[j] = layer.relu ? std::max(0.0, sum) : sum;
    }
    x = y;
  }
  return 1.0 / (1.0 + std::exp(-(wide + x[0])));
}

}  // namespace barista_test
