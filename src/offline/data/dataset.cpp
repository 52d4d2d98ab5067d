#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "common/parse_number.h"
#include "data/csv.h"
#include "data/row_filter.h"
#include "data/timestamp.h"
#include "hash/fingerprint.h"

namespace barista::internal {

namespace {

constexpr size_t kReportedBadRows = 10;

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
    if (!parse_finite_double(text, &v) || std::fabs(v) > 3.4e38) return false;
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
CsvDialect dialect_of(const CsvFileConfig& file) {
  CsvDialect dialect;
  dialect.delimiter = file.delimiter;
  dialect.header = file.header;
  return dialect;
}

Status load_entity_features(const TrainConfig& config, FeatureSource source, const CsvFileConfig& file,
                            const std::string& id_column, Dataset* data, std::vector<std::string>* ids,
                            std::unordered_map<std::string, uint32_t>* index, uint64_t* fingerprint) {
  CsvReader csv;
  BARISTA_RETURN_IF_ERROR(CsvReader::open(config.path(file.path), dialect_of(file), &csv));
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

// One value per item for an item feature read from the interactions file:
// `rows` (per item, its rows in file order) index `per_row`'s values.
void aggregate_item_feature(const FeatureConfig& feature, const FeatureValues& per_row,
                            const std::vector<std::vector<uint32_t>>& rows, FeatureValues* out) {
  const size_t items = rows.size();
  if (is_numeric_type(feature.type)) {
    out->numeric.assign(items, 0.0f);
    out->present.assign(items, 0);
    std::vector<float> values;
    for (size_t i = 0; i < items; ++i) {
      values.clear();
      for (uint32_t r : rows[i]) {
        if (r < per_row.present.size() && per_row.present[r]) values.push_back(per_row.numeric[r]);
      }
      if (values.empty()) continue;
      float v = 0.0f;
      switch (feature.aggregate) {
        case Aggregate::First: v = values.front(); break;
        case Aggregate::Last: v = values.back(); break;
        case Aggregate::Mean: {
          double sum = 0.0;
          for (float x : values) sum += static_cast<double>(x);
          v = static_cast<float>(sum / static_cast<double>(values.size()));
          break;
        }
        default: {  // the median (of an even count, the mean of the middle two)
          std::sort(values.begin(), values.end());
          const size_t mid = values.size() / 2;
          v = values.size() % 2 ? values[mid] : static_cast<float>((static_cast<double>(values[mid - 1]) +
                                                                    static_cast<double>(values[mid])) / 2.0);
        }
      }
      out->numeric[i] = v;
      out->present[i] = 1;
    }
    return;
  }
  out->categorical.assign(items, {});
  for (size_t i = 0; i < items; ++i) {
    const std::vector<std::string>* chosen = nullptr;
    if (feature.aggregate == Aggregate::First || feature.aggregate == Aggregate::Last) {
      for (uint32_t r : rows[i]) {
        if (r >= per_row.categorical.size() || per_row.categorical[r].empty()) continue;
        chosen = &per_row.categorical[r];
        if (feature.aggregate == Aggregate::First) break;
      }
    } else {  // the most frequent value list (ties: the first seen)
      std::vector<std::pair<const std::vector<std::string>*, size_t>> counts;
      for (uint32_t r : rows[i]) {
        if (r >= per_row.categorical.size() || per_row.categorical[r].empty()) continue;
        const std::vector<std::string>& list = per_row.categorical[r];
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return *c.first == list; });
        if (it == counts.end()) {
          counts.emplace_back(&list, 1);
        } else {
          ++it->second;
        }
      }
      size_t best = 0;
      for (const auto& [list, count] : counts) {
        if (count > best) {
          best = count;
          chosen = list;
        }
      }
    }
    if (chosen != nullptr) out->categorical[i] = *chosen;
  }
}

}  // namespace

Status load_dataset(const TrainConfig& config, Dataset* out) {
  Dataset data;
  data.features.resize(config.features.size());
  uint64_t fingerprint = 0;
  const DataConfig& files = config.data;

  // Items first, so that the catalog keeps the items file's order.
  if (!files.items.path.empty()) {
    BARISTA_RETURN_IF_ERROR(load_entity_features(config, FeatureSource::Item, files.items, files.items_id_column,
                                                 &data, &data.item_ids, &data.item_index, &fingerprint));
  }
  const size_t items_in_file = data.item_ids.size();
  std::vector<std::string> user_table_ids;
  std::unordered_map<std::string, uint32_t> user_table_index;
  if (!files.users.path.empty()) {
    BARISTA_RETURN_IF_ERROR(load_entity_features(config, FeatureSource::User, files.users, files.users_id_column,
                                                 &data, &user_table_ids, &user_table_index, &fingerprint));
  }
  bool item_features = false;
  for (size_t f = 0; f < config.features.size(); ++f) {
    const FeatureSource source = config.features[f].source;
    item_features = item_features || source == FeatureSource::Item;
    if (source == FeatureSource::User && files.users.path.empty()) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "config: features[%zu]: a user feature needs data.users", f);
    }
  }
  // Without an items file, item features come from the interactions file:
  // each row's values, aggregated per item once every row is read.
  const bool item_features_from_rows = item_features && files.items.path.empty();

  // Interactions.
  CsvReader csv;
  BARISTA_RETURN_IF_ERROR(CsvReader::open(config.path(files.interactions.path), dialect_of(files.interactions), &csv));
  int user_column = 0, item_column = 0, time_column = -1, label_column = -1, weight_column = -1;
  BARISTA_RETURN_IF_ERROR(require_column(csv, files.user_column, "user", &user_column));
  BARISTA_RETURN_IF_ERROR(require_column(csv, files.item_column, "item", &item_column));
  if (!files.time_column.empty()) {
    BARISTA_RETURN_IF_ERROR(require_column(csv, files.time_column, "time", &time_column));
  }
  if (!files.label_column.empty()) {
    BARISTA_RETURN_IF_ERROR(require_column(csv, files.label_column, "label", &label_column));
  }
  if (!files.weight_column.empty()) {
    BARISTA_RETURN_IF_ERROR(require_column(csv, files.weight_column, "weight", &weight_column));
  }
  RowFilters filters;
  BARISTA_RETURN_IF_ERROR(RowFilters::create(files.drop, csv, &filters));
  FeatureColumns context;
  BARISTA_RETURN_IF_ERROR(context.resolve(config, FeatureSource::Context, csv));
  FeatureColumns item_columns;
  Dataset item_rows;  // item feature values per accepted row
  std::vector<uint32_t> row_item;
  if (item_features_from_rows) {
    BARISTA_RETURN_IF_ERROR(item_columns.resolve(config, FeatureSource::Item, csv));
    item_rows.features.resize(config.features.size());
  }

  BadRows bad(files, &data);
  std::vector<Interaction> rows;
  Status problem;
  uint32_t row = 0;
  std::string why;
  while (csv.next(&problem)) {
    ++data.rows_read;
    if (!problem.ok()) {
      BARISTA_RETURN_IF_ERROR(bad.add(problem));
      continue;
    }
    if (!filters.empty()) {
      const bool dropped = filters.drops(csv, &problem);
      if (!problem.ok()) {
        BARISTA_RETURN_IF_ERROR(bad.add(problem));
        continue;
      }
      if (dropped) {
        ++data.dropped_rows;
        continue;
      }
    }
    const std::string& user = csv.field(static_cast<size_t>(user_column));
    const std::string& item = csv.field(static_cast<size_t>(item_column));
    if (user.empty() || item.empty()) {
      BARISTA_RETURN_IF_ERROR(bad.add(row_error(csv, user.empty() ? "the user is empty" : "the item is empty")));
      continue;
    }
    Interaction x;
    if (time_column >= 0) {
      if (!parse_time(csv.field(static_cast<size_t>(time_column)), &x.time, &why)) {
        BARISTA_RETURN_IF_ERROR(bad.add(row_error(csv, "time " + why)));
        continue;
      }
    }
    if (label_column >= 0) {
      double v = 0;
      if (!parse_finite_double(csv.field(static_cast<size_t>(label_column)), &v)) {
        BARISTA_RETURN_IF_ERROR(
            bad.add(row_error(csv, "label '" + csv.field(static_cast<size_t>(label_column)) + "' is not a number")));
        continue;
      }
      if (files.label_threshold >= 0) {
        v = v >= files.label_threshold ? 1.0 : 0.0;
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
      if (!parse_finite_double(csv.field(static_cast<size_t>(weight_column)), &w) || w < 0) {
        BARISTA_RETURN_IF_ERROR(bad.add(row_error(
            csv, "weight '" + csv.field(static_cast<size_t>(weight_column)) + "' is not a non-negative number")));
        continue;
      }
      x.weight = static_cast<float>(w);
    }
    context.read(csv, row, &data, &problem);
    if (problem.ok() && item_features_from_rows) item_columns.read(csv, row, &item_rows, &problem);
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
    if (item_features_from_rows) row_item.push_back(x.item);
  }
  fingerprint = fingerprint_cat64(fingerprint, fingerprint64(csv.text()));
  if (rows.empty()) {
    std::string detail = std::to_string(data.rows_read) + " rows read";
    if (data.dropped_rows > 0) detail += ", " + std::to_string(data.dropped_rows) + " dropped by data.interactions.drop";
    if (data.bad_rows > 0) {
      detail += ", " + std::to_string(data.bad_rows) + " bad; the first: " + data.bad_row_messages[0];
    }
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: no usable interactions (%s)", csv.name().c_str(),
                      detail.c_str());
  }

  // Group by user, time-ordered, ties in file order.
  std::stable_sort(rows.begin(), rows.end(), [](const Interaction& a, const Interaction& b) {
    if (a.user != b.user) return a.user < b.user;
    return a.time < b.time;
  });
  if (files.repeats == DataConfig::Repeats::First || files.min_user_items > 1) {
    // Per user: repeats dropped (data.repeats "first"), and the whole user
    // when they had fewer distinct items than data.min_user_items.
    std::vector<Interaction> kept;
    kept.reserve(rows.size());
    std::vector<uint32_t> items;
    for (size_t begin = 0; begin < rows.size();) {
      size_t end = begin;
      while (end < rows.size() && rows[end].user == rows[begin].user) ++end;
      items.clear();
      for (size_t j = begin; j < end; ++j) items.push_back(rows[j].item);
      std::sort(items.begin(), items.end());
      const size_t distinct = static_cast<size_t>(std::unique(items.begin(), items.end()) - items.begin());
      if (distinct >= files.min_user_items) {
        if (files.repeats == DataConfig::Repeats::First) {
          items.clear();  // the items seen so far, sorted
          const size_t before = kept.size();
          for (size_t j = begin; j < end; ++j) {
            auto at = std::lower_bound(items.begin(), items.end(), rows[j].item);
            if (at != items.end() && *at == rows[j].item) continue;
            items.insert(at, rows[j].item);
            kept.push_back(rows[j]);
          }
          data.repeats_dropped += (end - begin) - (kept.size() - before);
        } else {
          kept.insert(kept.end(), rows.begin() + static_cast<ptrdiff_t>(begin), rows.begin() + static_cast<ptrdiff_t>(end));
        }
      } else {
        ++data.users_left_out;
      }
      begin = end;
    }
    rows = std::move(kept);
    if (rows.empty()) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "%s: no user has %u or more distinct items (data.min_user_items)", csv.name().c_str(),
                        files.min_user_items);
    }
    // Renumber users and items: those left out go, the items file's stay.
    std::vector<int64_t> new_user(data.user_ids.size(), -1), new_item(data.item_ids.size(), -1);
    for (const Interaction& x : rows) {
      new_user[x.user] = 0;
      new_item[x.item] = 0;
    }
    for (size_t i = 0; i < items_in_file; ++i) new_item[i] = 0;
    auto renumber = [](std::vector<int64_t>* map, std::vector<std::string>* ids,
                       std::unordered_map<std::string, uint32_t>* index) {
      std::vector<std::string> kept_ids;
      for (size_t i = 0; i < map->size(); ++i) {
        if ((*map)[i] < 0) continue;
        (*map)[i] = static_cast<int64_t>(kept_ids.size());
        kept_ids.push_back(std::move((*ids)[i]));
      }
      *ids = std::move(kept_ids);
      index->clear();
      for (size_t i = 0; i < ids->size(); ++i) index->emplace((*ids)[i], static_cast<uint32_t>(i));
    };
    renumber(&new_user, &data.user_ids, &data.user_index);
    renumber(&new_item, &data.item_ids, &data.item_index);
    for (Interaction& x : rows) {
      x.user = static_cast<uint32_t>(new_user[x.user]);
      x.item = static_cast<uint32_t>(new_item[x.item]);
    }
    for (uint32_t& item : row_item) item = new_item[item] < 0 ? UINT32_MAX : static_cast<uint32_t>(new_item[item]);
  }

  // Entity features for items only seen in interactions, and user features
  // re-indexed from the users file to interaction users.
  std::vector<std::vector<uint32_t>> rows_of_item;
  if (item_features_from_rows) {
    rows_of_item.resize(data.item_ids.size());
    for (uint32_t r = 0; r < row_item.size(); ++r) {
      if (row_item[r] != UINT32_MAX) rows_of_item[row_item[r]].push_back(r);
    }
  }
  for (size_t f = 0; f < config.features.size(); ++f) {
    FeatureValues& fv = data.features[f];
    const bool numeric = is_numeric_type(config.features[f].type);
    if (config.features[f].source == FeatureSource::Item) {
      if (item_features_from_rows) {
        aggregate_item_feature(config.features[f], item_rows.features[f], rows_of_item, &fv);
      } else if (numeric) {
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

namespace {

// The position in [begin, end) of the last interaction whose item the user
// had not had before it, or -1 when that is `begin` (nothing precedes it).
int64_t last_new_item(const Dataset& data, int64_t begin, int64_t end) {
  std::vector<uint32_t> seen;
  int64_t last = -1;
  for (int64_t j = begin; j < end; ++j) {
    const uint32_t item = data.interactions[static_cast<size_t>(j)].item;
    auto at = std::lower_bound(seen.begin(), seen.end(), item);
    if (at != seen.end() && *at == item) continue;
    seen.insert(at, item);
    last = j;
  }
  return last > begin ? last : -1;
}

}  // namespace

Split make_split(const Dataset& data, TrainingConfig::Holdout holdout, bool validation) {
  Split split;
  const size_t users = data.user_count();
  split.test.assign(users, -1);
  split.validation.assign(users, -1);
  split.in_training.assign(data.interactions.size(), 1);
  for (size_t u = 0; u < users; ++u) {
    const int64_t begin = data.user_begin[u], end = data.user_begin[u + 1];
    if (holdout == TrainingConfig::Holdout::LastNew) {
      const int64_t test = last_new_item(data, begin, end);
      if (test < 0) continue;
      split.test[u] = test;
      int64_t training_end = test;
      if (validation) {
        const int64_t held = last_new_item(data, begin, test);
        if (held >= 0) {
          split.validation[u] = held;
          training_end = held;
        }
      }
      for (int64_t j = training_end; j < end; ++j) split.in_training[static_cast<size_t>(j)] = 0;
      continue;
    }
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
