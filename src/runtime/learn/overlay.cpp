#include "learn/overlay.h"

#include <cmath>

#include "features/input_names.h"

namespace barista::internal {

Status Overlay::open(const ServingIndex& index, const std::string& path, const OverlayOptions& options,
                     std::unique_ptr<Overlay>* out) {
  if (!(options.shown_weight >= 0.0f && std::isfinite(options.shown_weight))) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "shown_weight must be finite and >= 0");
  }
  OverlayStore store;
  BARISTA_RETURN_IF_ERROR(OverlayStore::create(options.memory_limit, options.ftrl, &store));
  const int32_t history = history_input(index.model());
  CustomerMemory memory;
  BARISTA_RETURN_IF_ERROR(CustomerMemory::create(
      options.customer_memory_limit,
      history < 0 ? 0 : index.model().inputs()[static_cast<size_t>(history)].max_values, &memory));
  std::unique_ptr<Overlay> overlay(new Overlay(index, std::move(store), std::move(memory), options.shown_weight));
  if (!path.empty()) {
    BARISTA_RETURN_IF_ERROR(OverlayFile::open(path, index.model().root().checksum(), options.salvage, &overlay->store_,
                                              &overlay->memory_, &overlay->file_, &overlay->recovery_));
  }
  *out = std::move(overlay);
  return Status();
}

Overlay::Overlay(const ServingIndex& index, OverlayStore store, CustomerMemory memory, float shown_weight)
    : store_(std::move(store)),
      memory_(std::move(memory)),
      history_input_(history_input(index.model())),
      learner_(index, &store_),
      shown_weight_(shown_weight),
      filled_(index.model(), BagRole::Request) {}

int32_t Overlay::history_input(const Model& model) {
  const int32_t input = model.find_input(kHistoryInput);
  if (input < 0) return -1;
  const InputInfo& info = model.inputs()[static_cast<size_t>(input)];
  return info.source == fb::Source::User && info.kind == fb::ValueKind::Categorical && info.multivalent ? input : -1;
}

const FeatureBag& Overlay::with_memory(const FeatureBag& request, FeatureBag* scratch) const {
  if (history_input_ < 0 || !memory_.enabled()) return request;
  const uint32_t history = static_cast<uint32_t>(history_input_);
  uint64_t user = 0;
  if (!request.values(history).empty() || !learner_.user_of(request, &user)) return request;
  const Span<uint64_t> items = memory_.recent(user);
  if (items.empty()) return request;
  *scratch = request;
  // The memory holds at most the input's max_values items: no refusal.
  for (uint64_t item : items) (void)scratch->add_fingerprint(history, item);
  return *scratch;
}

void Overlay::remember(const FeatureBag& request, uint64_t item) {
  uint64_t user = 0;
  if (!memory_.enabled() || !learner_.user_of(request, &user)) return;
  memory_.remember(user, item);
  if (file_ != nullptr) file_->record_remembered(user, memory_.recent(user));
}

void Overlay::journal(const FeatureBag& request) {
  uint64_t user = 0;
  if (file_ != nullptr && !steps_.empty() && learner_.user_of(request, &user)) file_->record_learned(user, steps_);
}

// Each observation learns with the request as the session scores it (its
// history filled from the memory), and then remembers what was taken.
Status Overlay::observe(const FeatureBag& request, uint32_t item, float label, float weight) {
  steps_.clear();
  const FeatureBag& full = with_memory(request, &filled_);
  const Status status =
      learner_.observe(full, Span<uint32_t>(&item, 1), Span<float>(&label, 1), Span<float>(&weight, 1), &steps_);
  journal(full);
  if (status.ok() && label > 0.5f) remember(full, learner_.item_fingerprint(item));
  return status;
}

Status Overlay::observe_described(const FeatureBag& request, const FeatureBag& item, float label, float weight) {
  steps_.clear();
  const FeatureBag& full = with_memory(request, &filled_);
  const Status status = learner_.observe_described(full, item, label, weight, &steps_);
  journal(full);
  const Span<uint64_t> id = item.values(item.model().item_id_input());
  if (status.ok() && label > 0.5f && !id.empty()) remember(full, id[0]);
  return status;
}

Status Overlay::observe_shown(const FeatureBag& request, Span<uint32_t> shown, uint32_t taken) {
  steps_.clear();
  const FeatureBag& full = with_memory(request, &filled_);
  const Status status = learner_.observe_shown(full, shown, taken, shown_weight_, &steps_);
  journal(full);
  if (status.ok() && taken != Learner::kNoItem) remember(full, learner_.item_fingerprint(taken));
  return status;
}

void Overlay::forget_user(uint64_t user) {
  store_.forget_user(user);
  memory_.forget(user);
  if (file_ != nullptr) file_->record_forget(user);
}

Status Overlay::sync() { return file_ == nullptr ? Status() : file_->sync(store_, memory_); }

Status Overlay::compact() { return file_ == nullptr ? Status() : file_->compact(store_, memory_); }

}  // namespace barista::internal
