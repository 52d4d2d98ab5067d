// The runtime in Python: Model, Request, Item, Session and Overlay over the
// C API (include/barista.h), with the C API's failures raised as
// barista.Error. Items are named by their catalog ids (str, or int for
// catalogs of integer ids) everywhere but in the *_indices calls.
//
// Threads. The GIL is released around every call into the library, so
// Python threads may score at once on separate sessions. What the C API
// asks of its host — a session, and an overlay with the sessions attached
// to it, used by one thread at a time — is kept by a lock per session that
// an attached overlay shares; requests and items are immutable once built
// (the library only reads them), and the model is immutable.
#include "bindings.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>

#include "capi/handles.h"

namespace barista::python {

namespace {

// ---------------------------------------------------------------- requests

// The UTF-8 bytes of a str, or a bytes object's bytes. A str that has no
// UTF-8 form (lone surrogates) raises Python's UnicodeEncodeError.
std::string text_of(py::handle value) {
  if (py::isinstance<py::bytes>(value)) return value.cast<std::string>();
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
  if (data == nullptr) throw py::error_already_set();
  return std::string(data, static_cast<size_t>(size));
}

// Integers as Python sees them: int and what implements __index__ (numpy's
// integer scalars, common in DataFrames), not bool.
bool is_integer(py::handle value) {
  if (py::isinstance<py::bool_>(value) || PyFloat_Check(value.ptr())) return false;
  return PyLong_Check(value.ptr()) || (PyIndex_Check(value.ptr()) && !py::isinstance<py::str>(value));
}

int64_t integer_of(py::handle value) {
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) throw py::error_already_set();
  return index.cast<int64_t>();
}

// Real numbers: float, int and numpy's scalars (anything with __float__
// but str, bytes and bool).
bool is_real(py::handle value) {
  if (py::isinstance<py::bool_>(value) || py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value)) {
    return false;
  }
  return PyFloat_Check(value.ptr()) || is_integer(value) || py::hasattr(value, "__float__");
}

double real_of(py::handle value) {
  const double v = PyFloat_AsDouble(value.ptr());
  if (v == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

// Adds one Python value to categorical or numeric input `name` of a request
// or an item (Traits: the C functions of either).
template <class Raw, class Traits>
void add_value(const ModelRef& model, Raw* raw, const std::string& name, const InputInfo& input, py::handle value) {
  barista_status code = BARISTA_STATUS_OK;
  if (input.numeric) {
    if (!is_real(value)) {
      throw py::type_error("input '" + name + "' is numeric: it takes an int or a float, not " +
                           std::string(py::str(value.get_type().attr("__name__"))));
    }
    code = Traits::set_number(raw, name.c_str(), real_of(value));
  } else if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value)) {
    const std::string text = text_of(value);
    code = Traits::add_string(raw, name.c_str(), text.data(), text.size());
  } else if (is_integer(value)) {
    code = Traits::add_int64(raw, name.c_str(), integer_of(value));
  } else {
    throw py::type_error("input '" + name + "' is categorical: it takes str, bytes or int values, not " +
                         std::string(py::str(value.get_type().attr("__name__"))));
  }
  if (code != BARISTA_STATUS_OK) raise(code, Traits::last_error(raw));
  (void)model;
}

struct RequestTraits {
  static barista_status add_string(barista_request* r, const char* i, const char* v, size_t n) {
    return barista_request_add_string(r, i, v, n);
  }
  static barista_status add_int64(barista_request* r, const char* i, int64_t v) {
    return barista_request_add_int64(r, i, v);
  }
  static barista_status set_number(barista_request* r, const char* i, double v) {
    return barista_request_set_number(r, i, v);
  }
  static const char* last_error(const barista_request* r) { return barista_request_last_error(r); }
};

struct ItemTraits {
  static barista_status add_string(barista_item* r, const char* i, const char* v, size_t n) {
    return barista_item_add_string(r, i, v, n);
  }
  static barista_status add_int64(barista_item* r, const char* i, int64_t v) { return barista_item_add_int64(r, i, v); }
  static barista_status set_number(barista_item* r, const char* i, double v) {
    return barista_item_set_number(r, i, v);
  }
  static const char* last_error(const barista_item* r) { return barista_item_last_error(r); }
};

bool is_sequence(py::handle value) {
  return !py::isinstance<py::str>(value) && !py::isinstance<py::bytes>(value) &&
         (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value) || py::isinstance<py::array>(value));
}

// Fills a request or an item from a dict {input name: value or list of
// values}. None values are skipped (the input is not given).
template <class Raw, class Traits>
void fill(const ModelRef& model, Raw* raw, py::handle features, bool request) {
  if (features.is_none()) return;
  if (!py::isinstance<py::dict>(features)) {
    throw py::type_error(std::string(request ? "a request" : "an item") + " is a dict of input names to values, not " +
                         std::string(py::str(features.get_type().attr("__name__"))));
  }
  for (auto [key, value] : py::reinterpret_borrow<py::dict>(features)) {
    if (!py::isinstance<py::str>(key)) throw py::type_error("input names are str");
    const std::string name = text_of(key);
    if (value.is_none()) continue;
    const InputInfo* input = model.input(name);
    if (input == nullptr) raise(BARISTA_STATUS_NOT_FOUND, "the model has no input named '" + name + "'");
    if (request && name == model.user_input) {
      if (is_sequence(value)) throw py::type_error("input '" + name + "' (the user id) takes one value");
      std::string id;
      if (is_integer(value)) {
        id = std::to_string(integer_of(value));
      } else if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value)) {
        id = text_of(value);
      } else {
        throw py::type_error("the user id takes str, bytes or int, not " +
                             std::string(py::str(value.get_type().attr("__name__"))));
      }
      const barista_status code =
          barista_request_set_user(reinterpret_cast<barista_request*>(raw), id.data(), id.size());
      if (code != BARISTA_STATUS_OK) raise(code, Traits::last_error(raw));
      continue;
    }
    if (is_sequence(value)) {
      for (py::handle v : value) add_value<Raw, Traits>(model, raw, name, *input, v);
    } else {
      add_value<Raw, Traits>(model, raw, name, *input, value);
    }
  }
}

// ---------------------------------------------------------------- items

// The catalog index of the item with id `id` (str, bytes or int).
uint32_t item_index(const ModelRef& model, py::handle id) {
  uint32_t index = 0;
  barista_status code;
  if (is_integer(id)) {
    code = barista_model_find_item_int64(model.get(), integer_of(id), &index);
  } else if (py::isinstance<py::str>(id) || py::isinstance<py::bytes>(id)) {
    const std::string text = text_of(id);
    code = barista_model_find_item(model.get(), text.data(), text.size(), &index);
  } else {
    throw py::type_error("item ids are str, bytes or int, not " + std::string(py::str(id.get_type().attr("__name__"))));
  }
  if (code == BARISTA_STATUS_NOT_FOUND) {
    raise(code, "no item '" + std::string(py::str(id)) + "' in the catalog");
  }
  if (code != BARISTA_STATUS_OK) raise(code, "finding an item failed");
  return index;
}

std::vector<uint32_t> checked_indices(const ModelRef& model,
                                      const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& a) {
  std::vector<uint32_t> out(static_cast<size_t>(a.size()));
  const int64_t* data = a.data();
  for (size_t i = 0; i < out.size(); ++i) {
    if (data[i] < 0 || static_cast<uint64_t>(data[i]) >= model.item_count) {
      raise(BARISTA_STATUS_INVALID_ARGUMENT, "item index " + std::to_string(data[i]) + " is outside the catalog (" +
                                                 std::to_string(model.item_count) + " items)");
    }
    out[i] = static_cast<uint32_t>(data[i]);
  }
  return out;
}

barista_precision parse_precision(const std::string& name) {
  if (name == "exact") return BARISTA_PRECISION_EXACT;
  if (name == "int8") return BARISTA_PRECISION_INT8_SHORTLIST;
  throw py::value_error("precision is 'exact' or 'int8', not '" + name + "'");
}

py::dict stats_dict(const barista_overlay_stats& s) {
  py::dict d;
  d["learned_weights"] = s.learned_weights;
  d["capacity"] = s.capacity;
  d["customers"] = s.customers;
  d["memory_bytes"] = s.memory_bytes;
  d["evictions"] = s.evictions;
  d["updates"] = s.updates;
  d["journal_bytes"] = s.journal_bytes;
  d["snapshot_bytes"] = s.snapshot_bytes;
  d["unsynced_bytes"] = s.unsynced_bytes;
  d["recovered_records"] = s.recovered_records;
  d["discarded_bytes"] = s.discarded_bytes;
  return d;
}

}  // namespace

std::vector<uint32_t> item_indices(const ModelRef& model, py::handle ids) {
  if (py::isinstance<py::str>(ids) || py::isinstance<py::bytes>(ids) || !py::hasattr(ids, "__iter__")) {
    throw py::type_error("items are a list of item ids");
  }
  std::vector<uint32_t> out;
  for (py::handle id : ids) out.push_back(item_index(model, id));
  return out;
}

void fill_request(const ModelRef& model, barista_request* request, py::handle features) {
  fill<barista_request, RequestTraits>(model, request, features, true);
}

void fill_item(const ModelRef& model, barista_item* item, py::handle features) {
  fill<barista_item, ItemTraits>(model, item, features, false);
}

// ---------------------------------------------------------------- ModelRef

ModelRef::~ModelRef() { barista_model_free(model_); }

const InputInfo* ModelRef::input(const std::string& name) const {
  for (const InputInfo& i : inputs)
    if (i.name == name) return &i;
  return nullptr;
}

std::string ModelRef::item_id(uint32_t index) const {
  char buffer[256];
  size_t length = 0;
  barista_status code = barista_model_get_item_id(model_, index, buffer, sizeof buffer, &length);
  if (code == BARISTA_STATUS_OK) return std::string(buffer, length);
  if (code != BARISTA_STATUS_BUFFER_TOO_SMALL) raise(code, "item index out of range");
  std::string id(length + 1, '\0');
  code = barista_model_get_item_id(model_, index, &id[0], id.size(), &length);
  if (code != BARISTA_STATUS_OK) raise(code, "reading an item id failed");
  id.resize(length);
  return id;
}

std::shared_ptr<ModelRef> ModelRef::adopt(barista_model* raw) {
  auto ref = std::shared_ptr<ModelRef>(new ModelRef(raw));
  barista_model_info info{};
  check(barista_model_get_info(raw, &info), "reading the model's info failed");
  ref->item_count = info.item_count;
  const char* user = barista_model_user_input(raw);
  ref->user_input = user ? user : "";
  for (size_t i = 0; i < info.input_count; ++i) {
    barista_input_info in{};
    check(barista_model_get_input(raw, i, &in), "reading an input failed");
    ref->inputs.push_back({in.name, in.source, in.kind == BARISTA_VALUE_NUMERIC, in.multivalent != 0, in.max_values});
  }
  return ref;
}

// ---------------------------------------------------------------- Model

std::shared_ptr<PyModel> PyModel::open(const std::string& path, bool verify, bool copy) {
  barista_open_params params = barista_open_default_params();
  if (verify) params.flags |= BARISTA_OPEN_VERIFY_FULL;
  if (copy) params.flags |= BARISTA_OPEN_COPY;
  barista_model* raw = nullptr;
  barista_error error{};
  barista_status code;
  {
    py::gil_scoped_release unlocked;
    code = barista_model_open_file(path.c_str(), &params, &raw, &error);
  }
  if (code != BARISTA_STATUS_OK) raise(code, error.message);
  auto model = std::make_shared<PyModel>();
  model->ref_ = ModelRef::adopt(raw);
  return model;
}

const std::shared_ptr<ModelRef>& PyModel::ref() const {
  if (!ref_) raise(BARISTA_STATUS_INVALID_ARGUMENT, "the model is closed");
  return ref_;
}

py::dict PyModel::info() const {
  barista_model_info info{};
  check(barista_model_get_info(ref()->get(), &info), "reading the model's info failed");
  py::dict d;
  d["name"] = info.name;
  d["version"] = info.version;
  d["description"] = info.description;
  d["producer"] = info.producer;
  d["created_unix"] = info.created_unix;
  d["format"] = std::to_string(info.format_major) + "." + std::to_string(info.format_minor);
  d["item_count"] = info.item_count;
  d["input_count"] = info.input_count;
  d["file_size"] = info.file_size;
  d["kernels"] = info.kernels;
  d["memory_bytes"] = barista_model_memory_bytes(ref()->get());
  return d;
}

py::dict PyModel::metadata() const {
  // The file's metadata table as written by the trainer (train/lineage.h):
  // what the C API's info leaves out — training config, data fingerprint,
  // metrics and the lineage properties.
  const barista::internal::Model& model = *ref()->get()->model;
  py::dict d;
  py::dict metrics, properties;
  if (const auto* meta = model.root().metadata()) {
    auto str = [](const flatbuffers::String* s) { return s ? s->str() : std::string(); };
    d["name"] = str(meta->name());
    d["version"] = str(meta->version());
    d["description"] = str(meta->description());
    d["producer"] = str(meta->producer());
    d["created_unix"] = meta->created_unix();
    d["training_config"] = str(meta->training_config());
    d["data_fingerprint"] = str(meta->data_fingerprint());
    if (meta->metrics()) {
      for (const auto* m : *meta->metrics()) metrics[py::str(m->name()->str())] = m->value();
    }
    if (meta->properties()) {
      for (const auto* p : *meta->properties()) properties[py::str(p->key()->str())] = str(p->value());
    }
  }
  d["metrics"] = metrics;
  d["properties"] = properties;
  return d;
}

py::list PyModel::inputs() const {
  static const char* const kSources[] = {"user", "context", "item"};
  py::list out;
  for (const InputInfo& i : ref()->inputs) {
    py::dict d;
    d["name"] = i.name;
    d["source"] = kSources[i.source];
    d["kind"] = i.numeric ? "numeric" : "categorical";
    d["multivalent"] = i.multivalent;
    d["max_values"] = i.max_values;
    d["user_id"] = i.name == ref()->user_input;
    out.append(d);
  }
  return out;
}

py::list PyModel::item_ids() const {
  const ModelRef& m = *ref();
  py::list out(m.item_count);
  for (size_t i = 0; i < m.item_count; ++i) out[i] = m.item_id(static_cast<uint32_t>(i));
  return out;
}

void PyModel::verify() const {
  barista_error error{};
  barista_status code;
  {
    py::gil_scoped_release unlocked;
    code = barista_model_verify(ref()->get(), &error);
  }
  if (code != BARISTA_STATUS_OK) raise(code, error.message);
}

// ---------------------------------------------------------------- Request, Item

PyRequest::PyRequest(const PyModel& model, py::handle features) : model_(model.ref()) {
  check(barista_request_create(model_->get(), &raw_), "creating a request failed");
  fill_request(*model_, raw_, features);
}

PyRequest::~PyRequest() { barista_request_free(raw_); }

PyItem::PyItem(const PyModel& model, py::handle features) : model_(model.ref()) {
  check(barista_item_create(model_->get(), &raw_), "creating an item failed");
  fill_item(*model_, raw_, features);
}

PyItem::~PyItem() { barista_item_free(raw_); }

// A request given as a Request or as a dict (built for the call).
class RequestArg {
 public:
  RequestArg(const std::shared_ptr<ModelRef>& model, py::handle arg) {
    if (py::isinstance<PyRequest>(arg)) {
      const PyRequest& r = arg.cast<const PyRequest&>();
      if (r.model()->get() != model->get()) {
        raise(BARISTA_STATUS_INVALID_ARGUMENT, "the request was built for another model");
      }
      raw_ = r.get();
    } else {
      check(barista_request_create(model->get(), &owned_), "creating a request failed");
      raw_ = owned_;
      fill_request(*model, owned_, arg);
    }
  }
  ~RequestArg() { barista_request_free(owned_); }
  RequestArg(const RequestArg&) = delete;
  RequestArg& operator=(const RequestArg&) = delete;
  const barista_request* get() const { return raw_; }

 private:
  barista_request* owned_ = nullptr;
  const barista_request* raw_ = nullptr;
};

// Items given as Item objects or dicts.
class ItemsArg {
 public:
  ItemsArg(const std::shared_ptr<ModelRef>& model, py::handle items) {
    if (py::isinstance<py::dict>(items) || py::isinstance<PyItem>(items)) {
      throw py::type_error("items are a list of Item objects or dicts");
    }
    for (py::handle item : items) {
      if (py::isinstance<PyItem>(item)) {
        const PyItem& i = item.cast<const PyItem&>();
        if (i.model()->get() != model->get())
          raise(BARISTA_STATUS_INVALID_ARGUMENT, "an item was built for another model");
        raw_.push_back(i.get());
      } else {
        barista_item* made = nullptr;
        check(barista_item_create(model->get(), &made), "creating an item failed");
        owned_.push_back(made);
        raw_.push_back(made);
        fill_item(*model, made, item);
      }
    }
  }
  ~ItemsArg() {
    for (barista_item* i : owned_) barista_item_free(i);
  }
  ItemsArg(const ItemsArg&) = delete;
  ItemsArg& operator=(const ItemsArg&) = delete;
  const std::vector<const barista_item*>& get() const { return raw_; }

 private:
  std::vector<barista_item*> owned_;
  std::vector<const barista_item*> raw_;
};

// ---------------------------------------------------------------- Session

PySession::PySession(const PyModel& model) : model_(model.ref()), lock_(std::make_shared<std::mutex>()) {
  check(barista_session_create(model_->get(), &raw_), "creating a session failed");
}

PySession::~PySession() { close(); }

void PySession::close() {
  if (raw_ == nullptr) return;
  std::shared_ptr<std::mutex> lock = lock_;
  py::gil_scoped_release unlocked;
  std::lock_guard<std::mutex> guard(*lock);
  barista_session_free(raw_);
  raw_ = nullptr;
}

barista_session* PySession::get() const {
  if (raw_ == nullptr) raise(BARISTA_STATUS_INVALID_ARGUMENT, "the session is closed");
  return raw_;
}

template <class Call>
barista_status PySession::locked(Call&& call) {
  barista_session* session = get();
  std::shared_ptr<std::mutex> lock = lock_;
  py::gil_scoped_release unlocked;
  std::lock_guard<std::mutex> guard(*lock);
  return call(session);
}

void PySession::fail(barista_status code) const { raise(code, barista_session_last_error(raw_)); }

RecommendArgs::RecommendArgs(const ModelRef& model, size_t k, py::handle exclude, py::handle candidates,
                             const std::string& precision) {
  params = barista_recommend_default_params();
  params.k = k;
  params.precision = parse_precision(precision);
  if (!exclude.is_none()) {
    exclude_ = item_indices(model, exclude);
    params.exclude = exclude_.data();
    params.exclude_count = exclude_.size();
  }
  if (!candidates.is_none()) {
    candidates_ = item_indices(model, candidates);
    static const uint32_t kNone = 0;  // a non-NULL pointer for an empty list
    params.candidates = candidates_.empty() ? &kNone : candidates_.data();
    params.candidate_count = candidates_.size();
  }
}

std::vector<barista_recommendation> PySession::recommend_raw(py::handle request, size_t k, py::handle exclude,
                                                             py::handle candidates, const std::string& precision) {
  const std::shared_ptr<ModelRef>& model = model_;
  k = std::min(k, model->item_count);  // no more can come back
  const RecommendArgs args(*model, k, exclude, candidates, precision);
  const RequestArg r(model, request);
  std::vector<barista_recommendation> top(k);
  size_t count = 0;
  const barista_status code = locked(
      [&](barista_session* s) { return barista_session_recommend(s, r.get(), &args.params, top.data(), k, &count); });
  if (code != BARISTA_STATUS_OK) fail(code);
  top.resize(count);
  return top;
}

py::list PySession::recommend(py::handle request, size_t k, py::handle exclude, py::handle candidates,
                              const std::string& precision) {
  const std::vector<barista_recommendation> top = recommend_raw(request, k, exclude, candidates, precision);
  py::list out(top.size());
  for (size_t i = 0; i < top.size(); ++i) {
    out[i] = py::make_tuple(item_name(top[i].item), top[i].score);
  }
  return out;
}

py::tuple PySession::recommend_indices(py::handle request, size_t k, py::handle exclude, py::handle candidates,
                                       const std::string& precision) {
  const std::vector<barista_recommendation> top = recommend_raw(request, k, exclude, candidates, precision);
  py::array_t<uint32_t> items(static_cast<py::ssize_t>(top.size()));
  py::array_t<float> scores(static_cast<py::ssize_t>(top.size()));
  for (size_t i = 0; i < top.size(); ++i) {
    items.mutable_data()[i] = top[i].item;
    scores.mutable_data()[i] = top[i].score;
  }
  return py::make_tuple(items, scores);
}

py::object PySession::item_name(uint32_t index) const {
  if (index < model_->item_count) return py::str(model_->item_id(index));
  return py::none();  // an added catalog item or an extra item: not in this model's catalog
}

py::array_t<float> PySession::score_catalog(py::handle request, const std::vector<uint32_t>& items) {
  const RequestArg r(model_, request);
  py::array_t<float> scores(static_cast<py::ssize_t>(items.size()));
  float* out = scores.mutable_data();
  const barista_status code = locked([&](barista_session* s) {
    return barista_session_score(s, r.get(), items.data(), items.size(), out, items.size());
  });
  if (code != BARISTA_STATUS_OK) fail(code);
  return scores;
}

py::array_t<float> PySession::score(py::handle request, py::handle items) {
  return score_catalog(request, item_indices(*model_, items));
}

py::array_t<float> PySession::score_indices(
    py::handle request, const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& items) {
  return score_catalog(request, checked_indices(*model_, items));
}

py::array_t<float> PySession::score_items(py::handle request, py::handle items) {
  const RequestArg r(model_, request);
  const ItemsArg described(model_, items);
  const size_t n = described.get().size();
  py::array_t<float> scores(static_cast<py::ssize_t>(n));
  float* out = scores.mutable_data();
  const barista_status code = locked(
      [&](barista_session* s) { return barista_session_score_items(s, r.get(), described.get().data(), n, out, n); });
  if (code != BARISTA_STATUS_OK) fail(code);
  return scores;
}

py::dict PySession::explain(py::handle request, py::handle item) {
  const RequestArg r(model_, request);
  barista_explanation e{};
  e.struct_size = sizeof e;
  barista_status code;
  if (py::isinstance<py::dict>(item) || py::isinstance<PyItem>(item)) {
    const ItemsArg described(model_, py::make_tuple(item));
    code = locked([&](barista_session* s) { return barista_session_explain_item(s, r.get(), described.get()[0], &e); });
  } else {
    const uint32_t index = item_index(*model_, item);
    code = locked([&](barista_session* s) { return barista_session_explain(s, r.get(), index, &e); });
  }
  if (code != BARISTA_STATUS_OK) fail(code);
  // The arrays live until the session's next call: copied now, under the
  // GIL, before any other thread can make one.
  py::list wide;
  for (size_t i = 0; i < e.wide_term_count; ++i) {
    const barista_wide_contribution& c = e.wide_terms[i];
    py::dict d;
    d["term"] = c.term;
    d["value"] = c.value;
    d["model"] = c.model;
    d["learned"] = c.learned;
    wide.append(d);
  }
  py::dict deep_inputs;
  for (size_t i = 0; i < e.deep_input_count; ++i)
    deep_inputs[py::str(e.deep_inputs[i].input)] = e.deep_inputs[i].attribution;
  py::dict out;
  out["logit"] = e.logit;
  out["score"] = 1.0 / (1.0 + std::exp(-static_cast<double>(e.logit)));
  out["bias"] = e.bias;
  out["wide"] = e.wide;
  out["learned"] = e.learned;
  out["deep"] = e.deep;
  out["deep_baseline"] = e.deep_baseline;
  out["integration_error"] = e.integration_error;
  out["wide_terms"] = wide;
  out["deep_inputs"] = deep_inputs;
  return out;
}

void PySession::set_overlay(py::handle overlay) {
  barista_session* session = get();
  if (overlay.is_none()) {
    const barista_status code = locked([&](barista_session* s) { return barista_session_set_overlay(s, nullptr); });
    if (code != BARISTA_STATUS_OK) fail(code);
    lock_ = std::make_shared<std::mutex>();
    return;
  }
  PyOverlay& o = overlay.cast<PyOverlay&>();
  barista_overlay* raw = o.get();
  // From now on the session and the overlay are used under one lock.
  std::shared_ptr<std::mutex> old = lock_, shared = o.lock();
  barista_status code;
  {
    py::gil_scoped_release unlocked;
    if (old == shared) {  // attached already
      std::lock_guard<std::mutex> guard(*shared);
      code = barista_session_set_overlay(session, raw);
    } else {
      std::scoped_lock guard(*old, *shared);
      code = barista_session_set_overlay(session, raw);
    }
  }
  if (code != BARISTA_STATUS_OK) fail(code);
  lock_ = shared;
}

size_t PySession::memory_bytes() const { return barista_session_memory_bytes(get()); }

// ---------------------------------------------------------------- Overlay

PyOverlay::PyOverlay(const PyModel& model, const std::optional<std::string>& path, py::dict options)
    : model_(model.ref()), lock_(std::make_shared<std::mutex>()) {
  barista_overlay_params params = barista_overlay_default_params();
  for (auto [key, value] : options) {
    const std::string name = text_of(key);
    if (name == "memory_limit")
      params.memory_limit = value.cast<size_t>();
    else if (name == "customer_memory_limit")
      params.customer_memory_limit = value.cast<size_t>();
    else if (name == "learning_rate")
      params.learning_rate = value.cast<float>();
    else if (name == "beta")
      params.beta = value.cast<float>();
    else if (name == "l1")
      params.l1 = value.cast<float>();
    else if (name == "l2")
      params.l2 = value.cast<float>();
    else if (name == "shown_weight")
      params.shown_weight = value.cast<float>();
    else if (name == "salvage")
      params.flags |= value.cast<bool>() ? uint32_t{BARISTA_OVERLAY_SALVAGE} : 0u;
    else
      throw py::type_error("Overlay() got an unexpected option '" + name + "'");
  }
  barista_error error{};
  barista_status code;
  {
    py::gil_scoped_release unlocked;
    code = barista_overlay_open(model_->get(), path ? path->c_str() : nullptr, &params, &raw_, &error);
  }
  if (code != BARISTA_STATUS_OK) raise(code, error.message);
}

PyOverlay::~PyOverlay() { close(); }

void PyOverlay::close() {
  if (raw_ == nullptr) return;
  std::shared_ptr<std::mutex> lock = lock_;
  py::gil_scoped_release unlocked;
  std::lock_guard<std::mutex> guard(*lock);
  barista_overlay_free(raw_);
  raw_ = nullptr;
}

barista_overlay* PyOverlay::get() const {
  if (raw_ == nullptr) raise(BARISTA_STATUS_INVALID_ARGUMENT, "the overlay is closed");
  return raw_;
}

template <class Call>
void PyOverlay::locked(Call&& call) {
  barista_overlay* overlay = get();
  barista_status code;
  {
    std::shared_ptr<std::mutex> lock = lock_;
    py::gil_scoped_release unlocked;
    std::lock_guard<std::mutex> guard(*lock);
    code = call(overlay);
  }
  if (code != BARISTA_STATUS_OK) raise(code, barista_overlay_last_error(overlay));
}

void PyOverlay::observe(py::handle request, py::handle item, float label, float weight) {
  const RequestArg r(model_, request);
  if (py::isinstance<py::dict>(item) || py::isinstance<PyItem>(item)) {
    const ItemsArg described(model_, py::make_tuple(item));
    locked([&](barista_overlay* o) {
      return barista_overlay_observe_item(o, r.get(), described.get()[0], label, weight);
    });
    return;
  }
  const uint32_t index = item_index(*model_, item);
  locked([&](barista_overlay* o) { return barista_overlay_observe(o, r.get(), index, label, weight); });
}

void PyOverlay::observe_shown(py::handle request, py::handle shown, py::handle taken) {
  const RequestArg r(model_, request);
  const std::vector<uint32_t> items = item_indices(*model_, shown);
  const uint32_t chosen = taken.is_none() ? BARISTA_NO_ITEM : item_index(*model_, taken);
  locked([&](barista_overlay* o) {
    return barista_overlay_observe_shown(o, r.get(), items.data(), items.size(), chosen);
  });
}

void PyOverlay::forget_user(const std::string& user) {
  locked([&](barista_overlay* o) { return barista_overlay_forget_user(o, user.data(), user.size()); });
}

py::list PyOverlay::recent_items(const std::string& user) {
  std::vector<uint32_t> items(64);
  size_t count = 0;
  locked([&](barista_overlay* o) {
    barista_status code = barista_overlay_recent_items(o, user.data(), user.size(), items.data(), items.size(), &count);
    if (code == BARISTA_STATUS_BUFFER_TOO_SMALL) {
      items.resize(count);
      code = barista_overlay_recent_items(o, user.data(), user.size(), items.data(), items.size(), &count);
    }
    return code;
  });
  py::list out;
  for (size_t i = 0; i < count; ++i) {
    out.append(items[i] == BARISTA_NO_ITEM ? py::object(py::none()) : py::object(py::str(model_->item_id(items[i]))));
  }
  return out;
}

void PyOverlay::sync() {
  locked([](barista_overlay* o) { return barista_overlay_sync(o); });
}

void PyOverlay::compact() {
  locked([](barista_overlay* o) { return barista_overlay_compact(o); });
}

py::dict PyOverlay::stats() {
  barista_overlay_stats s{};
  locked([&](barista_overlay* o) { return barista_overlay_get_stats(o, &s); });
  return stats_dict(s);
}

// ---------------------------------------------------------------- the module

void bind_runtime(py::module_& module) {
  py::class_<PyModel, std::shared_ptr<PyModel>>(module, "Model", R"(A model file, memory-mapped and read-only.

Model(path, verify=False, copy=False) opens it. verify: check every stored
number and the payload checksum first. copy: read the file into memory
instead of mapping it (a mapped file must not be rewritten while it is
open; retraining to the same path is safe with copy=True). Shareable by any
number of threads.)")
      .def(py::init(&PyModel::open), py::arg("path"), py::arg("verify") = false, py::arg("copy") = false)
      .def_static("open", &PyModel::open, py::arg("path"), py::arg("verify") = false, py::arg("copy") = false,
                  "Opens the model file at path.")
      .def("info", &PyModel::info, "Name, version, format, item count, kernels in use, memory.")
      .def("metadata", &PyModel::metadata,
           "What the file records about its making: training config, data fingerprint, metrics, lineage properties.")
      .def("inputs", &PyModel::inputs, "The inputs a request or an item may give, with their kinds.")
      .def_property_readonly("item_count", [](const PyModel& m) { return m.ref()->item_count; })
      .def_property_readonly("user_input", [](const PyModel& m) { return m.ref()->user_input; })
      .def("item_ids", &PyModel::item_ids, "Every catalog item's id, in catalog order.")
      .def(
          "item_id", [](const PyModel& m, uint32_t index) { return m.ref()->item_id(index); }, py::arg("index"),
          "The id of catalog item `index`.")
      .def(
          "find_item", [](const PyModel& m, py::handle id) { return item_index(*m.ref(), id); }, py::arg("id"),
          "The catalog index of the item with this id (barista.Error NOT_FOUND when there is none).")
      .def("verify", &PyModel::verify, "Checks the payload checksum and that every stored number is finite.")
      .def("encode", &encode_example, py::arg("request"), py::arg("item"),
           "The ids each categorical column computes (uint32 arrays) and each numeric column's standardized "
           "value, for a request and an item (a catalog id, or a dict of its features): what another framework "
           "trains on to make a model for barista.write_model.")
      .def("close", &PyModel::close,
           "Releases the model; sessions, requests and overlays made from it keep it alive until they go.")
      .def_property_readonly("closed", &PyModel::closed)
      .def("__enter__", [](std::shared_ptr<PyModel> m) { return m; })
      .def("__exit__", [](PyModel& m, py::args) { m.close(); });

  py::class_<PyRequest, std::shared_ptr<PyRequest>>(module, "Request", R"(A customer and their context, built once.

Request(model, {"user_id": "alice", "basket": ["croissant"], "hour": 9}):
the user input's value is the user id (unknown users take the cold-start
path); categorical inputs take str, bytes or int values or lists of them;
numeric inputs take int or float (NaN is refused). Every call that takes a
request also takes such a dict; a Request saves building it again.)")
      .def(py::init<const PyModel&, py::handle>(), py::arg("model"), py::arg("features"));

  py::class_<PyItem, std::shared_ptr<PyItem>>(module, "Item",
                                              R"(An item described by its features (one the catalog may not hold).)")
      .def(py::init<const PyModel&, py::handle>(), py::arg("model"), py::arg("features"));

  py::class_<PySession, std::shared_ptr<PySession>>(module, "Session", R"(Scores and recommends for one model.

Scratch memory for one caller at a time: calls on one session from several
threads wait for each other; give each thread its own session to score in
parallel.)")
      .def(py::init<const PyModel&>(), py::arg("model"))
      .def("recommend", &PySession::recommend, py::arg("request"), py::arg("k") = 10, py::arg("exclude") = py::none(),
           py::arg("candidates") = py::none(), py::arg("precision") = "exact",
           "The top k items for the request, best first, as a list of (item id, score). exclude and candidates are "
           "lists of item ids; precision 'int8' ranks a shortlist with int8 layers, then rescores exactly.")
      .def("recommend_indices", &PySession::recommend_indices, py::arg("request"), py::arg("k") = 10,
           py::arg("exclude") = py::none(), py::arg("candidates") = py::none(), py::arg("precision") = "exact",
           "As recommend, as two numpy arrays: catalog indices (uint32) and scores (float32).")
      .def("score", &PySession::score, py::arg("request"), py::arg("items"),
           "p(interaction) for catalog items given by id, as a float32 numpy array.")
      .def("score_indices", &PySession::score_indices, py::arg("request"), py::arg("items"),
           "p(interaction) for catalog items given by index (an integer array).")
      .def("score_items", &PySession::score_items, py::arg("request"), py::arg("items"),
           "p(interaction) for items described by their features (Item objects or dicts).")
      .def("explain", &PySession::explain, py::arg("request"), py::arg("item"),
           "Why the item (an id, or an Item or dict of features) scores what it does: logit = bias + wide + learned "
           "+ deep; the wide terms that fired (term, value, model, learned), largest first; each deep input's "
           "integrated-gradients attribution, and the integration's error (README: Explanations).")
      .def("set_overlay", &PySession::set_overlay, py::arg("overlay"),
           "Scores include what the overlay learned (None detaches). The session and the overlay then share one "
           "lock.")
      .def("memory_bytes", &PySession::memory_bytes)
      .def("close", &PySession::close)
      .def("__enter__", [](std::shared_ptr<PySession> s) { return s; })
      .def("__exit__", [](PySession& s, py::args) { s.close(); });

  py::class_<PyOverlay, std::shared_ptr<PyOverlay>>(module, "Overlay",
                                                    R"(On-device learning on top of a read-only model.

Overlay(model, path=None, **options): path persists it to PATH and
PATH.journal (None: memory only). options: memory_limit,
customer_memory_limit, learning_rate, beta, l1, l2, shown_weight, salvage.
sync() makes what was observed durable.)")
      .def(py::init([](const PyModel& model, const std::optional<std::string>& path, py::kwargs options) {
             return std::make_shared<PyOverlay>(model, path, options);
           }),
           py::arg("model"), py::arg("path") = py::none())
      .def("observe", &PyOverlay::observe, py::arg("request"), py::arg("item"), py::arg("label") = 1.0f,
           py::arg("weight") = 1.0f,
           "One learning step: the request's customer took (label 1) or passed over (label 0) the item (an id, or "
           "an Item or dict of features).")
      .def("observe_shown", &PyOverlay::observe_shown, py::arg("request"), py::arg("shown"),
           py::arg("taken") = py::none(), "These items were shown; `taken` (an id, or None) was chosen.")
      .def("forget_user", &PyOverlay::forget_user, py::arg("user"))
      .def("recent_items", &PyOverlay::recent_items, py::arg("user"), "The customer's remembered items, oldest first.")
      .def("sync", &PyOverlay::sync)
      .def("compact", &PyOverlay::compact)
      .def("stats", &PyOverlay::stats)
      .def("close", &PyOverlay::close, "Releases the overlay; what was not synced is not saved.")
      .def("__enter__", [](std::shared_ptr<PyOverlay> o) { return o; })
      .def("__exit__", [](PyOverlay& o, py::args) { o.close(); });

  bind_batch(module);
}

}  // namespace barista::python
