#include "learn/learner.h"

#include <algorithm>
#include <cmath>

namespace barista::internal {

Learner::Learner(const ServingIndex& index, OverlayStore* store)
    : model_(index.model()), store_(store), base_(index), encoder_(index.model()) {}

bool Learner::user_of(const FeatureBag& request, uint64_t* user) const {
  if (model_.user_id_input() < 0) return false;
  const Span<uint64_t> values = request.values(static_cast<uint32_t>(model_.user_id_input()));
  if (values.empty()) return false;
  *user = values[0];
  return true;
}

Status Learner::collect(const Example& example, Span<WideTermInfo> terms, Vec<Active>* out) {
  for (const WideTermInfo& term : terms) {
    if (!term.learnable) continue;
    if (!model_.columns()[term.column].is_categorical()) {
      out->push_back(Active{term.offset, encoder_.numeric_value(example, term.column)});
      continue;
    }
    ids_.clear();
    BARISTA_RETURN_IF_ERROR(encoder_.column_ids(example, term.column, &ids_));
    const float scale = combiner_scale(term.combiner, ids_.size());
    for (uint32_t id : ids_) out->push_back(Active{term.offset + id, scale});
  }
  return Status();
}

void Learner::merge(Vec<Active>* active) {
  std::sort(active->begin(), active->end(), [](const Active& a, const Active& b) { return a.index < b.index; });
  size_t distinct = 0;
  for (size_t i = 0; i < active->size(); ++i) {
    if (distinct > 0 && (*active)[distinct - 1].index == (*active)[i].index) {
      (*active)[distinct - 1].scale += (*active)[i].scale;
    } else {
      (*active)[distinct++] = (*active)[i];
    }
  }
  active->resize(distinct);
}

Status Learner::activate(uint64_t user, const Example& example, float model_logit, double* logit) {
  active_.assign(request_active_.begin(), request_active_.end());
  BARISTA_RETURN_IF_ERROR(collect(example, model_.wide_item_terms(), &active_));
  BARISTA_RETURN_IF_ERROR(collect(example, model_.wide_mixed_terms(), &active_));
  // One step per distinct weight: ids that repeat (two history items in the
  // same cross bucket) add their scales.
  merge(&active_);
  *logit = static_cast<double>(model_logit);
  for (const Active& a : active_) {
    *logit += static_cast<double>(store_->weight(user, a.index)) * static_cast<double>(a.scale);
  }
  return Status();
}

namespace {

// The checks that can refuse a step, made for every step before the first
// one is taken: an observation is learned whole or not at all.
Status check_step(float model_logit, float label, float weight) {
  if (!(label >= 0.0f && label <= 1.0f) || !(weight >= 0.0f) || !std::isfinite(weight)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "a label must be in [0, 1] and a weight finite and >= 0");
  }
  if (!std::isfinite(model_logit)) {
    return make_error(BARISTA_STATUS_CORRUPT_MODEL, "the model's score is not finite here; nothing was learned");
  }
  return Status();
}

}  // namespace

Status Learner::step(uint64_t user, const Example& example, float model_logit, float label, float weight,
                     Vec<LearnedState>* steps) {
  double logit = 0.0;
  BARISTA_RETURN_IF_ERROR(activate(user, example, model_logit, &logit));
  const double p = 1.0 / (1.0 + std::exp(-logit));
  const double g = static_cast<double>(weight) * (p - static_cast<double>(label));
  // The model's logit is finite (check_step); only learned state that
  // overflowed (steps of weights near FLT_MAX) can make g NaN here.
  if (!std::isfinite(g)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the learned weights overflowed here; nothing more was learned");
  }
  for (const Active& a : active_) {
    const OverlayStore::Entry& e =
        store_->ftrl_step(user, a.index, static_cast<float>(g * static_cast<double>(a.scale)));
    if (steps != nullptr) steps->push_back(LearnedState{a.index, e.z, e.n});
  }
  return Status();
}

Status Learner::observe(const FeatureBag& request, Span<uint32_t> items, Span<float> labels, Span<float> weights,
                        Vec<LearnedState>* steps) {
  uint64_t user = 0;
  if (!user_of(request, &user)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "observe needs the request's user id: what is learned belongs to one customer");
  }
  const uint32_t n = model_.catalog().count;
  for (uint32_t item : items) {
    if (item >= n) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item %u is out of range (the catalog has %u items)", item, n);
    }
  }
  // The model's own logits, once (they do not change as the overlay learns).
  BARISTA_RETURN_IF_ERROR(base_.prepare(request));
  logits_.resize(items.size());
  BARISTA_RETURN_IF_ERROR(base_.logits_catalog(items, logits_.data()));
  for (size_t i = 0; i < items.size(); ++i) {
    BARISTA_RETURN_IF_ERROR(check_step(logits_[i], labels[i], weights.empty() ? 1.0f : weights[i]));
  }
  request_active_.clear();
  BARISTA_RETURN_IF_ERROR(collect(Example{&request, ItemRef()}, model_.wide_request_terms(), &request_active_));
  for (size_t i = 0; i < items.size(); ++i) {
    BARISTA_RETURN_IF_ERROR(step(user, Example{&request, ItemRef::catalog(items[i])}, logits_[i], labels[i],
                                 weights.empty() ? 1.0f : weights[i], steps));
  }
  return Status();
}

Status Learner::observe_shown(const FeatureBag& request, Span<uint32_t> shown, uint32_t taken, float shown_weight,
                              Vec<LearnedState>* steps) {
  if (!(shown_weight >= 0.0f) || !std::isfinite(shown_weight)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the weight of shown items must be finite and >= 0");
  }
  shown_items_.clear();
  shown_labels_.clear();
  shown_weights_.clear();
  bool taken_shown = false;
  for (uint32_t item : shown) {
    const bool is_taken = item == taken;
    taken_shown = taken_shown || is_taken;
    shown_items_.push_back(item);
    shown_labels_.push_back(is_taken ? 1.0f : 0.0f);
    shown_weights_.push_back(is_taken ? 1.0f : shown_weight);
  }
  if (taken != kNoItem && !taken_shown) {
    shown_items_.push_back(taken);
    shown_labels_.push_back(1.0f);
    shown_weights_.push_back(1.0f);
  }
  return observe(request, shown_items_, shown_labels_, shown_weights_, steps);
}

Status Learner::observe_described(const FeatureBag& request, const FeatureBag& item, float label, float weight,
                                  Vec<LearnedState>* steps) {
  uint64_t user = 0;
  if (!user_of(request, &user)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "observe needs the request's user id: what is learned belongs to one customer");
  }
  BARISTA_RETURN_IF_ERROR(base_.prepare(request));
  float logit = 0.0f;
  const FeatureBag* items[] = {&item};
  BARISTA_RETURN_IF_ERROR(base_.logits_described(Span<const FeatureBag*>(items, 1), &logit));
  BARISTA_RETURN_IF_ERROR(check_step(logit, label, weight));
  request_active_.clear();
  BARISTA_RETURN_IF_ERROR(collect(Example{&request, ItemRef()}, model_.wide_request_terms(), &request_active_));
  return step(user, Example{&request, ItemRef::described(item)}, logit, label, weight, steps);
}

}  // namespace barista::internal
