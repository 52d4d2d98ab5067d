// Requests and described items: the same feature bag behind two handle
// types, so that a request cannot be passed where an item is expected.
#include <cstring>
#include <string_view>

#include "capi/handles.h"

using namespace barista::internal;

namespace {

template <class Handle>
barista_status create_bag(const barista_model* model, Handle** out) {
  if (!valid_model(model) || out == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  BARISTA_TRY {
    auto* owner = const_cast<barista_model*>(model);  // only its reference count changes
    Handle* handle = new_object<Handle>(owner, *owner->model);
    if (handle == nullptr) return BARISTA_STATUS_OUT_OF_MEMORY;
    retain_model(owner);
    *out = handle;
    return BARISTA_STATUS_OK;
  }
  BARISTA_CATCH(const std::bad_alloc&) { return BARISTA_STATUS_OUT_OF_MEMORY; }
}

template <class Handle>
void free_bag(Handle* handle, uint32_t magic) {
  if (handle == nullptr || handle->magic != magic) return;
  barista_model* owner = handle->owner;
  handle->magic = kFreedMagic;
  delete_object(handle);
  release_model(owner);
}

// Shared body of the add/set calls: checks the handle and the input name,
// runs `action` and records its status in the handle.
template <class Handle, class Action>
barista_status bag_call(Handle* handle, uint32_t magic, const char* input, Action&& action) {
  if (handle == nullptr || handle->magic != magic) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &handle->error;
  BARISTA_API_TRY
  if (input == nullptr) return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "input name is NULL"), error);
  return record(action(handle->bag, std::string_view(input)), error);
  BARISTA_API_CATCH(error)
}

Status string_value(const char* value, size_t* length) {
  if (value == nullptr) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "value is NULL");
  if (*length == BARISTA_STRLEN) *length = std::strlen(value);
  return Status();
}

template <class Handle>
barista_status add_string(Handle* handle, uint32_t magic, const char* input, const char* value, size_t length) {
  return bag_call(handle, magic, input, [&](FeatureBag& bag, std::string_view name) {
    BARISTA_RETURN_IF_ERROR(string_value(value, &length));
    return bag.add_string(name, std::string_view(value, length));
  });
}

template <class Handle>
barista_status add_int64(Handle* handle, uint32_t magic, const char* input, int64_t value) {
  return bag_call(handle, magic, input,
                  [&](FeatureBag& bag, std::string_view name) { return bag.add_int(name, value); });
}

template <class Handle>
barista_status set_number(Handle* handle, uint32_t magic, const char* input, double value) {
  return bag_call(handle, magic, input,
                  [&](FeatureBag& bag, std::string_view name) { return bag.set_number(name, value); });
}

template <class Handle>
barista_status clear(Handle* handle, uint32_t magic) {
  if (handle == nullptr || handle->magic != magic) return BARISTA_STATUS_INVALID_ARGUMENT;
  handle->bag.clear();
  handle->error.clear();
  return BARISTA_STATUS_OK;
}

template <class Handle>
const char* last_error(const Handle* handle, uint32_t magic) {
  if (handle == nullptr || handle->magic != magic) return "invalid handle";
  return handle->error.c_str();
}

}  // namespace

extern "C" {

barista_status barista_request_create(const barista_model* model, barista_request** out_request) {
  return create_bag(model, out_request);
}
void barista_request_free(barista_request* request) { free_bag(request, kRequestMagic); }
barista_status barista_request_clear(barista_request* request) { return clear(request, kRequestMagic); }

barista_status barista_request_set_user(barista_request* request, const char* user_id, size_t length) {
  if (!valid_request(request)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &request->error;
  BARISTA_API_TRY
  Status status = string_value(user_id, &length);
  if (status.ok()) status = request->bag.set_user(std::string_view(user_id, length));
  return record(status, error);
  BARISTA_API_CATCH(error)
}

barista_status barista_request_add_string(barista_request* request, const char* input, const char* value,
                                          size_t length) {
  return add_string(request, kRequestMagic, input, value, length);
}
barista_status barista_request_add_int64(barista_request* request, const char* input, int64_t value) {
  return add_int64(request, kRequestMagic, input, value);
}
barista_status barista_request_set_number(barista_request* request, const char* input, double value) {
  return set_number(request, kRequestMagic, input, value);
}
const char* barista_request_last_error(const barista_request* request) { return last_error(request, kRequestMagic); }

barista_status barista_item_create(const barista_model* model, barista_item** out_item) {
  return create_bag(model, out_item);
}
void barista_item_free(barista_item* item) { free_bag(item, kItemMagic); }
barista_status barista_item_clear(barista_item* item) { return clear(item, kItemMagic); }
barista_status barista_item_add_string(barista_item* item, const char* input, const char* value, size_t length) {
  return add_string(item, kItemMagic, input, value, length);
}
barista_status barista_item_add_int64(barista_item* item, const char* input, int64_t value) {
  return add_int64(item, kItemMagic, input, value);
}
barista_status barista_item_set_number(barista_item* item, const char* input, double value) {
  return set_number(item, kItemMagic, input, value);
}
const char* barista_item_last_error(const barista_item* item) { return last_error(item, kItemMagic); }

}  // extern "C"
