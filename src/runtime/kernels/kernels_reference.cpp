// The scalar reference: the ground truth every SIMD variant is tested
// against. Plain loops, in the obvious order.
#include "common/half.h"
#include "hash/fingerprint.h"
#include "kernels/kernel_list.h"

namespace barista::internal {
namespace {

float dot_f32(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

void axpy_f32(float alpha, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void add_relu_f32(const float* a, const float* b, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float v = a[i] + b[i];
    y[i] = v > 0.0f ? v : 0.0f;
  }
}

void dense_f32(const float* x, size_t rows, size_t in, const float* w, const float* bias, size_t out, int relu,
               float* y) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < out; ++j) {
      float sum = bias[j];
      for (size_t k = 0; k < in; ++k) sum += x[r * in + k] * w[k * out + j];
      y[r * out + j] = relu && !(sum > 0.0f) ? 0.0f : sum;
    }
  }
}

void pool_f32(const float* table, size_t dim, const uint32_t* ids, size_t count, float* acc) {
  for (size_t i = 0; i < count; ++i) {
    const float* row = table + static_cast<size_t>(ids[i]) * dim;
    for (size_t c = 0; c < dim; ++c) acc[c] += row[c];
  }
}

void pool_f16(const uint16_t* table, size_t dim, const uint32_t* ids, size_t count, float* acc) {
  for (size_t i = 0; i < count; ++i) {
    const uint16_t* row = table + static_cast<size_t>(ids[i]) * dim;
    for (size_t c = 0; c < dim; ++c) acc[c] += half_to_float(row[c]);
  }
}

void pool_q8(const uint8_t* table, const float* scale_bias, size_t dim, const uint32_t* ids, size_t count, float* acc) {
  for (size_t i = 0; i < count; ++i) {
    const size_t id = ids[i];
    const uint8_t* row = table + id * dim;
    const float scale = scale_bias[2 * id];
    const float bias = scale_bias[2 * id + 1];
    for (size_t c = 0; c < dim; ++c) acc[c] += scale * static_cast<float>(row[c]) + bias;
  }
}

float gather_sum_f32(const float* weights, const uint32_t* ids, size_t count) {
  float sum = 0.0f;
  for (size_t i = 0; i < count; ++i) sum += weights[ids[i]];
  return sum;
}

float gather_sum_f16(const uint16_t* weights, const uint32_t* ids, size_t count) {
  float sum = 0.0f;
  for (size_t i = 0; i < count; ++i) sum += half_to_float(weights[ids[i]]);
  return sum;
}

void quantize_u8_rows(const float* x, size_t rows, size_t in, size_t in_padded, uint8_t* q, float* scales) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x + r * in;
    float top = 0.0f;
    for (size_t k = 0; k < in; ++k) top = row[k] > top ? row[k] : top;
    float inverse;
    const float scale = quantize_u8_scale(top, &inverse);
    for (size_t k = 0; k < in; ++k) {
      const float v = row[k] > 0.0f ? row[k] * inverse + 0.5f : 0.0f;
      q[r * in_padded + k] = static_cast<uint8_t>(v < 255.0f ? v : 255.0f);
    }
    for (size_t k = in; k < in_padded; ++k) q[r * in_padded + k] = 0;
    scales[r] = scale;
  }
}

void add_relu_quantize_u8(const float* a, const float* b, size_t n, size_t n_padded, uint8_t* q, float* scale) {
  float top = 0.0f;
  for (size_t k = 0; k < n; ++k) {
    const float v = a[k] + b[k];
    top = v > top ? v : top;
  }
  float inverse;
  *scale = quantize_u8_scale(top, &inverse);
  for (size_t k = 0; k < n; ++k) {
    const float v = a[k] + b[k];
    const float u = v > 0.0f ? v * inverse + 0.5f : 0.0f;
    q[k] = static_cast<uint8_t>(u < 255.0f ? u : 255.0f);
  }
  for (size_t k = n; k < n_padded; ++k) q[k] = 0;
}

void dense_u8s8(const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w,
                const float* w_scales, const float* bias, size_t out, int relu, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < out; ++j) {
      int32_t sum = 0;
      for (size_t k = 0; k < in_padded; ++k) {
        sum += static_cast<int32_t>(q[r * in_padded + k]) * w[(k / 4) * out * 4 + j * 4 + k % 4];
      }
      const float v = scales[r] * w_scales[j] * static_cast<float>(sum) + bias[j];
      y[r * out + j] = relu && !(v > 0.0f) ? 0.0f : v;
    }
  }
}

void cross_indices(uint64_t prefix, const uint64_t* mixed, size_t n, const CrossBuckets* buckets, uint32_t offset,
                   uint32_t* out) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = offset + static_cast<uint32_t>(buckets->fast.mod(fingerprint_cat64_mixed(prefix, mixed[i])));
  }
}

}  // namespace

const KernelTable& kernel_table_reference() {
#define BARISTA_KERNEL_ENTRY(name, ret, params) &name,
  static const KernelTable table = {"reference", false, BARISTA_KERNEL_LIST(BARISTA_KERNEL_ENTRY)};
#undef BARISTA_KERNEL_ENTRY
  return table;
}

}  // namespace barista::internal
