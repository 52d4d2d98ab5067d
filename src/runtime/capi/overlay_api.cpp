// Overlays: on-device learning, its persistence, and attaching it to
// sessions.
#include <cstring>

#include "capi/handles.h"
#include "capi/params.h"
#include "hash/fingerprint.h"

using namespace barista::internal;

namespace barista::internal {

void release_overlay(barista_overlay* overlay) {
  if (overlay->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    barista_model* owner = overlay->owner;
    overlay->magic = kFreedMagic;
    delete_object(overlay);
    release_model(owner);
  }
}

}  // namespace barista::internal

namespace {

Status check_request(const barista_overlay* overlay, const barista_request* request) {
  if (!valid_request(request))
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "request is NULL or not a request handle");
  if (request->owner != overlay->owner) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the request was made for another model than the overlay");
  }
  return Status();
}

}  // namespace

extern "C" {

barista_status barista_overlay_open(const barista_model* model, const char* path, const barista_overlay_params* params,
                                    barista_overlay** out_overlay, barista_error* out_error) {
  if (!valid_model(model) || out_overlay == nullptr) {
    fill_error(out_error, BARISTA_STATUS_INVALID_ARGUMENT, "model or out_overlay is NULL or not a handle");
    return BARISTA_STATUS_INVALID_ARGUMENT;
  }
  barista_overlay_params known;
  const Status read = read_params(params, &known);
  if (!read.ok()) {
    fill_error(out_error, read.code(), read.message().c_str());
    return read.code();
  }
  params = &known;
  return guarded(out_error, [&] {
    OverlayOptions options;
    options.memory_limit = params->memory_limit;
    options.ftrl.alpha = params->learning_rate;
    options.ftrl.beta = params->beta;
    options.ftrl.l1 = params->l1;
    options.ftrl.l2 = params->l2;
    options.shown_weight = params->shown_weight;
    options.salvage = (params->flags & BARISTA_OVERLAY_SALVAGE) != 0;
    options.customer_memory_limit = params->customer_memory_limit;
    Status status;
    if ((params->flags & ~uint32_t{BARISTA_OVERLAY_SALVAGE}) != 0) {
      status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "flags: unknown bits 0x%x",
                          params->flags & ~uint32_t{BARISTA_OVERLAY_SALVAGE});
    }
    if (status.ok() && path != nullptr && path[0] == '\0') {
      status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the overlay path is empty (NULL keeps it in memory)");
    }
    auto* owner = const_cast<barista_model*>(model);  // only its reference count changes
    std::unique_ptr<Overlay> learning;
    if (status.ok()) status = Overlay::open(*owner->index, path != nullptr ? path : "", options, &learning);
    if (!status.ok()) {
      fill_error(out_error, status.code(), status.message().c_str());
      return status.code();
    }
    barista_overlay* overlay = new_object<barista_overlay>(owner, std::move(learning));
    if (overlay == nullptr) {
      fill_error(out_error, BARISTA_STATUS_OUT_OF_MEMORY, "out of memory");
      return BARISTA_STATUS_OUT_OF_MEMORY;
    }
    retain_model(owner);
    *out_overlay = overlay;
    fill_error(out_error, BARISTA_STATUS_OK, "");
    return BARISTA_STATUS_OK;
  });
}

void barista_overlay_free(barista_overlay* overlay) {
  if (!valid_overlay(overlay)) return;
  if (overlay->released_by_caller.exchange(true)) return;
  release_overlay(overlay);
}

barista_status barista_overlay_observe(barista_overlay* overlay, const barista_request* request, uint32_t item,
                                       float label, float weight) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  Status status = check_request(overlay, request);
  if (status.ok()) status = overlay->overlay->observe(request->bag, item, label, weight);
  return record(status, error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_observe_item(barista_overlay* overlay, const barista_request* request,
                                            const barista_item* item, float label, float weight) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  Status status = check_request(overlay, request);
  if (status.ok() && (!valid_item(item) || item->owner != overlay->owner)) {
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item is NULL, not an item handle, or of another model");
  }
  if (status.ok()) status = overlay->overlay->observe_described(request->bag, item->bag, label, weight);
  return record(status, error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_observe_shown(barista_overlay* overlay, const barista_request* request,
                                             const uint32_t* shown, size_t count, uint32_t taken) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  Status status = check_request(overlay, request);
  if (status.ok() && shown == nullptr && count > 0)
    status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "shown is NULL");
  if (status.ok()) status = overlay->overlay->observe_shown(request->bag, Span<uint32_t>(shown, count), taken);
  return record(status, error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_forget_user(barista_overlay* overlay, const char* user_id, size_t length) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  if (user_id == nullptr) return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "user_id is NULL"), error);
  if (length == BARISTA_STRLEN) length = std::strlen(user_id);
  overlay->overlay->forget_user(fingerprint64(user_id, length));
  return record(Status(), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_sync(barista_overlay* overlay) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  return record(overlay->overlay->sync(), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_compact(barista_overlay* overlay) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  return record(overlay->overlay->compact(), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_get_stats(const barista_overlay* overlay, barista_overlay_stats* out_stats) {
  if (!valid_overlay(overlay) || out_stats == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  const OverlayStore& store = overlay->overlay->store();
  const OverlayFile* file = overlay->overlay->file();
  barista_overlay_stats stats;
  stats.learned_weights = store.size();
  stats.capacity = store.capacity();
  stats.customers = store.users();
  stats.memory_bytes = store.memory_bytes();
  stats.evictions = store.evictions();
  stats.updates = store.updates();
  stats.journal_bytes = file ? file->journal_bytes() : 0;
  stats.snapshot_bytes = file ? file->snapshot_bytes() : 0;
  stats.unsynced_bytes = file ? file->unsynced_bytes() : 0;
  stats.recovered_records = overlay->overlay->recovery().records_replayed;
  stats.discarded_bytes = overlay->overlay->recovery().bytes_discarded;
  *out_stats = stats;
  return BARISTA_STATUS_OK;
}

barista_status barista_overlay_recent_items(const barista_overlay* overlay, const char* user_id, size_t length,
                                           uint32_t* out, size_t out_capacity, size_t* out_count) {
  if (!valid_overlay(overlay) || out_count == nullptr || user_id == nullptr || (out == nullptr && out_capacity > 0)) {
    return BARISTA_STATUS_INVALID_ARGUMENT;
  }
  if (length == BARISTA_STRLEN) length = std::strlen(user_id);
  const Model& model = *overlay->owner->model;
  const Span<uint64_t> items = overlay->overlay->memory().recent(fingerprint64(user_id, length));
  *out_count = items.size();
  if (out_capacity < items.size()) return BARISTA_STATUS_BUFFER_TOO_SMALL;
  for (size_t i = 0; i < items.size(); ++i) {
    const int64_t index = model.find_item(items[i]);
    out[i] = index < 0 ? BARISTA_NO_ITEM : static_cast<uint32_t>(index);
  }
  return BARISTA_STATUS_OK;
}

const char* barista_overlay_last_error(const barista_overlay* overlay) {
  if (!valid_overlay(overlay)) return "invalid handle";
  return overlay->error.c_str();
}

barista_status barista_session_set_overlay(barista_session* session, barista_overlay* overlay) {
  if (!valid_session(session)) return BARISTA_STATUS_INVALID_ARGUMENT;
  if (overlay != nullptr && !valid_overlay(overlay)) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "overlay is not an overlay handle"), &session->error);
  }
  if (overlay != nullptr && overlay->owner != session->owner) {
    return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the overlay belongs to another model than the session"),
                  &session->error);
  }
  if (overlay != nullptr) overlay->references.fetch_add(1, std::memory_order_relaxed);
  if (session->overlay != nullptr) release_overlay(session->overlay);
  session->overlay = overlay;
  session->scorer.set_overlay(overlay ? &overlay->overlay->store() : nullptr);
  return record(Status(), &session->error);
}

}  // extern "C"
