#include "config/train_config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

namespace barista::internal {

namespace {

// Reads the members of one JSON object, remembering which keys were used so
// that unknown (misspelled) keys are reported with their full path.
class ObjectReader {
 public:
  ObjectReader(const json::Value& value, std::string path) : value_(value), path_(std::move(path)) {}

  Status check_object() const {
    if (value_.type != json::Type::Object)
      return error(path_, std::string("expected an object, got ") + json::type_name(value_.type));
    return Status();
  }

  std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const json::Value* get(const std::string& key) {
    used_.push_back(key);
    const json::Value* v = value_.find(key);
    return v != nullptr && v->type != json::Type::Null ? v : nullptr;
  }

  Status string(const std::string& key, std::string* out, bool required = false) {
    const json::Value* v = get(key);
    if (v == nullptr) return required ? missing(key) : Status();
    if (v->type != json::Type::String) return wrong(key, *v, "a string");
    *out = v->string;
    return Status();
  }

  Status boolean(const std::string& key, bool* out) {
    const json::Value* v = get(key);
    if (v == nullptr) return Status();
    if (v->type != json::Type::Bool) return wrong(key, *v, "true or false");
    *out = v->boolean;
    return Status();
  }

  Status number(const std::string& key, double* out, double lo, double hi) {
    const json::Value* v = get(key);
    if (v == nullptr) return Status();
    if (v->type != json::Type::Number) return wrong(key, *v, "a number");
    if (!(v->number >= lo && v->number <= hi)) {
      return error(key_path(key),
                   "must be between " + format(lo) + " and " + format(hi) + ", not " + format(v->number));
    }
    *out = v->number;
    return Status();
  }

  template <class Int>
  Status integer(const std::string& key, Int* out, double lo, double hi) {
    double d = static_cast<double>(*out);
    BARISTA_RETURN_IF_ERROR(number(key, &d, lo, hi));
    if (d != std::floor(d)) return error(key_path(key), "must be a whole number, not " + format(d));
    *out = static_cast<Int>(d);
    return Status();
  }

  Status choice(const std::string& key, const std::vector<std::string>& options, size_t* out) {
    std::string s;
    BARISTA_RETURN_IF_ERROR(string(key, &s));
    if (s.empty()) return Status();
    for (size_t i = 0; i < options.size(); ++i) {
      if (options[i] == s) {
        *out = i;
        return Status();
      }
    }
    std::string list;
    for (const std::string& o : options) list += (list.empty() ? "" : ", ") + o;
    return error(key_path(key), "expected one of " + list + ", not '" + s + "'");
  }

  // Every key of the object must have been read.
  Status finish() const {
    for (const auto& member : value_.object) {
      bool known = false;
      for (const std::string& k : used_) known = known || k == member.first;
      if (!known) {
        // Each known key once, in the order first read (a key may be read twice).
        std::vector<std::string> listed;
        std::string list;
        for (const std::string& k : used_) {
          if (std::find(listed.begin(), listed.end(), k) != listed.end()) continue;
          listed.push_back(k);
          list += (list.empty() ? "" : ", ") + k;
        }
        return error(key_path(member.first), "unknown key (known here: " + list + ")");
      }
    }
    return Status();
  }

  Status missing(const std::string& key) const { return error(key_path(key), "is required"); }
  Status wrong(const std::string& key, const json::Value& v, const char* expected) const {
    return error(key_path(key), std::string("expected ") + expected + ", got " + json::type_name(v.type) + " (line " +
                                    std::to_string(v.line) + ")");
  }
  static Status error(const std::string& path, const std::string& what) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "config: %s: %s", path.c_str(), what.c_str());
  }
  static std::string format(double d) {
    std::ostringstream s;
    s << d;
    return s.str();
  }

 private:
  const json::Value& value_;
  std::string path_;
  std::vector<std::string> used_;
};

// Runs `read` on the object at `key` (absent: nothing to do).
Status nested(ObjectReader& parent, const std::string& key, const std::function<Status(ObjectReader&)>& read) {
  const json::Value* v = parent.get(key);
  if (v == nullptr) return Status();
  ObjectReader reader(*v, parent.key_path(key));
  BARISTA_RETURN_IF_ERROR(reader.check_object());
  BARISTA_RETURN_IF_ERROR(read(reader));
  return reader.finish();
}

Status read_combiner(ObjectReader& r, CombinerName* out) {
  size_t c = static_cast<size_t>(*out);
  BARISTA_RETURN_IF_ERROR(r.choice("combiner", {"sum", "mean", "sqrtn"}, &c));
  *out = static_cast<CombinerName>(c);
  return Status();
}

Status read_id(ObjectReader& r, IdConfig* id, FeatureSource source) {
  const bool is_user = source == FeatureSource::User;
  BARISTA_RETURN_IF_ERROR(r.integer("embedding", &id->embedding, 0, 4096));
  BARISTA_RETURN_IF_ERROR(r.boolean("wide", &id->wide));
  BARISTA_RETURN_IF_ERROR(r.integer("min_count", &id->min_count, 1, 1e9));
  BARISTA_RETURN_IF_ERROR(r.integer("oov_buckets", &id->oov_buckets, is_user ? 1 : 0, 1e7));
  if (is_user) BARISTA_RETURN_IF_ERROR(r.number("dropout", &id->dropout, 0.0, 1.0));
  return Status();
}

Status read_feature(const json::Value& v, const std::string& path, FeatureConfig* f) {
  ObjectReader r(v, path);
  BARISTA_RETURN_IF_ERROR(r.check_object());
  BARISTA_RETURN_IF_ERROR(r.string("name", &f->name, true));
  size_t source = 2;
  BARISTA_RETURN_IF_ERROR(r.choice("source", {"user", "context", "item"}, &source));
  f->source = static_cast<FeatureSource>(source);
  f->column = f->name;
  BARISTA_RETURN_IF_ERROR(r.string("column", &f->column));
  BARISTA_RETURN_IF_ERROR(r.string("separator", &f->separator));
  if (f->separator.size() > 1) return ObjectReader::error(r.key_path("separator"), "must be one character");
  BARISTA_RETURN_IF_ERROR(r.integer("max_values", &f->max_values, 1, 4096));
  BARISTA_RETURN_IF_ERROR(r.string("pattern", &f->pattern));
  size_t type = 0;
  BARISTA_RETURN_IF_ERROR(r.choice("type", {"vocabulary", "hashed", "numeric", "bucketized"}, &type));
  f->type = static_cast<FeatureType>(type);
  BARISTA_RETURN_IF_ERROR(r.integer("min_count", &f->min_count, 1, 1e9));
  BARISTA_RETURN_IF_ERROR(r.integer("oov_buckets", &f->oov_buckets, 0, 1e7));
  BARISTA_RETURN_IF_ERROR(r.integer("buckets", &f->buckets, 0, 2147483648.0));
  BARISTA_RETURN_IF_ERROR(r.integer("quantiles", &f->quantiles, 0, 1000));
  BARISTA_RETURN_IF_ERROR(r.integer("embedding", &f->embedding, 0, 4096));
  BARISTA_RETURN_IF_ERROR(r.boolean("deep", &f->deep));
  BARISTA_RETURN_IF_ERROR(r.boolean("wide", &f->wide));
  BARISTA_RETURN_IF_ERROR(read_combiner(r, &f->combiner));
  size_t aggregate = 0;
  BARISTA_RETURN_IF_ERROR(
      r.choice("aggregate", {"default", "most_frequent", "first", "last", "median", "mean"}, &aggregate));
  f->aggregate = static_cast<Aggregate>(aggregate);
  if (const json::Value* b = r.get("boundaries")) {
    if (b->type != json::Type::Array) return r.wrong("boundaries", *b, "an array of numbers");
    for (size_t i = 0; i < b->array.size(); ++i) {
      if (b->array[i].type != json::Type::Number) {
        return ObjectReader::error(r.key_path("boundaries") + "[" + std::to_string(i) + "]", "expected a number");
      }
      f->boundaries.push_back(static_cast<float>(b->array[i].number));
      if (i > 0 && !(f->boundaries[i - 1] < f->boundaries[i])) {
        return ObjectReader::error(r.key_path("boundaries"), "must be strictly increasing");
      }
    }
  }
  BARISTA_RETURN_IF_ERROR(r.finish());
  // Consistency between keys.
  const bool numeric_input = f->type == FeatureType::Numeric || f->type == FeatureType::Bucketized;
  if (f->type == FeatureType::Hashed && f->buckets == 0) {
    return ObjectReader::error(path + ".buckets", "a hashed feature needs buckets > 0");
  }
  if (f->type == FeatureType::Bucketized && f->boundaries.empty() && f->quantiles < 2) {
    return ObjectReader::error(path, "a bucketized feature needs boundaries or quantiles >= 2");
  }
  if (numeric_input && !f->separator.empty()) {
    return ObjectReader::error(path + ".separator", "numeric features take one value");
  }
  if (!numeric_input && (f->aggregate == Aggregate::Median || f->aggregate == Aggregate::Mean)) {
    return ObjectReader::error(path + ".aggregate", "median and mean are for numbers; a categorical feature takes "
                                                    "most_frequent, first or last");
  }
  if (numeric_input && f->aggregate == Aggregate::MostFrequent) {
    return ObjectReader::error(path + ".aggregate", "a number takes median, mean, first or last");
  }
  if (f->aggregate != Aggregate::Default && f->source != FeatureSource::Item) {
    return ObjectReader::error(path + ".aggregate", "only item features are aggregated (over an item's rows)");
  }
  if (f->type == FeatureType::Numeric && f->embedding > 0) {
    return ObjectReader::error(path + ".embedding", "numeric features enter the deep part as values (use deep: true)");
  }
  return Status();
}

// One rule of data.interactions.drop: a column and exactly one condition.
Status read_filter(const json::Value& v, const std::string& path, RowFilter* out) {
  ObjectReader r(v, path);
  BARISTA_RETURN_IF_ERROR(r.check_object());
  BARISTA_RETURN_IF_ERROR(r.string("column", &out->column, true));
  int conditions = 0;
  auto strings = [&](const char* key, RowFilter::Kind kind) -> Status {
    const json::Value* value = r.get(key);
    if (value == nullptr) return Status();
    ++conditions;
    out->kind = kind;
    if (value->type == json::Type::String) {
      out->values.push_back(value->string);
      return Status();
    }
    if (value->type != json::Type::Array) return r.wrong(key, *value, "a string or an array of strings");
    for (const json::Value& item : value->array) {
      if (item.type != json::Type::String) return r.wrong(key, item, "strings");
      out->values.push_back(item.string);
    }
    return Status();
  };
  BARISTA_RETURN_IF_ERROR(strings("prefix", RowFilter::Kind::Prefix));
  BARISTA_RETURN_IF_ERROR(strings("in", RowFilter::Kind::In));
  for (const auto& [key, kind] : {std::pair<const char*, RowFilter::Kind>{"at_most", RowFilter::Kind::AtMost},
                                  std::pair<const char*, RowFilter::Kind>{"at_least", RowFilter::Kind::AtLeast}}) {
    if (r.get(key) == nullptr) continue;
    ++conditions;
    out->kind = kind;
    BARISTA_RETURN_IF_ERROR(r.number(key, &out->bound, -1e300, 1e300));
  }
  bool empty = false;
  if (r.get("empty") != nullptr) {
    BARISTA_RETURN_IF_ERROR(r.boolean("empty", &empty));
    if (!empty) return ObjectReader::error(r.key_path("empty"), "only true is meaningful (drop rows where it is empty)");
    ++conditions;
    out->kind = RowFilter::Kind::Empty;
  }
  if (r.get("matches") != nullptr) {
    ++conditions;
    out->kind = RowFilter::Kind::Matches;
    BARISTA_RETURN_IF_ERROR(r.string("matches", &out->pattern));
  }
  BARISTA_RETURN_IF_ERROR(r.finish());
  if (conditions != 1) {
    return ObjectReader::error(path, "needs exactly one of prefix, in, empty, at_most, at_least, matches");
  }
  return Status();
}

}  // namespace

std::string history_slot_name(uint32_t position) { return "history@" + std::to_string(position); }

const char* combiner_name(CombinerName c) {
  return c == CombinerName::Sum ? "sum" : c == CombinerName::Mean ? "mean" : "sqrtn";
}

std::string TrainConfig::path(const std::string& relative) const {
  if (relative.empty() || relative[0] == '/' || base_dir.empty()) return relative;
  return base_dir + "/" + relative;
}

Status parse_train_config(const std::string& text, const std::string& base_dir, TrainConfig* out) {
  json::Value root;
  Status parsed = json::parse(text, &root);
  if (!parsed.ok()) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "config: %s", parsed.message().c_str());
  return parse_train_config(root, base_dir, out);
}

Status parse_train_config(const json::Value& root, const std::string& base_dir, TrainConfig* out) {
  TrainConfig c;
  c.base_dir = base_dir;
  c.source_json = json::serialize(root);
  ObjectReader r(root, "");
  BARISTA_RETURN_IF_ERROR(r.check_object());
  BARISTA_RETURN_IF_ERROR(r.string("name", &c.name));

  if (r.get("data") == nullptr) return r.missing("data");
  BARISTA_RETURN_IF_ERROR(nested(r, "data", [&](ObjectReader& d) -> Status {
    // The default delimiter first: each file may override it.
    std::string delimiter = ",";
    BARISTA_RETURN_IF_ERROR(d.string("delimiter", &delimiter));
    if (delimiter.size() != 1) return ObjectReader::error(d.key_path("delimiter"), "must be one character");
    auto file = [&](ObjectReader& f, CsvFileConfig* target) -> Status {
      BARISTA_RETURN_IF_ERROR(f.string("path", &target->path, true));
      std::string own = delimiter;
      BARISTA_RETURN_IF_ERROR(f.string("delimiter", &own));
      if (own.size() != 1 || own[0] == '"' || own[0] == '\n' || own[0] == '\r') {
        return ObjectReader::error(f.key_path("delimiter"), "must be one character other than a quote or line end");
      }
      target->delimiter = own[0];
      return f.boolean("header", &target->header);
    };
    BARISTA_RETURN_IF_ERROR(nested(d, "interactions", [&](ObjectReader& i) -> Status {
      BARISTA_RETURN_IF_ERROR(file(i, &c.data.interactions));
      BARISTA_RETURN_IF_ERROR(i.string("user", &c.data.user_column));
      BARISTA_RETURN_IF_ERROR(i.string("item", &c.data.item_column));
      BARISTA_RETURN_IF_ERROR(i.string("time", &c.data.time_column));
      BARISTA_RETURN_IF_ERROR(i.string("label", &c.data.label_column));
      BARISTA_RETURN_IF_ERROR(i.number("label_threshold", &c.data.label_threshold, -1e30, 1e30));
      BARISTA_RETURN_IF_ERROR(i.string("weight", &c.data.weight_column));
      if (const json::Value* drop = i.get("drop")) {
        if (drop->type != json::Type::Array) return i.wrong("drop", *drop, "an array of rules");
        for (size_t k = 0; k < drop->array.size(); ++k) {
          RowFilter rule;
          BARISTA_RETURN_IF_ERROR(read_filter(drop->array[k], i.key_path("drop") + "[" + std::to_string(k) + "]", &rule));
          c.data.drop.push_back(std::move(rule));
        }
      }
      return Status();
    }));
    if (c.data.interactions.path.empty()) return d.missing("interactions");
    BARISTA_RETURN_IF_ERROR(nested(d, "items", [&](ObjectReader& i) -> Status {
      BARISTA_RETURN_IF_ERROR(file(i, &c.data.items));
      return i.string("id", &c.data.items_id_column);
    }));
    BARISTA_RETURN_IF_ERROR(nested(d, "users", [&](ObjectReader& u) -> Status {
      BARISTA_RETURN_IF_ERROR(file(u, &c.data.users));
      return u.string("id", &c.data.users_id_column);
    }));
    BARISTA_RETURN_IF_ERROR(d.integer("min_user_items", &c.data.min_user_items, 1, 1e9));
    size_t repeats = 0;
    BARISTA_RETURN_IF_ERROR(d.choice("repeats", {"keep", "first"}, &repeats));
    c.data.repeats = static_cast<DataConfig::Repeats>(repeats);
    size_t bad = 0;
    BARISTA_RETURN_IF_ERROR(d.choice("bad_rows", {"skip", "stop"}, &bad));
    c.data.stop_on_bad_rows = bad == 1;
    return Status();
  }));

  BARISTA_RETURN_IF_ERROR(
      nested(r, "user_id", [&](ObjectReader& u) { return read_id(u, &c.user_id, FeatureSource::User); }));
  BARISTA_RETURN_IF_ERROR(
      nested(r, "item_id", [&](ObjectReader& i) { return read_id(i, &c.item_id, FeatureSource::Item); }));
  BARISTA_RETURN_IF_ERROR(nested(r, "history", [&](ObjectReader& h) -> Status {
    BARISTA_RETURN_IF_ERROR(h.integer("length", &c.history.length, 0, 4096));
    BARISTA_RETURN_IF_ERROR(h.integer("slots", &c.history.slots, 0, 64));
    if (c.history.slots > std::max(c.history.length, 1u)) {
      return ObjectReader::error(h.key_path("slots"), "must be at most the history length");
    }
    BARISTA_RETURN_IF_ERROR(h.integer("embedding", &c.history.embedding, 0, 4096));
    BARISTA_RETURN_IF_ERROR(h.boolean("wide", &c.history.wide));
    BARISTA_RETURN_IF_ERROR(h.boolean("share_item_embedding", &c.history.share_item_embedding));
    BARISTA_RETURN_IF_ERROR(nested(h, "encoder", [&](ObjectReader& e) -> Status {
      BARISTA_RETURN_IF_ERROR(e.integer("blocks", &c.history.encoder_blocks, 0, 8));
      BARISTA_RETURN_IF_ERROR(e.boolean("keep_pooled", &c.history.encoder_keeps_pooled));
      BARISTA_RETURN_IF_ERROR(e.number("dropout", &c.history.encoder_dropout, 0.0, 0.9));
      if (c.history.encoder_blocks > 0 && (c.history.length == 0 || c.history.embedding == 0)) {
        return ObjectReader::error(e.key_path("blocks"), "needs a history (length and embedding above 0)");
      }
      if (c.history.encoder_blocks > 0 && (c.history.length > 1024 || c.history.embedding > 512 ||
                                           uint64_t{c.history.length} * c.history.embedding > (1u << 18))) {
        return ObjectReader::error(e.key_path("blocks"),
                                   "needs history.length at most 1024, history.embedding at most 512 and their "
                                   "product at most 262144 (the runtime's limits)");
      }
      return Status();
    }));
    return read_combiner(h, &c.history.combiner);
  }));

  if (const json::Value* features = r.get("features")) {
    if (features->type != json::Type::Array) return r.wrong("features", *features, "an array");
    for (size_t i = 0; i < features->array.size(); ++i) {
      FeatureConfig f;
      BARISTA_RETURN_IF_ERROR(read_feature(features->array[i], "features[" + std::to_string(i) + "]", &f));
      for (const FeatureConfig& other : c.features) {
        if (other.name == f.name) {
          return ObjectReader::error("features[" + std::to_string(i) + "].name", "'" + f.name + "' is used twice");
        }
      }
      if (f.name == "user_id" || f.name == "item_id" || f.name == "history") {
        return ObjectReader::error("features[" + std::to_string(i) + "].name",
                                   "'" + f.name + "' is built in; configure it under its own key");
      }
      c.features.push_back(std::move(f));
    }
  }

  if (const json::Value* crosses = r.get("crosses")) {
    if (crosses->type != json::Type::Array) return r.wrong("crosses", *crosses, "an array");
    for (size_t i = 0; i < crosses->array.size(); ++i) {
      const std::string path = "crosses[" + std::to_string(i) + "]";
      CrossConfig cross;
      ObjectReader x(crosses->array[i], path);
      BARISTA_RETURN_IF_ERROR(x.check_object());
      const json::Value* columns = x.get("columns");
      if (columns == nullptr) return x.missing("columns");
      if (columns->type != json::Type::Array || columns->array.size() < 2) {
        return ObjectReader::error(path + ".columns", "expected an array of at least two feature names");
      }
      for (const json::Value& name : columns->array) {
        if (name.type != json::Type::String) return ObjectReader::error(path + ".columns", "expected feature names");
        bool known =
            name.string == "user_id" || name.string == "item_id" || (name.string == "history" && c.history.length > 0);
        for (uint32_t p = 1; p <= c.history.slots; ++p) known = known || name.string == history_slot_name(p);
        for (const FeatureConfig& f : c.features) {
          if (f.name == name.string) {
            known = true;
            if (f.type == FeatureType::Numeric) {
              return ObjectReader::error(path + ".columns", "'" + f.name + "' is numeric and cannot be crossed");
            }
          }
        }
        if (!known) return ObjectReader::error(path + ".columns", "no feature named '" + name.string + "'");
        cross.columns.push_back(name.string);
      }
      BARISTA_RETURN_IF_ERROR(x.integer("buckets", &cross.buckets, 1, 2147483648.0));
      cross.combiner = CombinerName::Sum;
      BARISTA_RETURN_IF_ERROR(read_combiner(x, &cross.combiner));
      BARISTA_RETURN_IF_ERROR(x.finish());
      c.crosses.push_back(std::move(cross));
    }
  }

  BARISTA_RETURN_IF_ERROR(nested(r, "on_device", [&](ObjectReader& o) -> Status {
    const json::Value* learnable = o.get("learnable");
    if (learnable == nullptr) return Status();
    if (learnable->type != json::Type::Array) return o.wrong("learnable", *learnable, "an array of wide term names");
    c.on_device.learnable_given = true;
    for (const json::Value& name : learnable->array) {
      if (name.type != json::Type::String) {
        return ObjectReader::error(o.key_path("learnable"),
                                   "expected wide term names (\"user_id\", \"history_x_item_id\")");
      }
      c.on_device.learnable.push_back(name.string);
    }
    return Status();
  }));

  BARISTA_RETURN_IF_ERROR(nested(r, "deep", [&](ObjectReader& d) -> Status {
    if (const json::Value* hidden = d.get("hidden")) {
      if (hidden->type != json::Type::Array) return d.wrong("hidden", *hidden, "an array of layer widths");
      c.hidden.clear();
      for (const json::Value& w : hidden->array) {
        if (w.type != json::Type::Number || w.number < 1 || w.number > 16384 || w.number != std::floor(w.number)) {
          return ObjectReader::error(d.key_path("hidden"), "layer widths are whole numbers in 1..16384");
        }
        c.hidden.push_back(static_cast<uint32_t>(w.number));
      }
    }
    return Status();
  }));

  TrainingConfig& t = c.training;
  BARISTA_RETURN_IF_ERROR(nested(r, "training", [&](ObjectReader& o) -> Status {
    BARISTA_RETURN_IF_ERROR(o.integer("epochs", &t.epochs, 1, 10000));
    BARISTA_RETURN_IF_ERROR(o.integer("batch_size", &t.batch_size, 1, 65536));
    BARISTA_RETURN_IF_ERROR(o.integer("negatives", &t.negatives, 0, 1000));
    size_t sampling = 0;
    BARISTA_RETURN_IF_ERROR(o.choice("negative_sampling", {"uniform", "popularity"}, &sampling));
    t.sampling = static_cast<TrainingConfig::Sampling>(sampling);
    BARISTA_RETURN_IF_ERROR(o.number("popularity_exponent", &t.popularity_exponent, 0.0, 2.0));
    BARISTA_RETURN_IF_ERROR(o.boolean("negatives_unseen", &t.negatives_unseen));
    BARISTA_RETURN_IF_ERROR(o.integer("seed", &t.seed, 0, 9007199254740992.0));
    BARISTA_RETURN_IF_ERROR(o.integer("threads", &t.threads, 1, 64));
    BARISTA_RETURN_IF_ERROR(o.integer("patience", &t.patience, 0, 1000));
    BARISTA_RETURN_IF_ERROR(o.integer("validation_users", &t.validation_users, 0, 1e9));
    size_t holdout = 0;
    BARISTA_RETURN_IF_ERROR(o.choice("holdout", {"last", "none", "last_new"}, &holdout));
    t.holdout = static_cast<TrainingConfig::Holdout>(holdout);
    BARISTA_RETURN_IF_ERROR(nested(o, "wide_optimizer", [&](ObjectReader& w) -> Status {
      BARISTA_RETURN_IF_ERROR(w.number("learning_rate", &t.wide.learning_rate, 1e-9, 100.0));
      BARISTA_RETURN_IF_ERROR(w.number("beta", &t.wide.beta, 0.0, 1e6));
      BARISTA_RETURN_IF_ERROR(w.number("l1", &t.wide.l1, 0.0, 1e6));
      return w.number("l2", &t.wide.l2, 0.0, 1e6);
    }));
    return nested(o, "deep_optimizer", [&](ObjectReader& d) -> Status {
      size_t kind = 0;
      BARISTA_RETURN_IF_ERROR(d.choice("name", {"adam", "adagrad"}, &kind));
      t.deep.kind = static_cast<DeepOptimizerConfig::Kind>(kind);
      BARISTA_RETURN_IF_ERROR(d.number("learning_rate", &t.deep.learning_rate, 1e-9, 100.0));
      BARISTA_RETURN_IF_ERROR(d.number("beta1", &t.deep.beta1, 0.0, 0.999999));
      BARISTA_RETURN_IF_ERROR(d.number("beta2", &t.deep.beta2, 0.0, 0.999999999));
      BARISTA_RETURN_IF_ERROR(d.number("epsilon", &t.deep.epsilon, 1e-12, 1.0));
      BARISTA_RETURN_IF_ERROR(d.number("initial_accumulator", &t.deep.initial_accumulator, 1e-12, 1e6));
      return d.number("l2", &t.deep.l2, 0.0, 1e6);
    });
  }));

  BARISTA_RETURN_IF_ERROR(nested(r, "output", [&](ObjectReader& o) -> Status {
    size_t embeddings = 0;
    BARISTA_RETURN_IF_ERROR(o.choice("embeddings", {"f32", "f16", "int8"}, &embeddings));
    c.embeddings = embeddings == 0 ? "f32" : embeddings == 1 ? "f16" : "int8";
    return Status();
  }));
  BARISTA_RETURN_IF_ERROR(r.finish());
  *out = std::move(c);
  return Status();
}

Status load_train_config(const std::string& path, TrainConfig* out) {
  json::Value root;
  std::string base_dir;
  BARISTA_RETURN_IF_ERROR(load_train_config_json(path, &root, &base_dir));
  Status s = parse_train_config(root, base_dir, out);
  if (!s.ok()) return Status(s.code(), path + ": " + s.message());
  return Status();
}

Status load_train_config_json(const std::string& path, json::Value* out, std::string* base_dir) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(BARISTA_STATUS_IO_ERROR, "cannot read the config '%s': %s", path.c_str(), std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  const Status parsed = json::parse(text.str(), out);
  if (!parsed.ok()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: config: %s", path.c_str(), parsed.message().c_str());
  }
  const size_t slash = path.find_last_of('/');
  *base_dir = slash == std::string::npos ? "." : path.substr(0, slash);
  return Status();
}

}  // namespace barista::internal
