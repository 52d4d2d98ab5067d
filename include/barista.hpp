// barista.hpp — a thin C++17 layer over the C API in barista.h: RAII handles,
// views instead of pointer + length pairs, statuses with messages. No
// exceptions are thrown (game engines build without them); every fallible
// call returns a barista::Status.
//
//     barista::Model model;
//     barista::Status status = barista::Model::open("menu.barista", &model);
//     if (!status) { std::cerr << status.message() << "\n"; return 1; }
//     barista::Session session;
//     barista::Request request;
//     barista::Session::create(model, &session);
//     barista::Request::create(model, &request);
//     request.set_user("alice");
//     request.add("basket", "croissant");
//     std::vector<barista_recommendation> top;
//     barista::RecommendOptions options;
//     options.k = 5;
//     session.recommend(request, options, &top);
//
// Threading and lifetimes are those of the C API: a Model may be shared by
// threads; a Session, Request or Item is used by one thread at a time; every
// object keeps its model alive.
#ifndef BARISTA_HPP
#define BARISTA_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "barista.h"

namespace barista {

// The outcome of a call: a code and, on failure, a readable message.
class Status {
 public:
  Status() = default;
  Status(barista_status code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == BARISTA_STATUS_OK; }
  explicit operator bool() const { return ok(); }
  barista_status code() const { return code_; }
  // The message, or the status' description when the call gave none.
  const std::string& message() const { return message_; }
  // "BARISTA_STATUS_NOT_FOUND", ...
  const char* name() const {
    const char* n = barista_status_name(code_);
    return n ? n : "BARISTA_STATUS_?";
  }

 private:
  barista_status code_ = BARISTA_STATUS_OK;
  std::string message_;
};

// A read-only view of contiguous values.
template <class T>
class Span {
 public:
  Span() = default;
  Span(const T* data, size_t size) : data_(data), size_(size) {}
  template <class Container, class = decltype(std::declval<const Container&>().data())>
  Span(const Container& c) : data_(c.data()), size_(c.size()) {}  // NOLINT: implicit view
  template <size_t N>
  Span(const T (&array)[N]) : data_(array), size_(N) {}  // NOLINT: implicit view

  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};

namespace detail {
struct Free {
  void operator()(barista_model* p) const { barista_model_free(p); }
  void operator()(barista_session* p) const { barista_session_free(p); }
  void operator()(barista_request* p) const { barista_request_free(p); }
  void operator()(barista_item* p) const { barista_item_free(p); }
  void operator()(barista_overlay* p) const { barista_overlay_free(p); }
  void operator()(barista_catalog* p) const { barista_catalog_free(p); }
};
template <class T>
using Handle = std::unique_ptr<T, Free>;

inline Status make_status(barista_status code, const char* message) {
  if (code == BARISTA_STATUS_OK) return Status();
  return Status(code, message && *message ? message : barista_status_describe(code));
}
}  // namespace detail

class Model {
 public:
  Model() = default;

  // Memory-maps the model file at `path` (see barista_model_open_file).
  static Status open(const std::string& path, Model* out, const barista_open_params* params = nullptr) {
    barista_model* raw = nullptr;
    barista_error error;
    const barista_status code = barista_model_open_file(path.c_str(), params, &raw, &error);
    if (code == BARISTA_STATUS_OK) out->handle_.reset(raw);
    return detail::make_status(code, error.message);
  }

  // Opens a model in the caller's memory (see barista_model_open_buffer).
  static Status open_buffer(const void* data, size_t size, Model* out, const barista_open_params* params = nullptr) {
    barista_model* raw = nullptr;
    barista_error error;
    const barista_status code = barista_model_open_buffer(data, size, params, &raw, &error);
    if (code == BARISTA_STATUS_OK) out->handle_.reset(raw);
    return detail::make_status(code, error.message);
  }

  // Heap memory the model holds (barista_model_memory_bytes).
  size_t memory_bytes() const { return barista_model_memory_bytes(handle_.get()); }

  // Payload checksum and finiteness of every number (barista_model_verify).
  Status verify() const {
    barista_error error;
    const barista_status code = barista_model_verify(handle_.get(), &error);
    return detail::make_status(code, error.message);
  }

  barista_model_info info() const {
    barista_model_info info{};
    barista_model_get_info(handle_.get(), &info);
    return info;
  }
  size_t item_count() const { return info().item_count; }

  // Catalog index of the item with id `id`.
  Status find_item(std::string_view id, uint32_t* index) const {
    const barista_status code = barista_model_find_item(handle_.get(), id.data(), id.size(), index);
    return detail::make_status(code, code == BARISTA_STATUS_NOT_FOUND ? "no such item in the catalog" : "");
  }

  // The id of catalog item `index` ("" when out of range).
  std::string item_id(uint32_t index) const {
    size_t length = 0;
    if (barista_model_get_item_id(handle_.get(), index, nullptr, 0, &length) != BARISTA_STATUS_BUFFER_TOO_SMALL) {
      return std::string();
    }
    std::string id(length + 1, '\0');
    barista_model_get_item_id(handle_.get(), index, &id[0], id.size(), &length);
    id.resize(length);
    return id;
  }

  barista_model* get() const { return handle_.get(); }
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  detail::Handle<barista_model> handle_;
};

namespace detail {
// Request and Item share their shape; the C functions differ.
template <class Raw, barista_status (*Create)(const barista_model*, Raw**),
          barista_status (*AddString)(Raw*, const char*, const char*, size_t),
          barista_status (*AddInt)(Raw*, const char*, int64_t), barista_status (*SetNumber)(Raw*, const char*, double),
          barista_status (*Clear)(Raw*), const char* (*LastError)(const Raw*)>
class Features {
 public:
  static Status create(const Model& model, Features* out) {
    Raw* raw = nullptr;
    const barista_status code = Create(model.get(), &raw);
    if (code == BARISTA_STATUS_OK) out->handle_.reset(raw);
    return make_status(code, "");
  }
  // Adds a categorical value (multi-valent inputs collect; others keep the last).
  Status add(const char* input, std::string_view value) {
    return result(AddString(handle_.get(), input, value.data(), value.size()));
  }
  Status add(const char* input, int64_t value) { return result(AddInt(handle_.get(), input, value)); }
  // Sets a numeric input (NaN and infinities are refused).
  Status set(const char* input, double value) { return result(SetNumber(handle_.get(), input, value)); }
  Status clear() { return result(Clear(handle_.get())); }

  Raw* get() const { return handle_.get(); }

 protected:
  Status result(barista_status code) const { return make_status(code, LastError(handle_.get())); }
  Handle<Raw> handle_;
};
}  // namespace detail

// A customer and their context.
class Request : public detail::Features<barista_request, barista_request_create, barista_request_add_string,
                                        barista_request_add_int64, barista_request_set_number, barista_request_clear,
                                        barista_request_last_error> {
 public:
  static Status create(const Model& model, Request* out) { return Features::create(model, out); }
  // Sets the user id; users the model has never seen take the cold-start path.
  Status set_user(std::string_view user_id) {
    return result(barista_request_set_user(handle_.get(), user_id.data(), user_id.size()));
  }
};

// An item described by its features (e.g. not in the catalog).
class Item : public detail::Features<barista_item, barista_item_create, barista_item_add_string, barista_item_add_int64,
                                     barista_item_set_number, barista_item_clear, barista_item_last_error> {
 public:
  static Status create(const Model& model, Item* out) { return Features::create(model, out); }
};

struct RecommendOptions {
  size_t k = 10;
  // Catalog indices to rank; unset ranks the whole catalog.
  std::optional<Span<uint32_t>> candidates;
  // Catalog indices never to return.
  Span<uint32_t> exclude;
  // Items not in the catalog, ranked alongside it; in results numbered
  // item_count + position (after the attached catalog changes' added items).
  std::vector<const Item*> extra_items;
  // BARISTA_PRECISION_INT8_SHORTLIST: int8 layers choose, f32 rescores.
  barista_precision precision = BARISTA_PRECISION_EXACT;
};

namespace detail {
// The C params for RecommendOptions, with the extra items' handles they
// point to.
struct RecommendParams {
  explicit RecommendParams(const RecommendOptions& options) : extra(options.extra_items.size()) {
    for (size_t i = 0; i < extra.size(); ++i) extra[i] = options.extra_items[i] ? options.extra_items[i]->get() : nullptr;
    c = barista_recommend_default_params();
    c.k = options.k;
    if (options.candidates) {
      static const uint32_t kNone = 0;  // a non-NULL pointer for an empty list
      c.candidates = options.candidates->empty() ? &kNone : options.candidates->data();
      c.candidate_count = options.candidates->size();
    }
    c.exclude = options.exclude.data();
    c.exclude_count = options.exclude.size();
    c.extra_items = extra.data();
    c.extra_item_count = extra.size();
    c.precision = options.precision;
  }
  RecommendParams(const RecommendParams&) = delete;
  RecommendParams& operator=(const RecommendParams&) = delete;
  std::vector<const barista_item*> extra;
  barista_recommend_params c;
};
}  // namespace detail

// On-device learning (see barista_overlay_* in barista.h): what the device
// learns about its customers, optionally persisted to PATH and
// PATH.journal. One thread at a time.
class Overlay {
 public:
  // Opens (or creates) the overlay at `path`; an empty path keeps it in
  // memory only.
  static Status open(const Model& model, const std::string& path, Overlay* out,
                     const barista_overlay_params* params = nullptr) {
    barista_overlay* raw = nullptr;
    barista_error error;
    const barista_status code =
        barista_overlay_open(model.get(), path.empty() ? nullptr : path.c_str(), params, &raw, &error);
    if (code == BARISTA_STATUS_OK) out->handle_.reset(raw);
    return detail::make_status(code, error.message);
  }

  // The request's customer took (label 1) or passed over (label 0) `item`.
  Status observe(const Request& request, uint32_t item, float label, float weight = 1.0f) {
    return result(barista_overlay_observe(handle_.get(), request.get(), item, label, weight));
  }
  Status observe(const Request& request, const Item& item, float label, float weight = 1.0f) {
    return result(barista_overlay_observe_item(handle_.get(), request.get(), item.get(), label, weight));
  }
  // These were shown and `taken` was chosen (BARISTA_NO_ITEM: nothing).
  Status observe_shown(const Request& request, Span<uint32_t> shown, uint32_t taken) {
    return result(barista_overlay_observe_shown(handle_.get(), request.get(), shown.data(), shown.size(), taken));
  }
  Status forget_user(std::string_view user_id) {
    return result(barista_overlay_forget_user(handle_.get(), user_id.data(), user_id.size()));
  }
  // The customer's remembered items, oldest first (barista_overlay_recent_items).
  Status recent_items(std::string_view user_id, std::vector<uint32_t>* out) const {
    size_t count = 0;
    barista_status code = barista_overlay_recent_items(handle_.get(), user_id.data(), user_id.size(), nullptr, 0, &count);
    if (code == BARISTA_STATUS_BUFFER_TOO_SMALL) {
      out->resize(count);
      code = barista_overlay_recent_items(handle_.get(), user_id.data(), user_id.size(), out->data(), out->size(),
                                          &count);
    }
    if (code == BARISTA_STATUS_OK) out->resize(count);
    return detail::make_status(code, code == BARISTA_STATUS_OK ? "" : "recent_items failed");
  }
  Status sync() { return result(barista_overlay_sync(handle_.get())); }
  Status compact() { return result(barista_overlay_compact(handle_.get())); }
  barista_overlay_stats stats() const {
    barista_overlay_stats stats{};
    barista_overlay_get_stats(handle_.get(), &stats);
    return stats;
  }

  barista_overlay* get() const { return handle_.get(); }
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  Status result(barista_status code) const {
    return detail::make_status(code, barista_overlay_last_error(handle_.get()));
  }
  detail::Handle<barista_overlay> handle_;
};

// Catalog changes (barista_catalog_*): unavailable items, added items.
class Catalog {
 public:
  // Opens the changes at `path` (none yet: no changes); an empty path keeps
  // them in memory only.
  static Status open(const Model& model, const std::string& path, Catalog* out) {
    barista_catalog* raw = nullptr;
    barista_error error;
    const barista_status code =
        barista_catalog_open(model.get(), path.empty() ? nullptr : path.c_str(), &raw, &error);
    if (code == BARISTA_STATUS_OK) out->handle_.reset(raw);
    return detail::make_status(code, error.message);
  }
  Status set_available(std::string_view item_id, bool available) {
    return result(barista_catalog_set_available(handle_.get(), item_id.data(), item_id.size(), available ? 1 : 0));
  }
  Status add_item(std::string_view item_id, const Item& features) {
    return result(barista_catalog_add_item(handle_.get(), item_id.data(), item_id.size(), features.get()));
  }
  Status remove_item(std::string_view item_id) {
    return result(barista_catalog_remove_item(handle_.get(), item_id.data(), item_id.size()));
  }
  Status save() { return result(barista_catalog_save(handle_.get())); }
  size_t added_count() const { return barista_catalog_added_count(handle_.get()); }
  size_t unavailable_count() const { return barista_catalog_unavailable_count(handle_.get()); }
  // The unavailable catalog items, ascending.
  std::vector<uint32_t> unavailable() const {
    std::vector<uint32_t> items(unavailable_count());
    size_t count = 0;
    barista_catalog_get_unavailable(handle_.get(), items.data(), items.size(), &count);
    items.resize(count);
    return items;
  }
  // The id of added item `index`; empty when out of range.
  std::string added_id(size_t index) const {
    size_t length = 0;
    if (barista_catalog_get_added_id(handle_.get(), index, nullptr, 0, &length) != BARISTA_STATUS_BUFFER_TOO_SMALL) {
      return std::string();
    }
    std::string id(length + 1, '\0');
    barista_catalog_get_added_id(handle_.get(), index, &id[0], id.size(), nullptr);
    id.resize(length);
    return id;
  }

  barista_catalog* get() const { return handle_.get(); }
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  Status result(barista_status code) const {
    return detail::make_status(code, barista_catalog_last_error(handle_.get()));
  }
  detail::Handle<barista_catalog> handle_;
};

class Session {
 public:
  static Status create(const Model& model, Session* out) {
    barista_session* raw = nullptr;
    const barista_status code = barista_session_create(model.get(), &raw);
    if (code == BARISTA_STATUS_OK) out->handle_.reset(raw);
    return detail::make_status(code, "");
  }

  // Heap memory the session holds (barista_session_memory_bytes).
  size_t memory_bytes() const { return barista_session_memory_bytes(handle_.get()); }

  // p(interaction) for catalog items; `scores` is resized to match.
  Status score(const Request& request, Span<uint32_t> items, std::vector<float>* scores) {
    scores->resize(items.size());
    return result(barista_session_score(handle_.get(), request.get(), items.data(), items.size(), scores->data(),
                                        scores->size()));
  }

  // p(interaction) for items described by their features.
  Status score(const Request& request, const std::vector<const Item*>& items, std::vector<float>* scores) {
    std::vector<const barista_item*> raw(items.size());
    for (size_t i = 0; i < items.size(); ++i) raw[i] = items[i] ? items[i]->get() : nullptr;
    scores->resize(items.size());
    return result(barista_session_score_items(handle_.get(), request.get(), raw.data(), raw.size(), scores->data(),
                                              scores->size()));
  }

  // The top-k items, best first; `out` is resized to what was found.
  Status recommend(const Request& request, const RecommendOptions& options, std::vector<barista_recommendation>* out) {
    const detail::RecommendParams params(options);
    out->resize(options.k);
    size_t count = 0;
    const Status status =
        result(barista_session_recommend(handle_.get(), request.get(), &params.c, out->data(), out->size(), &count));
    out->resize(status.ok() ? count : 0);
    return status;
  }

  // The top-k of each request under the same options, in one call
  // (barista_session_recommend_many); (*out)[i] is request i's list.
  Status recommend_many(const std::vector<const Request*>& requests, const RecommendOptions& options,
                        std::vector<std::vector<barista_recommendation>>* out) {
    const detail::RecommendParams params(options);
    std::vector<barista_batch_request> batch(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) batch[i] = {requests[i] ? requests[i]->get() : nullptr, &params.c};
    std::vector<barista_recommendation> all(requests.size() * options.k);
    std::vector<size_t> counts(requests.size());
    const Status status = result(barista_session_recommend_many(handle_.get(), batch.data(), batch.size(),
                                                                all.data(), all.size(), counts.data()));
    out->assign(requests.size(), {});
    for (size_t i = 0; status && i < requests.size(); ++i) {
      const auto begin = all.begin() + static_cast<std::ptrdiff_t>(i * options.k);
      (*out)[i].assign(begin, begin + static_cast<std::ptrdiff_t>(counts[i]));
    }
    return status;
  }

  // Why catalog item `item` (or a described item) scores what it does
  // (barista_session_explain); the arrays in `out` live until the session's
  // next call.
  Status explain(const Request& request, uint32_t item, barista_explanation* out) {
    out->struct_size = sizeof *out;
    return result(barista_session_explain(handle_.get(), request.get(), item, out));
  }
  Status explain(const Request& request, const Item& item, barista_explanation* out) {
    out->struct_size = sizeof *out;
    return result(barista_session_explain_item(handle_.get(), request.get(), item.get(), out));
  }

  // Scores include what `overlay` learned; a default-constructed Overlay
  // detaches.
  Status set_overlay(const Overlay& overlay) {
    return result(barista_session_set_overlay(handle_.get(), overlay.get()));
  }
  // Recommendations leave out the catalog's unavailable items and rank its
  // added ones; a default-constructed Catalog detaches.
  Status set_catalog(const Catalog& catalog) {
    return result(barista_session_set_catalog(handle_.get(), catalog.get()));
  }

  barista_session* get() const { return handle_.get(); }

 private:
  Status result(barista_status code) const {
    return detail::make_status(code, barista_session_last_error(handle_.get()));
  }
  detail::Handle<barista_session> handle_;
};

}  // namespace barista

#endif  // BARISTA_HPP
