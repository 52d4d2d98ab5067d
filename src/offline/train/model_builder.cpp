#include "train/model_builder.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "common/parse_number.h"
#include "common/random.h"
#include "train/sequence_training.h"

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

// The sections of build_model_spec, in order, and what they hand on to the
// sections after them.
class SpecBuilder {
 public:
  SpecBuilder(const TrainConfig& config, const Dataset& data, ModelSpec* spec)
      : config_(config), data_(data), spec_(*spec) {}

  void count_training(const Split& split);
  void add_inputs();
  void add_columns();
  void add_crosses();
  Status add_wide_terms();
  Status add_deep_inputs(Random* random);
  void add_layers(Random* random);
  void add_catalog();

 private:
  // Context features are per file row: only training rows count (item and
  // user features count every entity).
  bool counted(const FeatureConfig& fc, size_t entity) const {
    return fc.source != FeatureSource::Context || training_row_[entity];
  }

  const TrainConfig& config_;
  const Dataset& data_;
  ModelSpec& spec_;
  // count_training
  std::vector<uint64_t> item_count_, user_count_;
  std::vector<uint8_t> training_row_;
  // add_inputs
  uint32_t user_input_ = 0, item_input_ = 0;
  int32_t history_input_ = -1;
  std::vector<uint32_t> feature_input_;
  std::vector<float> feature_mean_, feature_stddev_;
  // add_columns, add_crosses
  std::map<std::string, uint32_t> column_of_;
  std::vector<uint32_t> cross_columns_;
};

// Training counts of items, users and file rows.
void SpecBuilder::count_training(const Split& split) {
  item_count_.assign(data_.item_count(), 0);
  user_count_.assign(data_.user_count(), 0);
  // Row numbers count the rows loaded, before users with too few items
  // left: they can exceed the number of interactions kept.
  uint32_t rows = 0;
  for (const Interaction& x : data_.interactions) rows = std::max(rows, x.row + 1);
  training_row_.assign(rows, 0);
  for (size_t i = 0; i < data_.interactions.size(); ++i) {
    if (!split.in_training[i]) continue;
    ++item_count_[data_.interactions[i].item];
    ++user_count_[data_.interactions[i].user];
    training_row_[data_.interactions[i].row] = 1;
  }
}

// Inputs: request side (user, history, user and context features), then
// the item side.
void SpecBuilder::add_inputs() {
  user_input_ = spec_.add_categorical_input(kUserIdInput, fb::Source::User);
  spec_.user_id_input = static_cast<int32_t>(user_input_);
  if (config_.history.length > 0) {
    history_input_ = static_cast<int32_t>(
        spec_.add_categorical_input(kHistoryInput, fb::Source::User, std::max(2u, config_.history.length)));
  }
  item_input_ = spec_.add_categorical_input(kItemIdInput, fb::Source::Item);
  spec_.item_id_input = item_input_;
  feature_input_.assign(config_.features.size(), 0);
  feature_mean_.assign(config_.features.size(), 0.0f);
  feature_stddev_.assign(config_.features.size(), 1.0f);
  for (size_t f = 0; f < config_.features.size(); ++f) {
    const FeatureConfig& fc = config_.features[f];
    if (fc.type == FeatureType::Numeric || fc.type == FeatureType::Bucketized) {
      // Statistics over the entities that have a value (training rows for
      // context features); missing values take the mean.
      const FeatureValues& fv = data_.features[f];
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
      feature_mean_[f] = static_cast<float>(mean);
      feature_stddev_[f] = var > 1e-12 ? static_cast<float>(std::sqrt(var)) : 1.0f;
      feature_input_[f] = spec_.add_numeric_input(fc.name, to_source(fc.source), feature_mean_[f]);
    } else {
      feature_input_[f] = spec_.add_categorical_input(fc.name, to_source(fc.source),
                                                      fc.separator.empty() ? 1 : std::max(2u, fc.max_values));
    }
  }
}

// One column per input, vocabularies and bucket boundaries from the
// training split; the history's columns share the item vocabulary.
void SpecBuilder::add_columns() {
  {
    std::vector<std::pair<std::string, uint64_t>> counts;
    for (size_t u = 0; u < data_.user_count(); ++u) counts.emplace_back(data_.user_ids[u], user_count_[u]);
    const uint32_t c =
        spec_.add_column(kUserIdInput, fb::ColumnKind::Vocabulary, user_input_, config_.user_id.oov_buckets);
    spec_.columns[c].vocabulary = vocabulary(counts, config_.user_id.min_count);
    column_of_[kUserIdInput] = c;
  }
  std::vector<std::string> item_vocabulary;
  {
    std::vector<std::pair<std::string, uint64_t>> counts;
    for (size_t i = 0; i < data_.item_count(); ++i) counts.emplace_back(data_.item_ids[i], item_count_[i]);
    item_vocabulary = vocabulary(counts, config_.item_id.min_count);
    const uint64_t oov = std::max<uint64_t>(1, config_.item_id.oov_buckets);
    const uint32_t c = spec_.add_column(kItemIdInput, fb::ColumnKind::Vocabulary, item_input_, oov);
    spec_.columns[c].vocabulary = item_vocabulary;
    column_of_[kItemIdInput] = c;
  }
  if (history_input_ >= 0) {
    const uint32_t c =
        spec_.add_column(kHistoryInput, fb::ColumnKind::Vocabulary, static_cast<uint32_t>(history_input_),
                         std::max<uint64_t>(1, config_.item_id.oov_buckets));
    spec_.columns[c].vocabulary = item_vocabulary;
    column_of_[kHistoryInput] = c;
    for (uint32_t p = 1; p <= config_.history.slots; ++p) {
      const uint32_t slot =
          spec_.add_column(history_slot_name(p), fb::ColumnKind::Vocabulary, static_cast<uint32_t>(history_input_),
                           std::max<uint64_t>(1, config_.item_id.oov_buckets));
      spec_.columns[slot].vocabulary = item_vocabulary;
      spec_.columns[slot].position = p;
      column_of_[history_slot_name(p)] = slot;
    }
  }
  for (size_t f = 0; f < config_.features.size(); ++f) {
    const FeatureConfig& fc = config_.features[f];
    const FeatureValues& fv = data_.features[f];
    uint32_t c = 0;
    switch (fc.type) {
      case FeatureType::Vocabulary: {
        Counter counter;
        for (size_t e = 0; e < fv.categorical.size(); ++e) {
          if (!counted(fc, e)) continue;
          for (const std::string& v : fv.categorical[e]) counter.add(v);
        }
        c = spec_.add_column(fc.name, fb::ColumnKind::Vocabulary, feature_input_[f], fc.oov_buckets);
        spec_.columns[c].vocabulary = vocabulary(counter.counts(), fc.min_count);
        if (spec_.columns[c].vocabulary.empty() && fc.oov_buckets == 0) spec_.columns[c].buckets = 1;
        break;
      }
      case FeatureType::Hashed:
        c = spec_.add_column(fc.name, fb::ColumnKind::Hashed, feature_input_[f], fc.buckets);
        break;
      case FeatureType::Numeric:
        c = spec_.add_column(fc.name, fb::ColumnKind::Numeric, feature_input_[f]);
        spec_.columns[c].mean = feature_mean_[f];
        spec_.columns[c].stddev = feature_stddev_[f];
        break;
      case FeatureType::Bucketized: {
        c = spec_.add_column(fc.name, fb::ColumnKind::Bucketized, feature_input_[f]);
        if (!fc.boundaries.empty()) {
          spec_.columns[c].boundaries = fc.boundaries;
        } else {
          std::vector<float> present;
          for (size_t e = 0; e < fv.numeric.size(); ++e) {
            if (fv.present[e] && counted(fc, e)) present.push_back(fv.numeric[e]);
          }
          spec_.columns[c].boundaries = quantile_boundaries(present, fc.quantiles);
        }
        break;
      }
    }
    column_of_[fc.name] = c;
  }
}

// Crossed columns over the columns above, named "a_x_b".
void SpecBuilder::add_crosses() {
  for (const CrossConfig& cross : config_.crosses) {
    std::string name;
    std::vector<uint32_t> parts;
    for (const std::string& part : cross.columns) {
      name += (name.empty() ? "" : "_x_") + part;
      parts.push_back(column_of_.at(part));
    }
    const uint32_t c = spec_.add_column(name, fb::ColumnKind::Crossed, 0, cross.buckets);
    spec_.columns[c].crossed = parts;
    cross_columns_.push_back(c);
  }
}

// Wide terms (zero weights: FTRL starts there) and the bias.
// On-device learning adjusts, per customer, the terms the config names,
// by default those that read the user id or the history and the item id.
// Item features are left out by default: what a customer's choices say
// about their taste the history features already carry to the model, and
// learning it again over-counts it (see README: on-device learning).
Status SpecBuilder::add_wide_terms() {
  std::function<bool(uint32_t)> reads_user = [&](uint32_t column) {
    const ColumnSpec& cs = spec_.columns[column];
    if (cs.kind == fb::ColumnKind::Crossed) {
      return std::any_of(cs.crossed.begin(), cs.crossed.end(), reads_user);
    }
    return static_cast<int32_t>(cs.input) == spec_.user_id_input || static_cast<int32_t>(cs.input) == history_input_;
  };
  auto wide_term = [&](uint32_t column, fb::Combiner combiner) {
    WideTermSpec t;
    t.column = column;
    t.combiner = combiner;
    const ColumnSpec& cs = spec_.columns[column];
    const auto& names = config_.on_device.learnable;
    t.learnable = config_.on_device.learnable_given
                      ? std::find(names.begin(), names.end(), cs.name) != names.end()
                      : reads_user(column) || (cs.kind != fb::ColumnKind::Crossed && cs.input == spec_.item_id_input);
    t.weights.assign(cs.kind == fb::ColumnKind::Numeric ? 1 : cs.cardinality(), 0.0f);
    spec_.wide.push_back(std::move(t));
  };
  if (config_.user_id.wide) wide_term(column_of_[kUserIdInput], fb::Combiner::Sum);
  if (history_input_ >= 0 && config_.history.wide)
    wide_term(column_of_[kHistoryInput], to_combiner(config_.history.combiner));
  if (config_.item_id.wide) wide_term(column_of_[kItemIdInput], fb::Combiner::Sum);
  for (size_t f = 0; f < config_.features.size(); ++f) {
    if (config_.features[f].wide)
      wide_term(column_of_[config_.features[f].name], to_combiner(config_.features[f].combiner));
  }
  for (size_t x = 0; x < cross_columns_.size(); ++x) {
    wide_term(cross_columns_[x], to_combiner(config_.crosses[x].combiner));
  }
  for (const std::string& name : config_.on_device.learnable) {
    const bool found = std::any_of(spec_.wide.begin(), spec_.wide.end(),
                                   [&](const WideTermSpec& t) { return spec_.columns[t.column].name == name; });
    if (!found) {
      std::string terms;
      for (const WideTermSpec& t : spec_.wide) terms += (terms.empty() ? "" : ", ") + spec_.columns[t.column].name;
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "config: on_device.learnable: no wide term named '%s' (the wide terms: %s)", name.c_str(),
                        terms.c_str());
    }
  }
  // The bias starts at the log-odds of a positive.
  const double positives = 1.0 / (1.0 + config_.training.negatives);
  spec_.wide_bias = config_.training.negatives > 0 ? static_cast<float>(std::log(positives / (1.0 - positives))) : 0.0f;
  return Status();
}

// Deep inputs: request side first (the split of src/README.md, 'The fast
// path'); embeddings drawn from N(0, 1/dim).
Status SpecBuilder::add_deep_inputs(Random* random) {
  auto deep_input = [&](uint32_t column, uint32_t dim, fb::Combiner combiner) {
    DeepInputSpec d;
    d.column = column;
    d.combiner = combiner;
    d.dim = dim;
    if (dim > 0) {
      d.embedding.resize(spec_.columns[column].cardinality() * dim);
      const float scale = 1.0f / std::sqrt(static_cast<float>(dim));
      for (float& v : d.embedding) v = scale * static_cast<float>(random->normal());
    }
    spec_.deep.push_back(std::move(d));
  };
  auto feature_deep = [&](FeatureSource side) {
    for (size_t f = 0; f < config_.features.size(); ++f) {
      const FeatureConfig& fc = config_.features[f];
      if (fc.source != side) continue;
      if (fc.type == FeatureType::Numeric) {
        if (fc.deep) deep_input(column_of_[fc.name], 0, fb::Combiner::Sum);
      } else if (fc.embedding > 0) {
        deep_input(column_of_[fc.name], fc.embedding, to_combiner(fc.combiner));
      }
    }
  };
  if (config_.user_id.embedding > 0) {
    deep_input(column_of_[kUserIdInput], config_.user_id.embedding, fb::Combiner::Sum);
  }
  if (history_input_ >= 0 && config_.history.embedding > 0) {
    deep_input(column_of_[kHistoryInput], config_.history.embedding, to_combiner(config_.history.combiner));
    if (config_.history.encoder_blocks > 0 && config_.history.encoder_keeps_pooled) {
      deep_input(column_of_[kHistoryInput], config_.history.embedding, to_combiner(config_.history.combiner));
    }
    if (config_.history.encoder_blocks > 0) {
      init_sequence_encoder(config_.history.length, config_.history.embedding, config_.history.encoder_blocks, random,
                            &spec_.deep.back().sequence);
    }
    for (uint32_t p = 1; p <= config_.history.slots; ++p) {
      deep_input(column_of_[history_slot_name(p)], config_.history.embedding, fb::Combiner::Sum);
    }
  }
  feature_deep(FeatureSource::User);
  feature_deep(FeatureSource::Context);
  if (config_.item_id.embedding > 0) {
    deep_input(column_of_[kItemIdInput], config_.item_id.embedding, fb::Combiner::Sum);
  }
  feature_deep(FeatureSource::Item);
  if (spec_.deep.empty()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "config: the deep part has no inputs (give some feature an embedding)");
  }
  return Status();
}

// Layers: Glorot-uniform weights, zero biases.
void SpecBuilder::add_layers(Random* random) {
  uint32_t width = 0;
  for (const DeepInputSpec& d : spec_.deep) width += d.dim == 0 ? 1 : d.dim;
  std::vector<uint32_t> sizes = config_.hidden;
  sizes.push_back(1);
  for (size_t l = 0; l < sizes.size(); ++l) {
    DenseSpec layer;
    layer.in = width;
    layer.out = sizes[l];
    layer.relu = l + 1 < sizes.size();
    layer.weights.resize(size_t{layer.in} * layer.out);
    const float limit = std::sqrt(6.0f / static_cast<float>(layer.in + layer.out));
    for (float& w : layer.weights) w = limit * static_cast<float>(2.0 * random->uniform() - 1.0);
    layer.bias.assign(layer.out, 0.0f);
    spec_.layers.push_back(std::move(layer));
    width = sizes[l];
  }
}

// The catalog: every known item, with its features.
void SpecBuilder::add_catalog() {
  CatalogSpec& catalog = spec_.catalog;
  if (data_.integer_item_ids) {
    catalog.int_ids.reserve(data_.item_count());
    for (const std::string& id : data_.item_ids) {
      int64_t value = 0;
      parse_int64(id, &value);  // integer_item_ids: every id is a canonical int64
      catalog.int_ids.push_back(value);
    }
    // Integer vocabularies hash the same as their decimal strings; keep the
    // string form (it is what the requests carry).
  } else {
    catalog.ids = data_.item_ids;
  }
  for (size_t f = 0; f < config_.features.size(); ++f) {
    const FeatureConfig& fc = config_.features[f];
    if (fc.source != FeatureSource::Item) continue;
    const FeatureValues& fv = data_.features[f];
    if (fc.type == FeatureType::Numeric || fc.type == FeatureType::Bucketized) {
      std::vector<float>& values = catalog.numeric[feature_input_[f]];
      values.resize(data_.item_count());
      for (size_t i = 0; i < data_.item_count(); ++i) values[i] = fv.present[i] ? fv.numeric[i] : feature_mean_[f];
    } else {
      catalog.categorical[feature_input_[f]] = fv.categorical;
    }
  }
}

}  // namespace

Status build_model_spec(const TrainConfig& config, const Dataset& data, const Split& split, ModelSpec* out) {
  ModelSpec spec;
  Random random = Random::salted(config.training.seed * 0x9E3779B97F4A7C15ULL + 7);
  spec.metadata.name = config.name;
  spec.metadata.version = "1";
  spec.metadata.training_config = config.source_json;
  spec.metadata.data_fingerprint = data.fingerprint;

  SpecBuilder builder(config, data, &spec);
  builder.count_training(split);
  builder.add_inputs();
  builder.add_columns();
  builder.add_crosses();
  BARISTA_RETURN_IF_ERROR(builder.add_wide_terms());
  BARISTA_RETURN_IF_ERROR(builder.add_deep_inputs(&random));
  builder.add_layers(&random);
  builder.add_catalog();
  *out = std::move(spec);
  return Status();
}

}  // namespace barista::internal
