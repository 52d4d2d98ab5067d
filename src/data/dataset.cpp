#include "data/dataset.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "data/csv.h"
#include "hash/fingerprint.h"

namespace barista::internal {

namespace {

constexpr size_t kReportedBadRows = 10;

bool parse_double(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno != 0 || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool parse_int64(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || errno != 0) return false;
  *out = v;
  return true;
}

// Canonical decimal form: what fingerprint64_of_int would hash.
bool is_canonical_int64(const std::string& text) {
  int64_t v = 0;
  if (!parse_int64(text, &v)) return false;
  char buffer[24];
  return text == std::string(buffer, format_int64(v, buffer));
}

class BadRows {
 public:
  BadRows(const DataConfig& config, Dataset* data) : stop_(config.stop_on_bad_rows), data_(data) {}
  // Records a bad row; returns the status that stops the load, if any.
  Status add(const Status& problem) {
    ++data_->bad_rows;
    if (data_->bad_row_messages.size() < kReportedBadRows) data_->bad_row_messages.push_back(problem.message());
    if (stop_) {
      return Status(problem.code(), problem.message() + " (bad_rows is \"stop\")");
    }
    return Status();
  }

 private:
  bool stop_;
  Dataset* data_;
};

Status row_error(const CsvReader& csv, const std::string& what) {
  return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s:%zu: %s", csv.name().c_str(), csv.line(), what.c_str());
}

Status require_column(const CsvReader& csv, const std::string& name, const char* role, int* out) {
  *out = csv.column(name);
  if (*out < 0) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: no column '%s' (the %s); the header has %s",
                      csv.name().c_str(), name.c_str(), role, csv.header_list().c_str());
  }
  return Status();
}

// Extracts a feature's value(s) from a raw field: optional regex, optional
// separator. An empty result means missing.
struct Extractor {
  const FeatureConfig* feature;
  std::regex pattern;
  bool has_pattern = false;

  explicit Extractor(const FeatureConfig& f) : feature(&f) {
    if (!f.pattern.empty()) {
      pattern = std::regex(f.pattern, std::regex::ECMAScript);
      has_pattern = true;
    }
  }

  std::string apply_pattern(const std::string& raw) const {
    if (!has_pattern) return raw;
    std::smatch match;
    if (!std::regex_search(raw, match, pattern)) return std::string();
    return match.size() > 1 ? match[1].str() : match[0].str();
  }

  // Categorical values (possibly several); false when malformed.
  void categorical(const std::string& raw, std::vector<std::string>* out) const {
    out->clear();
    const std::string value = apply_pattern(raw);
    if (value.empty()) return;
    if (feature->separator.empty()) {
      out->push_back(value);
      return;
    }
    for (std::string_view part : split_values(value, feature->separator[0])) {
      if (out->size() >= feature->max_values) break;  // documented: the first max_values are kept
      out->emplace_back(part);
    }
  }

  // A numeric value; `present` false when missing; returns false when the
  // field holds something that is not a number.
  bool numeric(const std::string& raw, float* value, bool* present) const {
    const std::string text = apply_pattern(raw);
    *present = false;
    if (text.empty()) return true;
    double v = 0;
    if (!parse_double(text, &v) || std::fabs(v) > 3.4e38) return false;
    *value = static_cast<float>(v);
    *present = true;
    return true;
  }
};

bool is_numeric_type(FeatureType type) { return type == FeatureType::Numeric || type == FeatureType::Bucketized; }

// The configured features one CSV file holds (those of one source): their
// columns, extractors, and storage of their values per entity (an item, a
// user, or an interaction row).
class FeatureColumns {
 public:
  Status resolve(const TrainConfig& config, FeatureSource source, const CsvReader& csv) {
    config_ = &config;
    for (size_t f = 0; f < config.features.size(); ++f) {
      if (config.features[f].source != source) continue;
      int column = 0;
      BARISTA_RETURN_IF_ERROR(require_column(csv, config.features[f].column, config.features[f].name.c_str(), &column));
      columns_.emplace_back(f, column);
      try {
        extractors_.emplace_back(config.features[f]);
      } catch (const std::regex_error& e) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "config: features[%zu].pattern: not a valid regex (%s)", f,
                          e.what());
      }
    }
    return Status();
  }

  // Stores the current record's values for `entity`. A value that is not a
  // number where one is expected makes the row bad: *problem is set and
  // nothing is stored.
  void read(const CsvReader& csv, size_t entity, Dataset* data, Status* problem) {
    *problem = Status();
    for (size_t c = 0; c < columns_.size(); ++c) {
      const size_t f = columns_[c].first;
      FeatureValues& fv = data->features[f];
      const std::string& raw = csv.field(static_cast<size_t>(columns_[c].second));
      if (is_numeric_type(config_->features[f].type)) {
        float v = 0;
        bool present = false;
        if (!extractors_[c].numeric(raw, &v, &present)) {
          *problem = row_error(csv, "feature '" + config_->features[f].name + "': '" + raw + "' is not a number");
          drop(entity, data);
          return;
        }
        fv.numeric.resize(std::max(fv.numeric.size(), entity + 1), 0.0f);
        fv.present.resize(std::max(fv.present.size(), entity + 1), 0);
        fv.numeric[entity] = v;
        fv.present[entity] = present;
      } else {
        fv.categorical.resize(std::max(fv.categorical.size(), entity + 1));
        extractors_[c].categorical(raw, &fv.categorical[entity]);
      }
    }
  }

 private:
  // Forgets what `entity` (the last one) stored.
  void drop(size_t entity, Dataset* data) {
    for (const auto& [f, column] : columns_) {
      (void)column;
      FeatureValues& fv = data->features[f];
      if (fv.numeric.size() > entity) fv.numeric.resize(entity);
      if (fv.present.size() > entity) fv.present.resize(entity);
      if (fv.categorical.size() > entity) fv.categorical.resize(entity);
    }
  }

  const TrainConfig* config_ = nullptr;
  std::vector<std::pair<size_t, int>> columns_;  // (feature, column)
  std::vector<Extractor> extractors_;
};

// Reads the features of one source from an entity table (items or users).
Status load_entity_features(const TrainConfig& config, FeatureSource source, const std::string& path,
                            const std::string& id_column, Dataset* data, std::vector<std::string>* ids,
                            std::unordered_map<std::string, uint32_t>* index, uint64_t* fingerprint) {
  CsvDialect dialect;
  dialect.delimiter = config.data.delimiter;
  CsvReader csv;
  BARISTA_RETURN_IF_ERROR(CsvReader::open(config.path(path), dialect, &csv));
  int id = 0;
  BARISTA_RETURN_IF_ERROR(require_column(csv, id_column, "id", &id));
  FeatureColumns features;
  BARISTA_RETURN_IF_ERROR(features.resolve(config, source, csv));
  BadRows bad(config.data, data);
  Status problem;
  while (csv.next(&problem)) {
    ++data->rows_read;
    if (!problem.ok()) {
      BARISTA_RETURN_IF_ERROR(bad.add(problem));
      continue;
    }
    const std::string& key = csv.field(static_cast<size_t>(id));
    if (key.empty()) {
      BARISTA_RETURN_IF_ERROR(bad.add(row_error(csv, "the id is empty")));
      continue;
    }
    if (index->count(key) != 0) {
      BARISTA_RETURN_IF_ERROR(bad.add(row_error(csv, "id '" + key + "' appears twice; the first row counts")));
      continue;
    }
    features.read(csv, ids->size(), data, &problem);
    if (!problem.ok()) {  // a bad row leaves no trace
      BARISTA_RETURN_IF_ERROR(bad.add(problem));
      continue;
    }
    index->emplace(key, static_cast<uint32_t>(ids->size()));
    ids->push_back(key);
  }
  *fingerprint = fingerprint_cat64(*fingerprint, fingerprint64(csv.text()));
  return Status();
}

}  // namespace

Status load_dataset(const TrainConfig& config, Dataset* out) {
  Dataset data;
  data.features.resize(config.features.size());
  uint64_t fingerprint = 0;

  // Items first, so that the catalog keeps the items file's order.
  if (!config.data.items.empty()) {
    BARISTA_RETURN_IF_ERROR(load_entity_features(config, FeatureSource::Item, config.data.items,
                                                 config.data.items_id_column, &data, &data.item_ids, &data.item_index,
                                                 &fingerprint));
  }
  std::vector<std::string> user_table_ids;
  std::unordered_map<std::string, uint32_t> user_table_index;
  if (!config.data.users.empty()) {
    BARISTA_RETURN_IF_ERROR(load_entity_features(config, FeatureSource::User, config.data.users,
                                                 config.data.users_id_column, &data, &user_table_ids, &user_table_index,
                                                 &fingerprint));
  }
  for (size_t f = 0; f < config.features.size(); ++f) {
    const FeatureSource source = config.features[f].source;
    if ((source == FeatureSource::Item && config.data.items.empty()) ||
        (source == FeatureSource::User && config.data.users.empty())) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "config: features[%zu]: a %s feature needs data.%s", f,
                        source == FeatureSource::Item ? "item" : "user",
                        source == FeatureSource::Item ? "items" : "users");
    }
  }

  // Interactions.
  CsvDialect dialect;
  dialect.delimiter = config.data.delimiter;
  CsvReader csv;
  BARISTA_RETURN_IF_ERROR(CsvReader::open(config.path(config.data.interactions), dialect, &csv));
  int user_column = 0, item_column = 0, time_column = -1, label_column = -1, weight_column = -1;
  BARISTA_RETURN_IF_ERROR(require_column(csv, config.data.user_column, "user", &user_column));
  BARISTA_RETURN_IF_ERROR(require_column(csv, config.data.item_column, "item", &item_column));
  if (!config.data.time_column.empty()) {
    BARISTA_RETURN_IF_ERROR(require_column(csv, config.data.time_column, "time", &time_column));
  }
  if (!config.data.label_column.empty()) {
    BARISTA_RETURN_IF_ERROR(require_column(csv, config.data.label_column, "label", &label_column));
  }
  if (!config.data.weight_column.empty()) {
    BARISTA_RETURN_IF_ERROR(require_column(csv, config.data.weight_column, "weight", &weight_column));
  }
  FeatureColumns context;
  BARISTA_RETURN_IF_ERROR(context.resolve(config, FeatureSource::Context, csv));

  BadRows bad(config.data, &data);
  std::vector<Interaction> rows;
  Status problem;
  uint32_t row = 0;
  while (csv.next(&problem)) {
    ++data.rows_read;
    if (!problem.ok()) {
      BARISTA_RETURN_IF_ERROR(bad.add(problem));
      continue;
    }
    const std::string& user = csv.field(static_cast<size_t>(user_column));
    const std::string& item = csv.field(static_cast<size_t>(item_column));
    if (user.empty() || item.empty()) {
      BARISTA_RETURN_IF_ERROR(bad.add(row_error(csv, user.empty() ? "the user is empty" : "the item is empty")));
      continue;
    }
    Interaction x;
    if (time_column >= 0) {
      double t = 0;
      if (!parse_double(csv.field(static_cast<size_t>(time_column)), &t)) {
        BARISTA_RETURN_IF_ERROR(
            bad.add(row_error(csv, "time '" + csv.field(static_cast<size_t>(time_column)) + "' is not a number")));
        continue;
      }
      x.time = static_cast<int64_t>(t);
    }
    if (label_column >= 0) {
      double v = 0;
      if (!parse_double(csv.field(static_cast<size_t>(label_column)), &v)) {
        BARISTA_RETURN_IF_ERROR(
            bad.add(row_error(csv, "label '" + csv.field(static_cast<size_t>(label_column)) + "' is not a number")));
        continue;
      }
      if (config.data.label_threshold >= 0) {
        v = v >= config.data.label_threshold ? 1.0 : 0.0;
      } else if (v < 0.0 || v > 1.0) {
        BARISTA_RETURN_IF_ERROR(
            bad.add(row_error(csv, "label " + csv.field(static_cast<size_t>(label_column)) +
                                       " is outside [0, 1] (set data.interactions.label_threshold)")));
        continue;
      }
      x.label = static_cast<float>(v);
    }
    if (weight_column >= 0) {
      double w = 0;
      if (!parse_double(csv.field(static_cast<size_t>(weight_column)), &w) || w < 0) {
        BARISTA_RETURN_IF_ERROR(bad.add(row_error(
            csv, "weight '" + csv.field(static_cast<size_t>(weight_column)) + "' is not a non-negative number")));
        continue;
      }
      x.weight = static_cast<float>(w);
    }
    context.read(csv, row, &data, &problem);
    if (!problem.ok()) {
      BARISTA_RETURN_IF_ERROR(bad.add(problem));
      continue;
    }
    auto [user_it, new_user] = data.user_index.emplace(user, static_cast<uint32_t>(data.user_ids.size()));
    if (new_user) data.user_ids.push_back(user);
    auto [item_it, new_item] = data.item_index.emplace(item, static_cast<uint32_t>(data.item_ids.size()));
    if (new_item) data.item_ids.push_back(item);
    x.user = user_it->second;
    x.item = item_it->second;
    x.row = row++;
    rows.push_back(x);
  }
  fingerprint = fingerprint_cat64(fingerprint, fingerprint64(csv.text()));
  if (rows.empty()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: no usable interactions", csv.name().c_str());
  }

  // Entity features for items only seen in interactions, and user features
  // re-indexed from the users file to interaction users.
  for (size_t f = 0; f < config.features.size(); ++f) {
    FeatureValues& fv = data.features[f];
    const bool numeric = is_numeric_type(config.features[f].type);
    if (config.features[f].source == FeatureSource::Item) {
      if (numeric) {
        fv.numeric.resize(data.item_ids.size(), 0.0f);
        fv.present.resize(data.item_ids.size(), 0);
      } else {
        fv.categorical.resize(data.item_ids.size());
      }
    } else if (config.features[f].source == FeatureSource::User) {
      FeatureValues by_user;
      for (const std::string& user : data.user_ids) {
        auto it = user_table_index.find(user);
        if (numeric) {
          by_user.numeric.push_back(it == user_table_index.end() ? 0.0f : fv.numeric[it->second]);
          by_user.present.push_back(it == user_table_index.end() ? 0 : fv.present[it->second]);
        } else {
          by_user.categorical.push_back(it == user_table_index.end() ? std::vector<std::string>()
                                                                     : fv.categorical[it->second]);
        }
      }
      fv = std::move(by_user);
    } else if (numeric) {
      fv.numeric.resize(row, 0.0f);
      fv.present.resize(row, 0);
    } else {
      fv.categorical.resize(row);
    }
  }

  // Group by user, time-ordered, ties in file order.
  std::stable_sort(rows.begin(), rows.end(), [](const Interaction& a, const Interaction& b) {
    if (a.user != b.user) return a.user < b.user;
    return a.time < b.time;
  });
  data.interactions = std::move(rows);
  data.user_begin.assign(data.user_ids.size() + 1, 0);
  for (const Interaction& x : data.interactions) ++data.user_begin[x.user + 1];
  for (size_t u = 0; u < data.user_ids.size(); ++u) data.user_begin[u + 1] += data.user_begin[u];

  data.integer_item_ids = std::all_of(data.item_ids.begin(), data.item_ids.end(), is_canonical_int64);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fingerprint));
  data.fingerprint = hex;
  *out = std::move(data);
  return Status();
}

Split make_split(const Dataset& data, TrainingConfig::Holdout holdout, bool validation) {
  Split split;
  const size_t users = data.user_count();
  split.test.assign(users, -1);
  split.validation.assign(users, -1);
  split.in_training.assign(data.interactions.size(), 1);
  for (size_t u = 0; u < users; ++u) {
    const int64_t begin = data.user_begin[u], end = data.user_begin[u + 1];
    int64_t last = end - 1;
    if (holdout == TrainingConfig::Holdout::Last && end - begin >= 2) {
      split.test[u] = last--;
      split.in_training[static_cast<size_t>(split.test[u])] = 0;
    }
    if (validation && last - begin >= 1) {  // keep at least one training interaction
      split.validation[u] = last;
      split.in_training[static_cast<size_t>(last)] = 0;
    }
  }
  for (uint8_t t : split.in_training) split.training_count += t;
  return split;
}

}  // namespace barista::internal
