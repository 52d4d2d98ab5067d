// What a config costs before any data is read: the parts of the model whose
// size the config alone decides (hashed features, crosses, layers), and the
// trainer's memory for them. Vocabularies and the catalog grow with the
// data, so both figures are lower bounds: enough to refuse at once, naming
// the key, what could never be written or trained, instead of failing after
// minutes of loading and training. Measured: a 100-million-bucket cross on
// `barista synth --users 300` estimates 3.1 GiB of training memory; the
// real peak (RSS, one epoch, writing the file) was 4.2 GiB.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "config/train_config.h"

namespace barista::internal {

struct SizeEstimate {
  uint64_t model_bytes = 0;     // in the file, at least
  uint64_t training_bytes = 0;  // the trainer's memory, at least
  std::string largest_key;      // the config key of the largest part, e.g. "crosses[0].buckets"
  uint64_t largest_bytes = 0;   // that part's bytes in the file
};

SizeEstimate estimate_size(const TrainConfig& config);

// LIMIT_EXCEEDED, naming the largest part's key, when the model would be
// larger than a model file can be (limits::kMaxModelBytes) or training
// would need more memory than `memory_bytes` (0: this machine's physical
// memory).
Status check_trainable(const TrainConfig& config, uint64_t memory_bytes = 0);

}  // namespace barista::internal
