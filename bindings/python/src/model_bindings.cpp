// Models made elsewhere, served by barista: barista.write_model(spec) turns
// a feature spec and numpy arrays (trained in PyTorch, TensorFlow, ...)
// into a model file through the project's writer (quantization, per-item
// precompute, checksum), and Model.encode() gives the ids barista's encoder
// computes for a request and an item, column by column, so that the other
// framework trains on exactly the ids the runtime will look up.
//
// The spec arrives as JSON text with arrays named {"array": KEY} and the
// arrays as a dict KEY -> float32 array (the package's write_model() makes
// both from one dict). Errors name the spec's key path.
#include <pybind11/stl.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "bindings.h"
#include "capi/handles.h"
#include "config/config_edit.h"
#include "config/json.h"
#include "features/encoder.h"
#include "features/feature_bag.h"
#include "model/model.h"
#include "writer/model_writer.h"

namespace barista::python {

namespace {

namespace json = internal::json;
namespace fb = internal::fb;
using internal::Status;

using Arrays = std::map<std::string, py::array_t<float, py::array::c_style | py::array::forcecast>>;

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
  raise(BARISTA_STATUS_INVALID_ARGUMENT, "spec: " + where + ": " + what);
}

// Reads the members of one JSON object, naming `where` in errors; finish()
// refuses members nobody read (a misspelt key is an error, not a default).
class Reader {
 public:
  Reader(const json::Value& value, std::string where) : value_(value), where_(std::move(where)) {
    if (value.type != json::Type::Object) refuse(where_, "expected an object");
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  void finish() const {
    for (const auto& member : value_.object) {
      if (read_.count(member.first) == 0) refuse(where_ + "." + member.first, "unknown key");
    }
  }

  const json::Value* get(const std::string& key) {
    read_.insert(key);
    return value_.find(key);
  }
  const json::Value& need(const std::string& key) {
    const json::Value* v = get(key);
    if (v == nullptr) refuse(where_, "'" + key + "' is missing");
    return *v;
  }
  std::string path(const std::string& key) const { return where_ + "." + key; }
  std::string text(const std::string& key, const std::string& fallback) {
    const json::Value* v = get(key);
    if (v == nullptr) return fallback;
    if (v->type != json::Type::String) refuse(path(key), "expected a string");
    return v->string;
  }
  double number(const std::string& key, double fallback) {
    const json::Value* v = get(key);
    if (v == nullptr) return fallback;
    if (v->type != json::Type::Number) refuse(path(key), "expected a number");
    return v->number;
  }
  uint64_t count(const std::string& key, uint64_t fallback) {
    const double v = number(key, static_cast<double>(fallback));
    if (!(v >= 0) || v != static_cast<double>(static_cast<uint64_t>(v)) || v > 1e15) {
      refuse(path(key), "expected a whole number >= 0");
    }
    return static_cast<uint64_t>(v);
  }
  bool flag(const std::string& key, bool fallback) {
    const json::Value* v = get(key);
    if (v == nullptr) return fallback;
    if (v->type != json::Type::Bool) refuse(path(key), "expected true or false");
    return v->boolean;
  }

 private:
  const json::Value& value_;
  std::string where_;
  std::set<std::string> read_;
};

const std::vector<json::Value>& array_of(const json::Value& v, const std::string& where) {
  if (v.type != json::Type::Array) refuse(where, "expected a list");
  return v.array;
}

// The float values of {"array": KEY}, checked against `expected` values.
std::vector<float> floats(const json::Value& ref, const Arrays& arrays, const std::string& where, size_t expected) {
  std::vector<float> out;
  if (ref.type == json::Type::Array) {  // a short list written inline
    for (const json::Value& v : ref.array) {
      if (v.type != json::Type::Number) refuse(where, "expected numbers");
      out.push_back(static_cast<float>(v.number));
    }
  } else {
    const json::Value* key = ref.type == json::Type::Object ? ref.find("array") : nullptr;
    if (key == nullptr || key->type != json::Type::String) refuse(where, "expected an array");
    const auto found = arrays.find(key->string);
    if (found == arrays.end()) refuse(where, "no array '" + key->string + "'");
    const auto& a = found->second;
    out.assign(a.data(), a.data() + a.size());
  }
  if (out.size() != expected) {
    refuse(where, "expected " + std::to_string(expected) + " values, got " + std::to_string(out.size()));
  }
  for (float v : out) {
    if (!std::isfinite(v)) refuse(where, "a value is not finite");
  }
  return out;
}

template <class Enum>
Enum choose(const std::string& name, const std::vector<std::pair<const char*, Enum>>& options,
            const std::string& where) {
  std::string known;
  for (const auto& [text, value] : options) {
    if (name == text) return value;
    known += (known.empty() ? "" : ", ") + std::string(text);
  }
  refuse(where, "'" + name + "' is not one of " + known);
}

fb::Combiner combiner(Reader& r, const std::string& key) {
  return choose<fb::Combiner>(
      r.text(key, "sum"), {{"sum", fb::Combiner::Sum}, {"mean", fb::Combiner::Mean}, {"sqrtn", fb::Combiner::Sqrtn}},
      r.path(key));
}

// Index of the entry named `name` in a list of named things.
template <class T>
uint32_t index_of(const std::vector<T>& list, const std::string& name, const std::string& where, const char* what) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].name == name) return static_cast<uint32_t>(i);
  }
  refuse(where, std::string("no ") + what + " named '" + name + "'");
}

std::string name_of(const json::Value& v, const std::string& where) {
  if (v.type != json::Type::String) refuse(where, "expected a name");
  return v.string;
}

internal::ModelSpec parse_spec(const json::Value& root, const Arrays& arrays) {
  internal::ModelSpec spec;
  Reader r(root, "spec");
  spec.metadata.name = r.text("name", "");
  spec.metadata.version = r.text("version", "");
  spec.metadata.description = r.text("description", "");
  spec.metadata.properties.emplace_back("written_by", "barista.write_model");

  const std::vector<json::Value>& inputs = array_of(r.need("inputs"), "spec.inputs");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string where = "inputs[" + std::to_string(i) + "]";
    Reader in(inputs[i], where);
    const std::string name = in.text("name", "");
    if (name.empty()) refuse(where, "'name' is missing");
    const fb::Source source = choose<fb::Source>(
        in.text("source", ""),
        {{"user", fb::Source::User}, {"context", fb::Source::Context}, {"item", fb::Source::Item}}, in.path("source"));
    const std::string kind = in.text("kind", "categorical");
    if (kind == "numeric") {
      spec.add_numeric_input(name, source, static_cast<float>(in.number("default", 0.0)));
    } else if (kind == "categorical") {
      spec.add_categorical_input(name, source, static_cast<uint32_t>(in.count("max_values", 1)));
    } else {
      refuse(in.path("kind"), "'" + kind + "' is not one of categorical, numeric");
    }
    in.finish();
  }
  if (const json::Value* user = r.get("user_id")) {
    spec.user_id_input =
        static_cast<int32_t>(index_of(spec.inputs, name_of(*user, "spec.user_id"), "spec.user_id", "input"));
  }
  spec.item_id_input = index_of(spec.inputs, name_of(r.need("item_id"), "spec.item_id"), "spec.item_id", "input");

  const std::vector<json::Value>& columns = array_of(r.need("columns"), "spec.columns");
  for (size_t c = 0; c < columns.size(); ++c) {
    const std::string where = "columns[" + std::to_string(c) + "]";
    Reader col(columns[c], where);
    internal::ColumnSpec column;
    column.name = col.text("name", "");
    if (column.name.empty()) refuse(where, "'name' is missing");
    column.kind = choose<fb::ColumnKind>(col.text("kind", ""),
                                         {{"hashed", fb::ColumnKind::Hashed},
                                          {"vocabulary", fb::ColumnKind::Vocabulary},
                                          {"numeric", fb::ColumnKind::Numeric},
                                          {"bucketized", fb::ColumnKind::Bucketized},
                                          {"crossed", fb::ColumnKind::Crossed}},
                                         col.path("kind"));
    if (column.kind == fb::ColumnKind::Crossed) {
      for (const json::Value& part : array_of(col.need("columns"), col.path("columns"))) {
        column.crossed.push_back(
            index_of(spec.columns, name_of(part, col.path("columns")), col.path("columns"), "earlier column"));
      }
      column.hash_key = col.count("hash_key", internal::kDefaultCrossHashKey);
    } else {
      column.input = index_of(spec.inputs, col.text("input", ""), col.path("input"), "input");
    }
    column.buckets = col.count(column.kind == fb::ColumnKind::Vocabulary ? "oov_buckets" : "buckets",
                               column.kind == fb::ColumnKind::Vocabulary ? 1 : 0);
    if (column.kind == fb::ColumnKind::Vocabulary) {
      for (const json::Value& key : array_of(col.need("vocabulary"), col.path("vocabulary"))) {
        if (key.type == json::Type::String) {
          column.vocabulary.push_back(key.string);
        } else if (key.type == json::Type::Number &&
                   key.number == static_cast<double>(static_cast<int64_t>(key.number))) {
          column.int_vocabulary.push_back(static_cast<int64_t>(key.number));
        } else {
          refuse(col.path("vocabulary"), "keys are strings or whole numbers");
        }
      }
      if (!column.vocabulary.empty() && !column.int_vocabulary.empty()) {
        refuse(col.path("vocabulary"), "keys are all strings or all numbers");
      }
    }
    if (column.kind == fb::ColumnKind::Bucketized) {
      for (const json::Value& b : array_of(col.need("boundaries"), col.path("boundaries"))) {
        if (b.type != json::Type::Number) refuse(col.path("boundaries"), "expected numbers");
        column.boundaries.push_back(static_cast<float>(b.number));
      }
    }
    if (column.kind == fb::ColumnKind::Numeric) {
      column.mean = static_cast<float>(col.number("mean", 0.0));
      column.stddev = static_cast<float>(col.number("stddev", 1.0));
    }
    column.position = static_cast<uint32_t>(col.count("position", 0));
    col.finish();
    spec.columns.push_back(std::move(column));
  }

  spec.wide_bias = static_cast<float>(r.number("wide_bias", 0.0));
  if (const json::Value* wide = r.get("wide")) {
    const std::vector<json::Value>& terms = array_of(*wide, "spec.wide");
    for (size_t t = 0; t < terms.size(); ++t) {
      Reader w(terms[t], "wide[" + std::to_string(t) + "]");
      internal::WideTermSpec term;
      term.column = index_of(spec.columns, w.text("column", ""), w.path("column"), "column");
      term.combiner = combiner(w, "combiner");
      term.learnable = w.flag("learnable", false);
      const internal::ColumnSpec& column = spec.columns[term.column];
      const size_t n = column.kind == fb::ColumnKind::Numeric ? 1 : static_cast<size_t>(column.cardinality());
      term.weights = floats(w.need("weights"), arrays, w.path("weights"), n);
      w.finish();
      spec.wide.push_back(std::move(term));
    }
  }
  if (const json::Value* deep = r.get("deep")) {
    const std::vector<json::Value>& list = array_of(*deep, "spec.deep");
    for (size_t k = 0; k < list.size(); ++k) {
      Reader d(list[k], "deep[" + std::to_string(k) + "]");
      internal::DeepInputSpec input;
      input.column = index_of(spec.columns, d.text("column", ""), d.path("column"), "column");
      input.combiner = combiner(d, "combiner");
      const internal::ColumnSpec& column = spec.columns[input.column];
      if (column.kind != fb::ColumnKind::Numeric) {
        input.dim = static_cast<uint32_t>(d.count("dim", 0));
        if (input.dim == 0) refuse(d.path("dim"), "a categorical deep input needs its embedding width");
        input.embedding = floats(d.need("embedding"), arrays, d.path("embedding"),
                                 static_cast<size_t>(column.cardinality()) * input.dim);
      }
      d.finish();
      spec.deep.push_back(std::move(input));
    }
  }
  const std::vector<json::Value>& layers = array_of(r.need("layers"), "spec.layers");
  for (size_t l = 0; l < layers.size(); ++l) {
    Reader layer(layers[l], "layers[" + std::to_string(l) + "]");
    internal::DenseSpec dense;
    dense.in = static_cast<uint32_t>(layer.count("in", 0));
    dense.out = static_cast<uint32_t>(layer.count("out", 0));
    if (dense.in == 0 || dense.out == 0) refuse("layers[" + std::to_string(l) + "]", "'in' and 'out' are needed");
    dense.relu = layer.flag("relu", l + 1 < layers.size());
    dense.weights = floats(layer.need("weights"), arrays, layer.path("weights"), size_t{dense.in} * dense.out);
    dense.bias = floats(layer.need("bias"), arrays, layer.path("bias"), dense.out);
    layer.finish();
    spec.layers.push_back(std::move(dense));
  }

  Reader catalog(r.need("catalog"), "catalog");
  for (const json::Value& id : array_of(catalog.need("ids"), catalog.path("ids"))) {
    if (id.type == json::Type::String) {
      spec.catalog.ids.push_back(id.string);
    } else if (id.type == json::Type::Number && id.number == static_cast<double>(static_cast<int64_t>(id.number))) {
      spec.catalog.int_ids.push_back(static_cast<int64_t>(id.number));
    } else {
      refuse(catalog.path("ids"), "ids are strings or whole numbers");
    }
  }
  if (!spec.catalog.ids.empty() && !spec.catalog.int_ids.empty()) {
    refuse(catalog.path("ids"), "ids are all strings or all numbers");
  }
  if (const json::Value* features = catalog.get("features")) {
    if (features->type != json::Type::Object) refuse(catalog.path("features"), "expected an object");
    for (const auto& [name, values] : features->object) {
      const std::string where = catalog.path("features") + "." + name;
      const uint32_t input = index_of(spec.inputs, name, where, "input");
      const std::vector<json::Value>& per_item = array_of(values, where);
      if (per_item.size() != spec.catalog.size()) {
        refuse(where, "expected one value per catalog item (" + std::to_string(spec.catalog.size()) + ")");
      }
      if (spec.inputs[input].kind == fb::ValueKind::Numeric) {
        std::vector<float>& out = spec.catalog.numeric[input];
        for (const json::Value& v : per_item) {
          if (v.type != json::Type::Number) refuse(where, "expected numbers");
          out.push_back(static_cast<float>(v.number));
        }
        continue;
      }
      std::vector<std::vector<std::string>>& out = spec.catalog.categorical[input];
      auto text = [&](const json::Value& v) {
        if (v.type == json::Type::String) return v.string;
        if (v.type == json::Type::Number) return json::display(v);
        refuse(where, "expected strings or numbers");
      };
      for (const json::Value& v : per_item) {
        out.emplace_back();
        if (v.type == json::Type::Array) {
          for (const json::Value& one : v.array) out.back().push_back(text(one));
        } else if (v.type != json::Type::Null) {
          out.back().push_back(text(v));
        }
      }
    }
  }
  catalog.finish();
  r.finish();
  return spec;
}

// Writes the model; returns nothing (barista.Model(out) opens it).
void write(const std::string& spec_text, const Arrays& arrays, const std::string& out, const std::string& embeddings) {
  json::Value root;
  Status status = json::parse(spec_text, &root);
  if (!status.ok()) raise(status.code(), "spec: " + status.message());
  const internal::ModelSpec spec = parse_spec(root, arrays);
  internal::WriteOptions options;
  if (!internal::parse_embedding_dtype(embeddings, &options.embedding_dtype)) {
    raise(BARISTA_STATUS_INVALID_ARGUMENT, "embeddings is f32, f16 or int8, not '" + embeddings + "'");
  }
  {
    py::gil_scoped_release unlocked;
    status = internal::write_model_file(spec, options, out);
  }
  if (!status.ok()) raise(status.code(), status.message());
}

}  // namespace

py::dict encode_example(const PyModel& py_model, py::handle request, py::handle item) {
  const std::shared_ptr<ModelRef>& ref = py_model.ref();
  const internal::Model& model = *ref->get()->model;
  barista_request* raw_request = nullptr;
  check(barista_request_create(ref->get(), &raw_request), "creating a request failed");
  const std::unique_ptr<barista_request, void (*)(barista_request*)> owned_request(raw_request, barista_request_free);
  fill_request(*ref, raw_request, request);
  internal::Example example;
  example.request = &raw_request->bag;
  barista_item* raw_item = nullptr;
  check(barista_item_create(ref->get(), &raw_item), "creating an item failed");
  const std::unique_ptr<barista_item, void (*)(barista_item*)> owned_item(raw_item, barista_item_free);
  if (py::isinstance<py::dict>(item)) {
    fill_item(*ref, raw_item, item);
    example.item = internal::ItemRef::described(raw_item->bag);
  } else {
    example.item = internal::ItemRef::catalog(item_indices(*ref, py::make_tuple(item))[0]);
  }
  internal::Encoder encoder(model);
  py::dict out;
  internal::Vec<uint32_t> ids;
  for (uint32_t c = 0; c < model.columns().size(); ++c) {
    const internal::ColumnInfo& column = model.columns()[c];
    if (column.kind == fb::ColumnKind::Numeric) {
      out[py::str(column.name)] = encoder.numeric_value(example, c);
      continue;
    }
    ids.clear();
    const Status status = encoder.column_ids(example, c, &ids);
    if (!status.ok()) raise(status.code(), status.message());
    py::array_t<uint32_t> array(static_cast<py::ssize_t>(ids.size()));
    std::copy(ids.begin(), ids.end(), array.mutable_data());
    out[py::str(column.name)] = array;
  }
  return out;
}

void bind_model_writing(py::module_& m) {
  m.def("_write_model", &write, py::arg("spec"), py::arg("arrays"), py::arg("out"), py::arg("embeddings") = "f32");
}

}  // namespace barista::python
