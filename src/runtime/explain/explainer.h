// Explanations: why an item scores what it scores for a request.
//
// The logit splits exactly into the model's parts (src/README.md, 'The
// model'):
//   logit = wide bias + sum of wide contributions + sum of learned
//           contributions + deep output
// - a wide contribution is one active id of one wide term (its weight times
//   the term's combiner scale), or a numeric term (weight times the
//   standardized value), named by the term's column and the value that
//   fired it ("history_x_item_id: latte x croissant");
// - its learned part is what the overlay learned for this customer on the
//   same weight (learnable terms only);
// - the deep output is one number, broken down per deep input (each
//   embedding or numeric input) by integrated gradients (Sundararajan et
//   al. 2017): the straight path from an all-zero input vector to the
//   example's, the gradient averaged at kIntegrationSteps midpoints (run
//   together, as a block of rows through the layers and back through
//   their transposes, with the scoring kernels). The
//   attributions add up to deep - deep_baseline (the output at the zero
//   vector) up to the integration error (`integration_error`: the
//   difference, reported, not hidden).
//
// The slow path: every term evaluated, the MLP run for kIntegrationSteps
// points forward and backward. For a till's "why this?", not for ranking.
#pragma once

#include <cstdint>
#include <string>

#include "common/alloc.h"
#include "common/status.h"
#include "features/encoder.h"
#include "features/feature_bag.h"
#include "model/model.h"
#include "overlay/overlay_store.h"

namespace barista::internal {

struct WideContribution {
  uint32_t column = 0;  // the term's column
  std::string value;    // what fired it
  float model = 0.0f;
  float learned = 0.0f;
};

struct DeepAttribution {
  uint32_t column = 0;  // the deep input's column
  float attribution = 0.0f;
};

struct Explanation {
  float logit = 0.0f;
  float bias = 0.0f;
  float wide = 0.0f;     // sum of the contributions' model parts
  float learned = 0.0f;  // sum of their learned parts
  float deep = 0.0f;
  float deep_baseline = 0.0f;
  float integration_error = 0.0f;  // (deep - deep_baseline) - sum of attributions
  Vec<WideContribution> wide_terms;  // largest |model + learned| first
  Vec<DeepAttribution> deep_inputs;  // in the model's order
};

class Explainer {
 public:
  static constexpr uint32_t kIntegrationSteps = 64;

  explicit Explainer(const Model& model);

  // Explains `item` for `request`; `overlay` (may be null) adds what it
  // learned for the request's customer.
  Status explain(const FeatureBag& request, ItemRef item, const OverlayStore* overlay, Explanation* out);

  // Heap memory of the scratch buffers (sized by the model's widths).
  size_t memory_bytes() const {
    size_t bytes = encoder_.memory_bytes() + heap_bytes(ids_) + heap_bytes(values_) + heap_bytes(x_) +
                   heap_bytes(zero_) + heap_bytes(total_gradient_) + heap_bytes(points_) + heap_bytes(back_a_) +
                   heap_bytes(back_b_) + heap_bytes(zero_bias_) + heap_bytes(activations_) + heap_bytes(transposed_);
    for (const Vec<float>& a : activations_) bytes += heap_bytes(a);
    for (const Vec<float>& t : transposed_) bytes += heap_bytes(t);
    return bytes;
  }

 private:
  // What fired id `id` of categorical column `column` (not crossed).
  Status describe(const Example& example, uint32_t column, uint32_t id, std::string* out);
  // The ids of a crossed column with what fired each.
  Status describe_cross(const Example& example, uint32_t column, Vec<std::pair<uint32_t, std::string>>* out);
  Status wide_part(const Example& example, uint64_t user, bool has_user, const OverlayStore* overlay,
                   Explanation* out);
  // The MLP's output at one input vector.
  float forward(const float* x);
  // The sum over the kIntegrationSteps midpoints t x of the MLP's gradient
  // with respect to its input, into total_gradient_.
  void integrate(const float* x);

  const Model& model_;
  Encoder encoder_;
  Vec<uint32_t> ids_;
  Vec<uint64_t> values_;
  Vec<float> x_, zero_, total_gradient_;
  Vec<Vec<float>> transposed_;   // per layer: its weights, out x in
  Vec<Vec<float>> activations_;  // per layer: its output for every point (rows x out, after ReLU)
  Vec<float> points_, back_a_, back_b_, zero_bias_;
};

}  // namespace barista::internal
