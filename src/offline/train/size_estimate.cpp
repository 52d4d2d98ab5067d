#include "train/size_estimate.h"

#include <unistd.h>

#include <cstdio>

#include "common/limits.h"

namespace barista::internal {

namespace {

// The trainer's bytes per parameter beside the 4 of its value: a wide
// weight keeps FTRL's z and n (doubles), a gradient and a touched flag; a
// deep parameter keeps Adam's two moments (or Adagrad's sum) and a gradient.
constexpr uint64_t kWideTrainingBytes = 4 + 16 + 4 + 1;
constexpr uint64_t kDeepTrainingBytes = 4 + 8 + 4;
// Writing the file holds the FlatBuffers builder and the finished buffer.
constexpr uint64_t kWriteCopies = 2;

// a * b, stopping at 2^62 (far beyond every limit it is compared with).
uint64_t times(uint64_t a, uint64_t b) {
  constexpr uint64_t kCap = uint64_t{1} << 62;
  return b != 0 && a > kCap / b ? kCap : a * b;
}

uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) : 0;
}

std::string gib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1u << 30));
  return text;
}

}  // namespace

SizeEstimate estimate_size(const TrainConfig& config) {
  SizeEstimate e;
  const uint64_t embedding_bytes = config.embeddings == "f32" ? 4 : config.embeddings == "f16" ? 2 : 1;
  uint64_t wide_weights = 0, deep_parameters = 0;
  auto part = [&](const std::string& key, uint64_t wide, uint64_t deep, uint64_t deep_value_bytes) {
    wide_weights += wide;
    deep_parameters += deep;
    const uint64_t bytes = times(wide, 4) + times(deep, deep_value_bytes);
    e.model_bytes += bytes;
    if (bytes > e.largest_bytes) e.largest_bytes = bytes, e.largest_key = key;
  };
  uint64_t first_layer_in = 0;
  for (size_t f = 0; f < config.features.size(); ++f) {
    const FeatureConfig& fc = config.features[f];
    const std::string key = "features[" + std::to_string(f) + "]";
    if (fc.type == FeatureType::Numeric) {
      part(key, fc.wide ? 1 : 0, 0, 4);
      first_layer_in += fc.deep ? 1 : 0;
      continue;
    }
    // Vocabularies come from the data: only their OOV buckets count here.
    const uint64_t ids = fc.type == FeatureType::Hashed       ? fc.buckets
                         : fc.type == FeatureType::Vocabulary ? fc.oov_buckets
                                                              : fc.boundaries.size() + 1;
    part(key + (fc.type == FeatureType::Hashed ? ".buckets" : ""), fc.wide ? ids : 0, times(ids, fc.embedding),
         embedding_bytes);
    first_layer_in += fc.embedding;
  }
  for (size_t c = 0; c < config.crosses.size(); ++c) {
    part("crosses[" + std::to_string(c) + "].buckets", config.crosses[c].buckets, 0, 4);
  }
  first_layer_in += config.user_id.embedding + config.item_id.embedding;
  if (config.history.length > 0) first_layer_in += times(config.history.embedding, 1 + config.history.slots);
  uint64_t dense = 0, in = first_layer_in;
  for (uint32_t width : config.hidden) {
    dense += times(in, width) + width;
    in = width;
  }
  dense += in + 1;  // the output layer
  part("deep.hidden", 0, dense, 4);
  e.training_bytes = times(wide_weights, kWideTrainingBytes) + times(deep_parameters, kDeepTrainingBytes) +
                     times(e.model_bytes, kWriteCopies);
  return e;
}

Status check_trainable(const TrainConfig& config, uint64_t memory_bytes) {
  const SizeEstimate e = estimate_size(config);
  if (e.model_bytes > limits::kMaxModelBytes) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED,
                      "config: the model would take at least %s, more than a model file can hold (2 GiB); "
                      "the largest part is %s (%s)",
                      gib(e.model_bytes).c_str(), e.largest_key.c_str(), gib(e.largest_bytes).c_str());
  }
  if (memory_bytes == 0) memory_bytes = physical_memory();
  if (memory_bytes > 0 && e.training_bytes > memory_bytes) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED,
                      "config: training would need at least %s of memory, more than the %s here; "
                      "the largest part is %s (%s in the file)",
                      gib(e.training_bytes).c_str(), gib(memory_bytes).c_str(), e.largest_key.c_str(),
                      gib(e.largest_bytes).c_str());
  }
  return Status();
}

}  // namespace barista::internal
