#include "train/model_builder.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "common/parse_number.h"
#include "common/random.h"

namespace barista::internal {

namespace {

fb::Combiner to_combiner(CombinerName c) {
  return c == CombinerName::Sum    ? fb::Combiner::Sum
         : c == CombinerName::Mean ? fb::Combiner::Mean
                                   : fb::Combiner::Sqrtn;
}

fb::Source to_source(FeatureSource s) {
  return s == FeatureSource::User      ? fb::Source::User
         : s == FeatureSource::Context ? fb::Source::Context
                                       : fb::Source::Item;
}

// Values seen at least `min_count` times, most frequent first (ties in order
// of first appearance), so vocabularies are deterministic.
std::vector<std::string> vocabulary(const std::vector<std::pair<std::string, uint64_t>>& counts, uint32_t min_count) {
  std::vector<size_t> order(counts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return counts[a].second > counts[b].second; });
  std::vector<std::string> out;
  for (size_t i : order) {
    if (counts[i].second >= min_count) out.push_back(counts[i].first);
  }
  return out;
}

class Counter {
 public:
  void add(const std::string& value, uint64_t n = 1) {
    auto [it, inserted] = index_.emplace(value, counts_.size());
    if (inserted) counts_.emplace_back(value, 0);
    counts_[it->second].second += n;
  }
  const std::vector<std::pair<std::string, uint64_t>>& counts() const { return counts_; }

 private:
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::pair<std::string, uint64_t>> counts_;
};

// Boundaries at the given number of quantiles of `values` (distinct,
// strictly increasing).
std::vector<float> quantile_boundaries(std::vector<float> values, uint32_t quantiles) {
  std::vector<float> boundaries;
  if (values.empty()) return {0.0f};
  std::sort(values.begin(), values.end());
  for (uint32_t q = 1; q < quantiles; ++q) {
    const float b = values[std::min(values.size() - 1, values.size() * q / quantiles)];
    if (boundaries.empty() || b > boundaries.back()) boundaries.push_back(b);
  }
  if (boundaries.empty()) boundaries.push_back(values.front());
  return boundaries;
}

}  // namespace

Status build_model_spec(const TrainConfig& config, const Dataset& data, const Split& split, ModelSpec* out) {
  ModelSpec spec;
  Random random = Random::salted(config.training.seed * 0x9E3779B97F4A7C15ULL + 7);
  spec.metadata.name = config.name;
  spec.metadata.version = "1";
  spec.metadata.training_config = config.source_json;
  spec.metadata.data_fingerprint = data.fingerprint;

  // Training counts. Context features are per file row: `counted` says
  // which rows are training rows (item and user features count every entity).
  std::vector<uint64_t> item_count(data.item_count(), 0), user_count(data.user_count(), 0);
  std::vector<uint8_t> training_row(data.interactions.size(), 0);
  for (size_t i = 0; i < data.interactions.size(); ++i) {
    if (!split.in_training[i]) continue;
    ++item_count[data.interactions[i].item];
    ++user_count[data.interactions[i].user];
    training_row[data.interactions[i].row] = 1;
  }
  auto counted = [&](const FeatureConfig& fc, size_t entity) {
    return fc.source != FeatureSource::Context || training_row[entity];
  };

  // Inputs: request side (user, history, user and context features), then
  // the item side.
  const uint32_t user_input = spec.add_categorical_input(kUserIdInput, fb::Source::User);
  spec.user_id_input = static_cast<int32_t>(user_input);
  int32_t history_input = -1;
  if (config.history.length > 0) {
    history_input = static_cast<int32_t>(
        spec.add_categorical_input(kHistoryInput, fb::Source::User, std::max(2u, config.history.length)));
  }
  const uint32_t item_input = spec.add_categorical_input(kItemIdInput, fb::Source::Item);
  spec.item_id_input = item_input;
  std::vector<uint32_t> feature_input(config.features.size());
  std::vector<float> feature_mean(config.features.size(), 0.0f), feature_stddev(config.features.size(), 1.0f);
  for (size_t f = 0; f < config.features.size(); ++f) {
    const FeatureConfig& fc = config.features[f];
    if (fc.type == FeatureType::Numeric || fc.type == FeatureType::Bucketized) {
      // Statistics over the entities that have a value (training rows for
      // context features); missing values take the mean.
      const FeatureValues& fv = data.features[f];
      double sum = 0, sum2 = 0;
      size_t n = 0;
      for (size_t e = 0; e < fv.numeric.size(); ++e) {
        if (!fv.present[e] || !counted(fc, e)) continue;
        const double v = static_cast<double>(fv.numeric[e]);
        sum += v;
        sum2 += v * v;
        ++n;
      }
      const double mean = n ? sum / static_cast<double>(n) : 0.0;
      const double var = n ? std::max(0.0, sum2 / static_cast<double>(n) - mean * mean) : 0.0;
      feature_mean[f] = static_cast<float>(mean);
      feature_stddev[f] = var > 1e-12 ? static_cast<float>(std::sqrt(var)) : 1.0f;
      feature_input[f] = spec.add_numeric_input(fc.name, to_source(fc.source), feature_mean[f]);
    } else {
      feature_input[f] = spec.add_categorical_input(fc.name, to_source(fc.source),
                                                    fc.separator.empty() ? 1 : std::max(2u, fc.max_values));
    }
  }

  // Columns.
  std::map<std::string, uint32_t> column_of;
  {
    std::vector<std::pair<std::string, uint64_t>> counts;
    for (size_t u = 0; u < data.user_count(); ++u) counts.emplace_back(data.user_ids[u], user_count[u]);
    const uint32_t c =
        spec.add_column(kUserIdInput, fb::ColumnKind::Vocabulary, user_input, config.user_id.oov_buckets);
    spec.columns[c].vocabulary = vocabulary(counts, config.user_id.min_count);
    column_of[kUserIdInput] = c;
  }
  std::vector<std::string> item_vocabulary;
  {
    std::vector<std::pair<std::string, uint64_t>> counts;
    for (size_t i = 0; i < data.item_count(); ++i) counts.emplace_back(data.item_ids[i], item_count[i]);
    item_vocabulary = vocabulary(counts, config.item_id.min_count);
    const uint64_t oov = std::max<uint64_t>(1, config.item_id.oov_buckets);
    const uint32_t c = spec.add_column(kItemIdInput, fb::ColumnKind::Vocabulary, item_input, oov);
    spec.columns[c].vocabulary = item_vocabulary;
    column_of[kItemIdInput] = c;
  }
  if (history_input >= 0) {
    const uint32_t c = spec.add_column(kHistoryInput, fb::ColumnKind::Vocabulary, static_cast<uint32_t>(history_input),
                                       std::max<uint64_t>(1, config.item_id.oov_buckets));
    spec.columns[c].vocabulary = item_vocabulary;
    column_of[kHistoryInput] = c;
    for (uint32_t p = 1; p <= config.history.slots; ++p) {
      const uint32_t slot = spec.add_column(history_slot_name(p), fb::ColumnKind::Vocabulary,
                                            static_cast<uint32_t>(history_input),
                                            std::max<uint64_t>(1, config.item_id.oov_buckets));
      spec.columns[slot].vocabulary = item_vocabulary;
      spec.columns[slot].position = p;
      column_of[history_slot_name(p)] = slot;
    }
  }
  for (size_t f = 0; f < config.features.size(); ++f) {
    const FeatureConfig& fc = config.features[f];
    const FeatureValues& fv = data.features[f];
    uint32_t c = 0;
    switch (fc.type) {
      case FeatureType::Vocabulary: {
        Counter counter;
        for (size_t e = 0; e < fv.categorical.size(); ++e) {
          if (!counted(fc, e)) continue;
          for (const std::string& v : fv.categorical[e]) counter.add(v);
        }
        c = spec.add_column(fc.name, fb::ColumnKind::Vocabulary, feature_input[f], fc.oov_buckets);
        spec.columns[c].vocabulary = vocabulary(counter.counts(), fc.min_count);
        if (spec.columns[c].vocabulary.empty() && fc.oov_buckets == 0) spec.columns[c].buckets = 1;
        break;
      }
      case FeatureType::Hashed:
        c = spec.add_column(fc.name, fb::ColumnKind::Hashed, feature_input[f], fc.buckets);
        break;
      case FeatureType::Numeric:
        c = spec.add_column(fc.name, fb::ColumnKind::Numeric, feature_input[f]);
        spec.columns[c].mean = feature_mean[f];
        spec.columns[c].stddev = feature_stddev[f];
        break;
      case FeatureType::Bucketized: {
        c = spec.add_column(fc.name, fb::ColumnKind::Bucketized, feature_input[f]);
        if (!fc.boundaries.empty()) {
          spec.columns[c].boundaries = fc.boundaries;
        } else {
          std::vector<float> present;
          for (size_t e = 0; e < fv.numeric.size(); ++e) {
            if (fv.present[e] && counted(fc, e)) present.push_back(fv.numeric[e]);
          }
          spec.columns[c].boundaries = quantile_boundaries(present, fc.quantiles);
        }
        break;
      }
    }
    column_of[fc.name] = c;
  }
  std::vector<uint32_t> cross_columns;
  for (const CrossConfig& cross : config.crosses) {
    std::string name;
    std::vector<uint32_t> parts;
    for (const std::string& part : cross.columns) {
      name += (name.empty() ? "" : "_x_") + part;
      parts.push_back(column_of.at(part));
    }
    const uint32_t c = spec.add_column(name, fb::ColumnKind::Crossed, 0, cross.buckets);
    spec.columns[c].crossed = parts;
    cross_columns.push_back(c);
  }

  // Wide terms (zero weights: FTRL starts there).
  // On-device learning adjusts, per customer, the terms the config names,
  // by default those that read the user id or the history and the item id.
  // Item features are left out by default: what a customer's choices say
  // about their taste the history features already carry to the model, and
  // learning it again over-counts it (see README: on-device learning).
  std::function<bool(uint32_t)> reads_user = [&](uint32_t column) {
    const ColumnSpec& cs = spec.columns[column];
    if (cs.kind == fb::ColumnKind::Crossed) {
      return std::any_of(cs.crossed.begin(), cs.crossed.end(), reads_user);
    }
    return static_cast<int32_t>(cs.input) == spec.user_id_input || static_cast<int32_t>(cs.input) == history_input;
  };
  auto wide_term = [&](uint32_t column, fb::Combiner combiner) {
    WideTermSpec t;
    t.column = column;
    t.combiner = combiner;
    const ColumnSpec& cs = spec.columns[column];
    const auto& names = config.on_device.learnable;
    t.learnable = config.on_device.learnable_given
                      ? std::find(names.begin(), names.end(), cs.name) != names.end()
                      : reads_user(column) || (cs.kind != fb::ColumnKind::Crossed && cs.input == spec.item_id_input);
    t.weights.assign(cs.kind == fb::ColumnKind::Numeric ? 1 : cs.cardinality(), 0.0f);
    spec.wide.push_back(std::move(t));
  };
  if (config.user_id.wide) wide_term(column_of[kUserIdInput], fb::Combiner::Sum);
  if (history_input >= 0 && config.history.wide)
    wide_term(column_of[kHistoryInput], to_combiner(config.history.combiner));
  if (config.item_id.wide) wide_term(column_of[kItemIdInput], fb::Combiner::Sum);
  for (size_t f = 0; f < config.features.size(); ++f) {
    if (config.features[f].wide)
      wide_term(column_of[config.features[f].name], to_combiner(config.features[f].combiner));
  }
  for (size_t x = 0; x < cross_columns.size(); ++x) wide_term(cross_columns[x], to_combiner(config.crosses[x].combiner));
  for (const std::string& name : config.on_device.learnable) {
    const bool found = std::any_of(spec.wide.begin(), spec.wide.end(),
                                   [&](const WideTermSpec& t) { return spec.columns[t.column].name == name; });
    if (!found) {
      std::string terms;
      for (const WideTermSpec& t : spec.wide) terms += (terms.empty() ? "" : ", ") + spec.columns[t.column].name;
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "config: on_device.learnable: no wide term named '%s' (the wide terms: %s)", name.c_str(),
                        terms.c_str());
    }
  }
  // The bias starts at the log-odds of a positive.
  const double positives = 1.0 / (1.0 + config.training.negatives);
  spec.wide_bias = config.training.negatives > 0 ? static_cast<float>(std::log(positives / (1.0 - positives))) : 0.0f;

  // Deep inputs: request side first (the split of src/README.md, 'The fast path').
  auto deep_input = [&](uint32_t column, uint32_t dim, fb::Combiner combiner) {
    DeepInputSpec d;
    d.column = column;
    d.combiner = combiner;
    d.dim = dim;
    if (dim > 0) {
      d.embedding.resize(spec.columns[column].cardinality() * dim);
      const float scale = 1.0f / std::sqrt(static_cast<float>(dim));
      for (float& v : d.embedding) v = scale * static_cast<float>(random.normal());
    }
    spec.deep.push_back(std::move(d));
  };
  auto feature_deep = [&](FeatureSource side) {
    for (size_t f = 0; f < config.features.size(); ++f) {
      const FeatureConfig& fc = config.features[f];
      if (fc.source != side) continue;
      if (fc.type == FeatureType::Numeric) {
        if (fc.deep) deep_input(column_of[fc.name], 0, fb::Combiner::Sum);
      } else if (fc.embedding > 0) {
        deep_input(column_of[fc.name], fc.embedding, to_combiner(fc.combiner));
      }
    }
  };
  if (config.user_id.embedding > 0) deep_input(column_of[kUserIdInput], config.user_id.embedding, fb::Combiner::Sum);
  if (history_input >= 0 && config.history.embedding > 0) {
    deep_input(column_of[kHistoryInput], config.history.embedding, to_combiner(config.history.combiner));
    for (uint32_t p = 1; p <= config.history.slots; ++p) {
      deep_input(column_of[history_slot_name(p)], config.history.embedding, fb::Combiner::Sum);
    }
  }
  feature_deep(FeatureSource::User);
  feature_deep(FeatureSource::Context);
  if (config.item_id.embedding > 0) deep_input(column_of[kItemIdInput], config.item_id.embedding, fb::Combiner::Sum);
  feature_deep(FeatureSource::Item);
  if (spec.deep.empty()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "config: the deep part has no inputs (give some feature an embedding)");
  }

  // Layers: Glorot-uniform weights, zero biases.
  uint32_t width = 0;
  for (const DeepInputSpec& d : spec.deep) width += d.dim == 0 ? 1 : d.dim;
  std::vector<uint32_t> sizes = config.hidden;
  sizes.push_back(1);
  for (size_t l = 0; l < sizes.size(); ++l) {
    DenseSpec layer;
    layer.in = width;
    layer.out = sizes[l];
    layer.relu = l + 1 < sizes.size();
    layer.weights.resize(size_t{layer.in} * layer.out);
    const float limit = std::sqrt(6.0f / static_cast<float>(layer.in + layer.out));
    for (float& w : layer.weights) w = limit * static_cast<float>(2.0 * random.uniform() - 1.0);
    layer.bias.assign(layer.out, 0.0f);
    spec.layers.push_back(std::move(layer));
    width = sizes[l];
  }

  // The catalog: every known item, with its features.
  CatalogSpec& catalog = spec.catalog;
  if (data.integer_item_ids) {
    catalog.int_ids.reserve(data.item_count());
    for (const std::string& id : data.item_ids) {
      int64_t value = 0;
      parse_int64(id, &value);  // integer_item_ids: every id is a canonical int64
      catalog.int_ids.push_back(value);
    }
    // Integer vocabularies hash the same as their decimal strings; keep the
    // string form (it is what the requests carry).
  } else {
    catalog.ids = data.item_ids;
  }
  for (size_t f = 0; f < config.features.size(); ++f) {
    const FeatureConfig& fc = config.features[f];
    if (fc.source != FeatureSource::Item) continue;
    const FeatureValues& fv = data.features[f];
    if (fc.type == FeatureType::Numeric || fc.type == FeatureType::Bucketized) {
      std::vector<float>& values = catalog.numeric[feature_input[f]];
      values.resize(data.item_count());
      for (size_t i = 0; i < data.item_count(); ++i) values[i] = fv.present[i] ? fv.numeric[i] : feature_mean[f];
    } else {
      catalog.categorical[feature_input[f]] = fv.categorical;
    }
  }
  *out = std::move(spec);
  return Status();
}

}  // namespace barista::internal
