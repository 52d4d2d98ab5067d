// The structs behind the C API's opaque handles. Each starts with a magic
// number, so a handle of the wrong type (or one already freed, while its
// memory is still mapped) is refused with a status instead of being used.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "barista.h"
#include "catalog/catalog_changes.h"
#include "common/alloc.h"
#include "common/exceptions.h"
#include "features/feature_bag.h"
#include "explain/explainer.h"
#include "learn/overlay.h"
#include "model/model.h"
#include "score/scorer.h"
#include "score/serving_index.h"

namespace barista::internal {

constexpr uint32_t kModelMagic = 0x4d545342;    // "BSTM"
constexpr uint32_t kSessionMagic = 0x53545342;  // "BSTS"
constexpr uint32_t kRequestMagic = 0x52545342;  // "BSTR"
constexpr uint32_t kItemMagic = 0x49545342;     // "BSTI"
constexpr uint32_t kOverlayMagic = 0x4f545342;  // "BSTO"
constexpr uint32_t kCatalogMagic = 0x43545342;  // "BSTC"
constexpr uint32_t kFreedMagic = 0xdeadbeef;

}  // namespace barista::internal

struct barista_model {
  uint32_t magic = barista::internal::kModelMagic;
  // One reference for the caller plus one per session, request and item.
  std::atomic<uint32_t> references{1};
  std::atomic<bool> released_by_caller{false};
  std::unique_ptr<barista::internal::Model> model;
  std::unique_ptr<barista::internal::ServingIndex> index;  // of `model`, shared by its sessions and overlays
};

struct barista_overlay {
  barista_overlay(barista_model* owner_, std::unique_ptr<barista::internal::Overlay> overlay_)
      : owner(owner_), overlay(std::move(overlay_)) {}
  uint32_t magic = barista::internal::kOverlayMagic;
  // One reference for the caller plus one per session it is attached to.
  std::atomic<uint32_t> references{1};
  std::atomic<bool> released_by_caller{false};
  barista_model* owner;
  std::unique_ptr<barista::internal::Overlay> overlay;
  std::string error;
};

struct barista_catalog {
  barista_catalog(barista_model* owner_, std::unique_ptr<barista::internal::CatalogChanges> changes_)
      : owner(owner_), changes(std::move(changes_)) {}
  uint32_t magic = barista::internal::kCatalogMagic;
  // One reference for the caller plus one per session it is attached to.
  std::atomic<uint32_t> references{1};
  std::atomic<bool> released_by_caller{false};
  barista_model* owner;
  std::unique_ptr<barista::internal::CatalogChanges> changes;
  std::string error;
};

struct barista_session {
  explicit barista_session(barista_model* owner_)
      : owner(owner_), scorer(*owner_->index), filled(*owner_->model, barista::internal::BagRole::Request) {}
  uint32_t magic = barista::internal::kSessionMagic;
  barista_model* owner;
  barista_overlay* overlay = nullptr;  // attached (a reference is held)
  barista_catalog* catalog = nullptr;  // attached (a reference is held)
  barista::internal::Scorer scorer;
  barista::internal::FeatureBag filled;  // a request with its history from the overlay's customer memory
  barista::internal::Vec<barista::internal::Scored> results;
  barista::internal::Vec<const barista::internal::FeatureBag*> extra_items;
  barista::internal::Vec<float> logits;
  barista::internal::Vec<uint32_t> excluded;  // the request's exclusions and the catalog's unavailable items
  // Explanations: the explainer (made on the first one) and the last one,
  // which the arrays handed out point into.
  std::unique_ptr<barista::internal::Explainer> explainer;
  barista::internal::Explanation explanation;
  barista::internal::Vec<barista_wide_contribution> wide_contributions;
  barista::internal::Vec<barista_deep_attribution> deep_attributions;
  std::string error;
};

struct barista_request {
  barista_request(barista_model* owner_, const barista::internal::Model& m)
      : owner(owner_), bag(m, barista::internal::BagRole::Request) {}
  uint32_t magic = barista::internal::kRequestMagic;
  barista_model* owner;
  barista::internal::FeatureBag bag;
  std::string error;
};

struct barista_item {
  barista_item(barista_model* owner_, const barista::internal::Model& m)
      : owner(owner_), bag(m, barista::internal::BagRole::Item) {}
  uint32_t magic = barista::internal::kItemMagic;
  barista_model* owner;
  barista::internal::FeatureBag bag;
  std::string error;
};

namespace barista::internal {

inline bool valid_model(const barista_model* m) { return m != nullptr && m->magic == kModelMagic; }
inline bool valid_session(const barista_session* s) { return s != nullptr && s->magic == kSessionMagic; }
inline bool valid_request(const barista_request* r) { return r != nullptr && r->magic == kRequestMagic; }
inline bool valid_item(const barista_item* i) { return i != nullptr && i->magic == kItemMagic; }
inline bool valid_overlay(const barista_overlay* o) { return o != nullptr && o->magic == kOverlayMagic; }
inline bool valid_catalog(const barista_catalog* c) { return c != nullptr && c->magic == kCatalogMagic; }

// Reference counting of models (see barista_model_free).
void retain_model(barista_model* model);
void release_model(barista_model* model);
void release_overlay(barista_overlay* overlay);
void release_catalog(barista_catalog* catalog);

// Records `status` in `error` (the object's last-error text) and returns its
// code.
inline barista_status record(const Status& status, std::string* error) {
  if (status.ok()) {
    error->clear();
  } else {
    *error = status.message();
  }
  return status.code();
}

void fill_error(barista_error* out, barista_status code, const char* message);

// Runs `body` (returning a barista_status), turning an exception from
// inside the library into a status and message in `out_error` (see
// common/exceptions.h; without exceptions the body just runs).
template <class Body>
barista_status guarded(barista_error* out_error, Body&& body) {
  BARISTA_TRY { return body(); }
  BARISTA_CATCH(const std::bad_alloc&) {
    fill_error(out_error, BARISTA_STATUS_OUT_OF_MEMORY, "out of memory");
    return BARISTA_STATUS_OUT_OF_MEMORY;
  }
  BARISTA_CATCH(...) {
    fill_error(out_error, BARISTA_STATUS_INTERNAL, "internal error");
    return BARISTA_STATUS_INTERNAL;
  }
  return BARISTA_STATUS_INTERNAL;  // not reached
}

}  // namespace barista::internal

// The C API never lets an exception escape: out of memory becomes a status
// (common/exceptions.h; in a build without exceptions the body just runs).
#define BARISTA_API_TRY BARISTA_TRY {
#define BARISTA_API_CATCH(error_string)                                          \
  }                                                                              \
  BARISTA_CATCH(const std::bad_alloc&) {                                         \
    if (error_string) *(error_string) = "out of memory";                         \
    return BARISTA_STATUS_OUT_OF_MEMORY;                                         \
  }                                                                              \
  BARISTA_CATCH(...) {                                                           \
    if (error_string) *(error_string) = "internal error (unexpected exception)"; \
    return BARISTA_STATUS_INTERNAL;                                              \
  }
