// Quantization of embedding tables and wide weights for the model file
// (quantization layout version 1, see schema/barista_model.fbs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace barista::internal {

// Row-wise 8-bit: per row, scale = (max - min) / 255 and bias = min, so that
// value ~ scale * q + bias with q = round((value - min) / scale). The error
// per element is at most half a step (scale / 2).
void quantize_rows_q8(const float* values, size_t rows, size_t cols, std::vector<uint8_t>* q,
                      std::vector<float>* scale_bias);

void quantize_f16(const float* values, size_t count, std::vector<uint16_t>* out);

}  // namespace barista::internal
