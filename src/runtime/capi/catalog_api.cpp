// Catalog changes: unavailable items and items added by their features,
// persisted beside the model, and attaching them to sessions.
#include <algorithm>
#include <cstring>

#include "capi/handles.h"
#include "hash/fingerprint.h"

using namespace barista::internal;

namespace barista::internal {

void release_catalog(barista_catalog* catalog) {
  if (catalog->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    barista_model* owner = catalog->owner;
    catalog->magic = kFreedMagic;
    delete_object(catalog);
    release_model(owner);
  }
}

}  // namespace barista::internal

namespace {

std::string_view id_of(const char* id, size_t length) {
  return std::string_view(id, length == BARISTA_STRLEN ? std::strlen(id) : length);
}

}  // namespace

extern "C" {

barista_status barista_catalog_open(const barista_model* model, const char* path, barista_catalog** out_catalog,
                                    barista_error* out_error) {
  if (!valid_model(model) || out_catalog == nullptr) {
    fill_error(out_error, BARISTA_STATUS_INVALID_ARGUMENT, "model or out_catalog is NULL or not a handle");
    return BARISTA_STATUS_INVALID_ARGUMENT;
  }
  return guarded(out_error, [&] {
    Status status;
    if (path != nullptr && path[0] == '\0') {
      status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the catalog changes path is empty (NULL keeps them in memory)");
    }
    auto* owner = const_cast<barista_model*>(model);  // only its reference count changes
    std::unique_ptr<CatalogChanges> changes;
    if (status.ok()) status = CatalogChanges::open(*owner->model, path != nullptr ? path : "", &changes);
    if (!status.ok()) {
      fill_error(out_error, status.code(), status.message().c_str());
      return status.code();
    }
    barista_catalog* catalog = new_object<barista_catalog>(owner, std::move(changes));
    if (catalog == nullptr) {
      fill_error(out_error, BARISTA_STATUS_OUT_OF_MEMORY, "out of memory");
      return BARISTA_STATUS_OUT_OF_MEMORY;
    }
    retain_model(owner);
    *out_catalog = catalog;
    fill_error(out_error, BARISTA_STATUS_OK, "");
    return BARISTA_STATUS_OK;
  });
}

void barista_catalog_free(barista_catalog* catalog) {
  if (!valid_catalog(catalog)) return;
  if (catalog->released_by_caller.exchange(true)) return;
  release_catalog(catalog);
}

barista_status barista_catalog_set_available(barista_catalog* catalog, const char* item_id, size_t length,
                                             int available) {
  if (!valid_catalog(catalog)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &catalog->error;
  BARISTA_API_TRY
  if (item_id == nullptr) return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item_id is NULL"), error);
  const std::string_view id = id_of(item_id, length);
  const int64_t item = catalog->owner->model->find_item(fingerprint64(id));
  if (item < 0) {
    return record(make_error(BARISTA_STATUS_NOT_FOUND, "no item '%.*s' in the catalog",
                             static_cast<int>(id.size()), id.data()),
                  error);
  }
  return record(catalog->changes->set_available(static_cast<uint32_t>(item), available != 0), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_catalog_add_item(barista_catalog* catalog, const char* item_id, size_t length,
                                        const barista_item* features) {
  if (!valid_catalog(catalog)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &catalog->error;
  BARISTA_API_TRY
  if (item_id == nullptr) return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item_id is NULL"), error);
  if (!valid_item(features)) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "features is NULL or not an item handle"), error);
  }
  if (features->owner != catalog->owner) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the item was made for another model"), error);
  }
  return record(catalog->changes->add(id_of(item_id, length), features->bag), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_catalog_remove_item(barista_catalog* catalog, const char* item_id, size_t length) {
  if (!valid_catalog(catalog)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &catalog->error;
  BARISTA_API_TRY
  if (item_id == nullptr) return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item_id is NULL"), error);
  return record(catalog->changes->remove(id_of(item_id, length)), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_catalog_save(barista_catalog* catalog) {
  if (!valid_catalog(catalog)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &catalog->error;
  BARISTA_API_TRY
  return record(catalog->changes->save(), error);
  BARISTA_API_CATCH(error)
}

size_t barista_catalog_added_count(const barista_catalog* catalog) {
  return valid_catalog(catalog) ? catalog->changes->added_count() : 0;
}

size_t barista_catalog_unavailable_count(const barista_catalog* catalog) {
  return valid_catalog(catalog) ? catalog->changes->unavailable().size() : 0;
}

barista_status barista_catalog_get_unavailable(const barista_catalog* catalog, uint32_t* out, size_t out_capacity,
                                              size_t* out_count) {
  if (!valid_catalog(catalog) || out_count == nullptr || (out == nullptr && out_capacity > 0)) {
    return BARISTA_STATUS_INVALID_ARGUMENT;
  }
  const Span<uint32_t> items = catalog->changes->unavailable();
  *out_count = items.size();
  if (out_capacity < items.size()) return BARISTA_STATUS_BUFFER_TOO_SMALL;
  std::copy(items.begin(), items.end(), out);
  return BARISTA_STATUS_OK;
}

barista_status barista_catalog_get_added_id(const barista_catalog* catalog, size_t index, char* buffer,
                                            size_t buffer_size, size_t* out_length) {
  if (!valid_catalog(catalog) || (buffer == nullptr && buffer_size > 0)) return BARISTA_STATUS_INVALID_ARGUMENT;
  if (index >= catalog->changes->added_count()) return BARISTA_STATUS_INVALID_ARGUMENT;
  const std::string& id = catalog->changes->added_id(index);
  if (out_length != nullptr) *out_length = id.size();
  if (buffer_size < id.size() + 1) return BARISTA_STATUS_BUFFER_TOO_SMALL;
  std::memcpy(buffer, id.data(), id.size());
  buffer[id.size()] = '\0';
  return BARISTA_STATUS_OK;
}

const char* barista_catalog_last_error(const barista_catalog* catalog) {
  if (!valid_catalog(catalog)) return "invalid handle";
  return catalog->error.c_str();
}

barista_status barista_session_set_catalog(barista_session* session, barista_catalog* catalog) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  if (catalog != nullptr && !valid_catalog(catalog)) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "catalog is not a catalog changes handle"),
                  &session->error);
  }
  if (catalog != nullptr && catalog->owner != session->owner) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the catalog changes belong to another model"),
                  &session->error);
  }
  if (catalog != nullptr) catalog->references.fetch_add(1, std::memory_order_relaxed);
  if (session->catalog != nullptr) release_catalog(session->catalog);
  session->catalog = catalog;
  return record(Status(), &session->error);
}

}  // extern "C"
