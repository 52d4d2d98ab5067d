// Deterministic random models of the reference shapes S, M and L (the
// shapes `barista bench` measures), so that anyone can regenerate the same
// file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "writer/model_spec.h"

namespace barista::cli {

struct ModelShape {
  std::string name;
  uint32_t categorical_columns = 4;  // half request side, half item side
  uint32_t embedding_dim = 16;
  uint32_t numeric_columns = 4;  // half request side, half item side
  std::vector<uint32_t> hidden = {64, 32};
  uint64_t wide_buckets = 1 << 18;
  uint32_t items = 1000;
  uint32_t embedding_rows = 1 << 12;  // per hashed categorical column
};

// "S", "M", "L" (the benchmark shapes) or "XS" (tiny, for tests and fuzz
// seeds); false for anything else.
bool reference_shape(const std::string& name, ModelShape* out);

internal::ModelSpec make_random_model(const ModelShape& shape, uint64_t seed);

}  // namespace barista::cli
