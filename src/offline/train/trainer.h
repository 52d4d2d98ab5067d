// The trainer: one logistic loss over wide + deep, the wide part trained with
// FTRL-Proximal (L1/L2, per-coordinate rates, as in the paper), the deep part
// with Adam or AdaGrad (lazy, per touched embedding row), over minibatches of
// positives and sampled negatives, with early stopping on the validation
// slice. Deterministic for a given seed, whatever the thread count: work is
// split into fixed shards whose gradients are summed in shard order.
//
// Feature encoding goes through the runtime's own encoder on a skeleton of
// the model being trained, so training sees exactly the ids serving will.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/train_config.h"
#include "data/dataset.h"
#include "data/requests.h"
#include "writer/model_spec.h"

namespace barista::internal {

struct EpochReport {
  uint32_t epoch = 0;  // 1-based
  double loss = 0.0;   // mean weighted log-loss over the epoch's examples
  size_t examples = 0;
  double seconds = 0.0;
  double validation_hr = -1.0;  // HR@10 on the validation slice, -1 without one
  bool best = false;
};

struct TrainSummary {
  uint32_t epochs = 0;
  uint32_t best_epoch = 0;
  double best_validation_hr = -1.0;
  size_t examples = 0;
  double seconds = 0.0;  // training time, validation excluded
  double examples_per_second = 0.0;
};

class Trainer {
 public:
  ~Trainer();

  // `spec` comes from build_model_spec (same config, data and split).
  static Status create(const TrainConfig& config, const Dataset& data, const Split& split, ModelSpec spec,
                       std::unique_ptr<Trainer>* out);

  // Trains; `on_epoch` (may be empty) hears about every epoch. Afterwards
  // spec() holds the best epoch's weights.
  Status run(const std::function<void(const EpochReport&)>& on_epoch, TrainSummary* summary);

  const ModelSpec& spec() const;

  // The trainer's own forward pass: the logit for the user of interaction
  // `position` (history before it) and dataset item `item`.
  Status logit(size_t position, UserIdMode user_id, uint32_t item, float* out);

 private:
  Trainer();
  struct State;
  std::unique_ptr<State> state_;
};

// build_model_spec and a Trainer in one: the trained spec (the best epoch's
// weights) for `split`'s training interactions.
Status train_model(const TrainConfig& config, const Dataset& data, const Split& split,
                   const std::function<void(const EpochReport&)>& on_epoch, ModelSpec* out, TrainSummary* summary);

}  // namespace barista::internal
