// On-device learning: one FTRL-Proximal step per observed example on the
// learnable wide weights of the request's customer, learning a residual on
// top of the model. The model's own logit (wide + deep) plus what the
// overlay already learned is the offset:
//   p = sigmoid(model logit + sum of learned weights), g = weight * (p - label)
// and every active learnable weight (user, index) takes the step g * scale
// (its combiner's scale). The model file is never written.
#pragma once

#include <cstdint>

#include "common/alloc.h"
#include "common/span.h"
#include "common/status.h"
#include "features/encoder.h"
#include "features/feature_bag.h"
#include "model/model.h"
#include "overlay/overlay_store.h"
#include "score/scorer.h"
#include "score/serving_index.h"

namespace barista::internal {

// The weight of a label-0 step for a shown item that was not taken, relative
// to a purchase: passing over one item of a list is weak evidence (the
// customer may not have looked at it, or may take it next time). Chosen
// with `barista eval --cold-start` (README: on-device learning).
constexpr float kDefaultShownWeight = 0.03f;

class Learner {
 public:
  // `index` (its model) and `store` must outlive the learner.
  Learner(const ServingIndex& index, OverlayStore* store);

  // Observes `items` (catalog indices) with `labels` and `weights` for the
  // request's customer, one step per item in order. `steps` receives the
  // state after every step (for the journal). Fails without a user id.
  Status observe(const FeatureBag& request, Span<uint32_t> items, Span<float> labels, Span<float> weights,
                 Vec<LearnedState>* steps);
  // "These were shown, `taken` was chosen" (kNoItem: nothing was): a label-1
  // step for the taken item (also when it was not shown) and a label-0 step
  // of weight `shown_weight` for every other shown item, in order.
  static constexpr uint32_t kNoItem = 0xffffffffu;
  Status observe_shown(const FeatureBag& request, Span<uint32_t> shown, uint32_t taken, float shown_weight,
                       Vec<LearnedState>* steps);
  // The same for an item described by its features.
  Status observe_described(const FeatureBag& request, const FeatureBag& item, float label, float weight,
                           Vec<LearnedState>* steps);

  // The fingerprint of the request's user id, or false when it has none.
  bool user_of(const FeatureBag& request, uint64_t* user) const;
  // The key fingerprint of catalog item `item` (< the catalog's count).
  uint64_t item_fingerprint(uint32_t item) const { return model_.catalog().index.fingerprints[item]; }

 private:
  struct Active {
    uint32_t index;
    float scale;
  };
  // The learnable weights an example activates.
  Status collect(const Example& example, Span<WideTermInfo> terms, Vec<Active>* out);
  static void merge(Vec<Active>* active);  // by index, adding scales
  // active_ for the example (request actives included, merged) and its full
  // logit: the model's plus the learned weights'.
  Status activate(uint64_t user, const Example& example, float model_logit, double* logit);
  Status step(uint64_t user, const Example& example, float model_logit, float label, float weight,
              Vec<LearnedState>* steps);

  const Model& model_;
  OverlayStore* store_;
  Scorer base_;  // the model alone (no overlay): the residual's offset
  Encoder encoder_;
  Vec<Active> request_active_, active_;
  Vec<uint32_t> ids_;
  Vec<float> logits_;
  Vec<uint32_t> shown_items_;
  Vec<float> shown_labels_, shown_weights_;
};

}  // namespace barista::internal
