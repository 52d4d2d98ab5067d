#include "sequence/sequence_encoder.h"

#include <algorithm>
#include <cmath>

namespace barista::internal {

float norm_statistics(uint32_t d, const float* x, float* mean) {
  float sum = 0.0f;
  for (uint32_t c = 0; c < d; ++c) sum += x[c];
  const float m = sum / static_cast<float>(d);
  float variance = 0.0f;
  for (uint32_t c = 0; c < d; ++c) variance += (x[c] - m) * (x[c] - m);
  variance /= static_cast<float>(d);
  *mean = m;
  return 1.0f / std::sqrt(variance + kNormEpsilon);
}

void layer_norm(const NormInfo& norm, uint32_t d, const float* x, float* y) {
  float mean = 0.0f;
  const float inv = norm_statistics(d, x, &mean);
  for (uint32_t c = 0; c < d; ++c) y[c] = norm.gain[c] * ((x[c] - mean) * inv) + norm.bias[c];
}

void SequenceEncoderRunner::encode(const SequenceEncoderInfo& encoder, const TensorView& embedding,
                                   const KernelTable& kernels, Span<uint32_t> ids, float* out) {
  run(encoder, embedding, kernels, ids, false, out);
}

void SequenceEncoderRunner::encode_all(const SequenceEncoderInfo& encoder, const TensorView& embedding,
                                       const KernelTable& kernels, Span<uint32_t> ids, float* out) {
  run(encoder, embedding, kernels, ids, true, out);
}

void SequenceEncoderRunner::run(const SequenceEncoderInfo& encoder, const TensorView& embedding,
                                const KernelTable& kernels, Span<uint32_t> ids, bool all_positions, float* out) {
  const uint32_t d = encoder.dim;
  const size_t n = std::min<size_t>(ids.size(), encoder.length);
  if (n == 0) {
    if (!all_positions) std::fill(out, out + d, 0.0f);
    return;
  }
  const uint32_t* values = ids.data() + (ids.size() - n);
  const size_t size = n * d;
  scratch_.resize(5 * size + n);
  float* x = scratch_.data();  // the sequence, block by block
  float* h = x + size;         // normalized rows
  float* q = h + size;         // queries, then the feed-forward's hidden rows
  float* k = q + size;
  float* v = k + size;
  float* weights = v + size;  // one row of attention weights

  for (size_t t = 0; t < n; ++t) {
    float* row = x + t * d;
    std::fill(row, row + d, 0.0f);
    switch (embedding.dtype) {
      case fb::DType::F32: kernels.pool_f32(embedding.f32, d, values + t, 1, row); break;
      case fb::DType::F16: kernels.pool_f16(embedding.f16, d, values + t, 1, row); break;
      case fb::DType::Int8Rowwise: kernels.pool_q8(embedding.q8, embedding.q8_scale_bias, d, values + t, 1, row); break;
    }
    kernels.axpy_f32(1.0f, encoder.positions + (n - 1 - t) * d, row, d);
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (size_t b = 0; b < encoder.blocks.size(); ++b) {
    const AttentionBlockInfo& block = encoder.blocks[b];
    // The output reads the last position only, and in the last block no
    // other position feeds it but through its keys and values.
    const size_t first = !all_positions && b + 1 == encoder.blocks.size() ? n - 1 : 0;
    const size_t rows = n - first;
    for (size_t t = 0; t < n; ++t) layer_norm(block.norm1, d, x + t * d, h + t * d);
    kernels.dense_f32(h, n, d, block.key.weights, block.key.bias, d, 0, k);
    kernels.dense_f32(h, n, d, block.value.weights, block.value.bias, d, 0, v);
    kernels.dense_f32(h + first * d, rows, d, block.query.weights, block.query.bias, d, 0, q + first * d);
    for (size_t t = first; t < n; ++t) {
      // Causal: position t attends to positions 0 .. t.
      float top = -INFINITY;
      for (size_t s = 0; s <= t; ++s) {
        weights[s] = scale * kernels.dot_f32(q + t * d, k + s * d, d);
        top = std::max(top, weights[s]);
      }
      float sum = 0.0f;
      for (size_t s = 0; s <= t; ++s) {
        weights[s] = std::exp(weights[s] - top);
        sum += weights[s];
      }
      const float inv = 1.0f / sum;
      for (size_t s = 0; s <= t; ++s) kernels.axpy_f32(weights[s] * inv, v + s * d, x + t * d, d);
    }
    for (size_t t = first; t < n; ++t) layer_norm(block.norm2, d, x + t * d, h + t * d);
    kernels.dense_f32(h + first * d, rows, d, block.feed1.weights, block.feed1.bias, d, 1, q + first * d);
    kernels.dense_f32(q + first * d, rows, d, block.feed2.weights, block.feed2.bias, d, 0, h + first * d);
    for (size_t t = first; t < n; ++t) kernels.axpy_f32(1.0f, h + t * d, x + t * d, d);
  }
  if (all_positions) {
    for (size_t t = 0; t < n; ++t) layer_norm(encoder.final_norm, d, x + t * d, out + t * d);
  } else {
    layer_norm(encoder.final_norm, d, x + (n - 1) * d, out);
  }
}

}  // namespace barista::internal
