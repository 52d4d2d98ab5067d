// Fuzz target: the JSON reader and the training configuration's validation
// on arbitrary text. Errors are statuses naming the key; nothing is read
// from disk (paths are only resolved, not opened).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/json.h"
#include "config/train_config.h"

using namespace barista::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  json::Value value;
  (void)json::parse(text, &value);
  TrainConfig config;
  (void)parse_train_config(text, "/nonexistent", &config);
  return 0;
}
