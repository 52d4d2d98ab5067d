#include "writer/quantize.h"

#include <algorithm>
#include <cmath>

#include "common/half.h"

namespace barista::internal {

void quantize_rows_q8(const float* values, size_t rows, size_t cols, std::vector<uint8_t>* q,
                      std::vector<float>* scale_bias) {
  q->resize(rows * cols);
  scale_bias->resize(2 * rows);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = values + r * cols;
    float lo = row[0], hi = row[0];
    for (size_t c = 1; c < cols; ++c) {
      lo = std::min(lo, row[c]);
      hi = std::max(hi, row[c]);
    }
    const float scale = (hi - lo) / 255.0f;
    (*scale_bias)[2 * r] = scale;
    (*scale_bias)[2 * r + 1] = lo;
    for (size_t c = 0; c < cols; ++c) {
      // A constant row (scale 0) is stored exactly as its bias.
      const float level = scale > 0.0f ? std::nearbyint((row[c] - lo) / scale) : 0.0f;
      (*q)[r * cols + c] = static_cast<uint8_t>(std::clamp(level, 0.0f, 255.0f));
    }
  }
}

void quantize_f16(const float* values, size_t count, std::vector<uint16_t>* out) {
  out->resize(count);
  for (size_t i = 0; i < count; ++i) (*out)[i] = float_to_half(values[i]);
}

}  // namespace barista::internal
