// Overlays: on-device learning, its persistence, and attaching it to
// sessions.
#include <cmath>
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

// Records the steps of one observation in the journal.
void journal(barista_overlay* overlay, const FeatureBag& request) {
  if (overlay->file == nullptr || overlay->steps.empty()) return;
  uint64_t user = 0;
  if (overlay->learner.user_of(request, &user)) overlay->file->record_learned(user, overlay->steps);
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
    FtrlParams ftrl;
    ftrl.alpha = params->learning_rate;
    ftrl.beta = params->beta;
    ftrl.l1 = params->l1;
    ftrl.l2 = params->l2;
    OverlayStore store;
    Status status = OverlayStore::create(params->memory_limit, ftrl, &store);
    if (status.ok() && (params->flags & ~uint32_t{BARISTA_OVERLAY_SALVAGE}) != 0) {
      status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "flags: unknown bits 0x%x",
                          params->flags & ~uint32_t{BARISTA_OVERLAY_SALVAGE});
    }
    if (status.ok() && path != nullptr && path[0] == '\0') {
      status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the overlay path is empty (NULL keeps it in memory)");
    }
    if (status.ok() && !(params->shown_weight >= 0.0f && std::isfinite(params->shown_weight))) {
      status = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "shown_weight must be finite and >= 0");
    }
    if (!status.ok()) {
      fill_error(out_error, status.code(), status.message().c_str());
      return status.code();
    }
    auto* owner = const_cast<barista_model*>(model);  // only its reference count changes
    barista_overlay* overlay = new_object<barista_overlay>(owner, std::move(store));
    if (overlay == nullptr) {
      fill_error(out_error, BARISTA_STATUS_OUT_OF_MEMORY, "out of memory");
      return BARISTA_STATUS_OUT_OF_MEMORY;
    }
    overlay->shown_weight = params->shown_weight;
    retain_model(owner);
    if (path != nullptr) {
      status = OverlayFile::open(path, owner->model->root().checksum(), (params->flags & BARISTA_OVERLAY_SALVAGE) != 0,
                                 &overlay->store, &overlay->file, &overlay->recovery);
      if (!status.ok()) {
        release_overlay(overlay);
        fill_error(out_error, status.code(), status.message().c_str());
        return status.code();
      }
    }
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
  if (status.ok()) {
    overlay->steps.clear();
    status = overlay->learner.observe(request->bag, Span<uint32_t>(&item, 1), Span<float>(&label, 1),
                                      Span<float>(&weight, 1), &overlay->steps);
    // Observations are checked before their first step; only overflowing
    // learned weights can stop one part-way, and what it learned is kept.
    journal(overlay, request->bag);
  }
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
  if (status.ok()) {
    overlay->steps.clear();
    status = overlay->learner.observe_described(request->bag, item->bag, label, weight, &overlay->steps);
    journal(overlay, request->bag);
  }
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
  if (status.ok()) {
    overlay->steps.clear();
    status = overlay->learner.observe_shown(request->bag, Span<uint32_t>(shown, count), taken, overlay->shown_weight,
                                            &overlay->steps);
    journal(overlay, request->bag);
  }
  return record(status, error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_forget_user(barista_overlay* overlay, const char* user_id, size_t length) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  if (user_id == nullptr) return record(make_error(BARISTA_STATUS_INVALID_ARGUMENT, "user_id is NULL"), error);
  if (length == BARISTA_STRLEN) length = std::strlen(user_id);
  const uint64_t user = fingerprint64(user_id, length);
  overlay->store.forget_user(user);
  if (overlay->file != nullptr) overlay->file->record_forget(user);
  return record(Status(), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_sync(barista_overlay* overlay) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  if (overlay->file == nullptr) return record(Status(), error);
  return record(overlay->file->sync(overlay->store), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_compact(barista_overlay* overlay) {
  if (!valid_overlay(overlay)) return BARISTA_STATUS_INVALID_ARGUMENT;
  std::string* error = &overlay->error;
  BARISTA_API_TRY
  if (overlay->file == nullptr) return record(Status(), error);
  return record(overlay->file->compact(overlay->store), error);
  BARISTA_API_CATCH(error)
}

barista_status barista_overlay_get_stats(const barista_overlay* overlay, barista_overlay_stats* out_stats) {
  if (!valid_overlay(overlay) || out_stats == nullptr) return BARISTA_STATUS_INVALID_ARGUMENT;
  barista_overlay_stats stats;
  stats.learned_weights = overlay->store.size();
  stats.capacity = overlay->store.capacity();
  stats.customers = overlay->store.users();
  stats.memory_bytes = overlay->store.memory_bytes();
  stats.evictions = overlay->store.evictions();
  stats.updates = overlay->store.updates();
  stats.journal_bytes = overlay->file ? overlay->file->journal_bytes() : 0;
  stats.snapshot_bytes = overlay->file ? overlay->file->snapshot_bytes() : 0;
  stats.unsynced_bytes = overlay->file ? overlay->file->unsynced_bytes() : 0;
  stats.recovered_records = overlay->recovery.records_replayed;
  stats.discarded_bytes = overlay->recovery.bytes_discarded;
  *out_stats = stats;
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
  session->scorer.set_overlay(overlay ? &overlay->store : nullptr);
  return record(Status(), &session->error);
}

}  // extern "C"
