#include "learn/overlay.h"

#include <cmath>

namespace barista::internal {

Status Overlay::open(const ServingIndex& index, const std::string& path, const OverlayOptions& options,
                     std::unique_ptr<Overlay>* out) {
  if (!(options.shown_weight >= 0.0f && std::isfinite(options.shown_weight))) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "shown_weight must be finite and >= 0");
  }
  OverlayStore store;
  BARISTA_RETURN_IF_ERROR(OverlayStore::create(options.memory_limit, options.ftrl, &store));
  std::unique_ptr<Overlay> overlay(new Overlay(index, std::move(store), options.shown_weight));
  if (!path.empty()) {
    BARISTA_RETURN_IF_ERROR(OverlayFile::open(path, index.model().root().checksum(), options.salvage, &overlay->store_,
                                              &overlay->file_, &overlay->recovery_));
  }
  *out = std::move(overlay);
  return Status();
}

Overlay::Overlay(const ServingIndex& index, OverlayStore store, float shown_weight)
    : store_(std::move(store)), learner_(index, &store_), shown_weight_(shown_weight) {}

void Overlay::journal(const FeatureBag& request) {
  uint64_t user = 0;
  if (file_ != nullptr && !steps_.empty() && learner_.user_of(request, &user)) file_->record_learned(user, steps_);
}

Status Overlay::observe(const FeatureBag& request, uint32_t item, float label, float weight) {
  steps_.clear();
  const Status status =
      learner_.observe(request, Span<uint32_t>(&item, 1), Span<float>(&label, 1), Span<float>(&weight, 1), &steps_);
  journal(request);
  return status;
}

Status Overlay::observe_described(const FeatureBag& request, const FeatureBag& item, float label, float weight) {
  steps_.clear();
  const Status status = learner_.observe_described(request, item, label, weight, &steps_);
  journal(request);
  return status;
}

Status Overlay::observe_shown(const FeatureBag& request, Span<uint32_t> shown, uint32_t taken) {
  steps_.clear();
  const Status status = learner_.observe_shown(request, shown, taken, shown_weight_, &steps_);
  journal(request);
  return status;
}

void Overlay::forget_user(uint64_t user) {
  store_.forget_user(user);
  if (file_ != nullptr) file_->record_forget(user);
}

Status Overlay::sync() { return file_ == nullptr ? Status() : file_->sync(store_); }

Status Overlay::compact() { return file_ == nullptr ? Status() : file_->compact(store_); }

}  // namespace barista::internal
