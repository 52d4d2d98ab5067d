#include "train/sequence_training.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>

#include "sequence/sequence_encoder.h"

namespace barista::internal {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Map = Eigen::Map<Matrix>;
using ConstMap = Eigen::Map<const Matrix>;
using RowMap = Eigen::Map<Eigen::Matrix<float, 1, Eigen::Dynamic>>;
using ConstRowMap = Eigen::Map<const Eigen::Matrix<float, 1, Eigen::Dynamic>>;

Eigen::Index ix(size_t v) { return static_cast<Eigen::Index>(v); }

// The runtime's layer_norm, keeping x-hat and 1/std.
void norm_forward(const float* gain_bias, size_t d, const float* x, float* xhat, float* y, float* rstd) {
  float mean = 0.0f;
  const float inv = norm_statistics(static_cast<uint32_t>(d), x, &mean);
  *rstd = inv;
  for (size_t c = 0; c < d; ++c) {
    xhat[c] = (x[c] - mean) * inv;
    y[c] = gain_bias[c] * xhat[c] + gain_bias[d + c];
  }
}

// dy -> dx (added), gain and bias gradients (added).
void norm_backward(const float* gain_bias, size_t d, const float* xhat, float rstd, const float* dy, float* dx,
                   float* dgain_bias) {
  float mean_dxhat = 0.0f, mean_dxhat_xhat = 0.0f;
  for (size_t c = 0; c < d; ++c) {
    const float dxhat = dy[c] * gain_bias[c];
    dgain_bias[c] += dy[c] * xhat[c];
    dgain_bias[d + c] += dy[c];
    mean_dxhat += dxhat;
    mean_dxhat_xhat += dxhat * xhat[c];
  }
  mean_dxhat /= static_cast<float>(d);
  mean_dxhat_xhat /= static_cast<float>(d);
  for (size_t c = 0; c < d; ++c) {
    const float dxhat = dy[c] * gain_bias[c];
    dx[c] += rstd * (dxhat - mean_dxhat - xhat[c] * mean_dxhat_xhat);
  }
}

// y (n x d) = x w + b, w and b at `params` (d x d, then d).
void dense_forward(const float* params, size_t n, size_t d, const float* x, float* y) {
  Map(y, ix(n), ix(d)).noalias() = ConstMap(x, ix(n), ix(d)) * ConstMap(params, ix(d), ix(d));
  Map(y, ix(n), ix(d)).rowwise() += ConstRowMap(params + d * d, ix(d));
}

// Given dy: dx += dy w^T (when dx is given), dw += x^T dy, db += sum of dy.
void dense_backward(const float* params, size_t n, size_t d, const float* x, const float* dy, float* dx, float* grads) {
  const ConstMap dy_map(dy, ix(n), ix(d));
  if (dx != nullptr) Map(dx, ix(n), ix(d)).noalias() += dy_map * ConstMap(params, ix(d), ix(d)).transpose();
  Map(grads, ix(d), ix(d)).noalias() += ConstMap(x, ix(n), ix(d)).transpose() * dy_map;
  RowMap(grads + d * d, ix(d)) += dy_map.colwise().sum();
}

}  // namespace

void init_sequence_encoder(uint32_t length, uint32_t dim, uint32_t blocks, Random* random, SequenceEncoderSpec* out) {
  out->length = length;
  out->dim = dim;
  out->blocks = blocks;
  const SequenceLayout at(*out);
  out->params.assign(at.total(), 0.0f);
  float* p = out->params.data();
  const size_t d = dim;
  const float position_scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (size_t i = 0; i < size_t{length} * d; ++i) p[i] = position_scale * static_cast<float>(random->normal());
  const float limit = std::sqrt(6.0f / static_cast<float>(2 * d));
  auto dense = [&](size_t offset) {
    for (size_t i = 0; i < d * d; ++i) p[offset + i] = random->symmetric(limit);
  };
  auto norm = [&](size_t offset) { std::fill(p + offset, p + offset + d, 1.0f); };
  for (size_t b = 0; b < blocks; ++b) {
    norm(at.norm1(b));
    dense(at.query(b));
    dense(at.key(b));
    dense(at.value(b));
    norm(at.norm2(b));
    dense(at.feed1(b));
    dense(at.feed2(b));
  }
  norm(at.final_norm());
}

void sequence_forward(const SequenceEncoderSpec& spec, const float* table, const uint32_t* ids, size_t count,
                      SequenceCache* cache, float* out, float dropout, Random* random) {
  const SequenceLayout at(spec);
  const size_t d = spec.dim;
  const size_t n = std::min<size_t>(count, spec.length);
  const float* p = spec.params.data();
  cache->n = n;
  cache->ids = ids + (count - n);
  if (n == 0) {
    std::fill(out, out + d, 0.0f);
    return;
  }
  cache->blocks.resize(spec.blocks);
  const bool drop = dropout > 0.0f && random != nullptr;
  const float kept = drop ? 1.0f / (1.0f - dropout) : 1.0f;
  auto draw = [&](std::vector<float>* keep) {
    if (!drop) {
      keep->clear();
      return;
    }
    keep->resize(n * d);
    for (float& k : *keep) k = random->uniform() < static_cast<double>(dropout) ? 0.0f : kept;
  };
  std::vector<float> x(n * d);
  for (size_t t = 0; t < n; ++t) {
    const float* row = table + size_t{cache->ids[t]} * d;
    const float* position = p + at.positions() + (n - 1 - t) * d;
    for (size_t c = 0; c < d; ++c) x[t * d + c] = row[c] + position[c];
  }
  draw(&cache->keep_input);
  for (size_t i = 0; i < cache->keep_input.size(); ++i) x[i] *= cache->keep_input[i];
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (size_t b = 0; b < spec.blocks; ++b) {
    SequenceCache::Block& k = cache->blocks[b];
    k.x = x;
    for (std::vector<float>* v : {&k.xhat1, &k.h, &k.q, &k.k, &k.v, &k.x1, &k.xhat2, &k.g, &k.hidden}) v->resize(n * d);
    k.rstd1.resize(n);
    k.rstd2.resize(n);
    k.attention.assign(n * n, 0.0f);
    for (size_t t = 0; t < n; ++t)
      norm_forward(p + at.norm1(b), d, &x[t * d], &k.xhat1[t * d], &k.h[t * d], &k.rstd1[t]);
    dense_forward(p + at.query(b), n, d, k.h.data(), k.q.data());
    dense_forward(p + at.key(b), n, d, k.h.data(), k.k.data());
    dense_forward(p + at.value(b), n, d, k.h.data(), k.v.data());
    k.attended.assign(n * d, 0.0f);
    for (size_t t = 0; t < n; ++t) {
      float* a = &k.attention[t * n];
      float top = -INFINITY;
      for (size_t s = 0; s <= t; ++s) {
        float dot = 0.0f;
        for (size_t c = 0; c < d; ++c) dot += k.q[t * d + c] * k.k[s * d + c];
        a[s] = scale * dot;
        top = std::max(top, a[s]);
      }
      float sum = 0.0f;
      for (size_t s = 0; s <= t; ++s) {
        a[s] = std::exp(a[s] - top);
        sum += a[s];
      }
      for (size_t s = 0; s <= t; ++s) {
        a[s] /= sum;
        for (size_t c = 0; c < d; ++c) k.attended[t * d + c] += a[s] * k.v[s * d + c];
      }
    }
    draw(&k.keep_attended);
    draw(&k.keep_fed);
    k.x1 = x;
    for (size_t i = 0; i < n * d; ++i) k.x1[i] += drop ? k.keep_attended[i] * k.attended[i] : k.attended[i];
    for (size_t t = 0; t < n; ++t)
      norm_forward(p + at.norm2(b), d, &k.x1[t * d], &k.xhat2[t * d], &k.g[t * d], &k.rstd2[t]);
    dense_forward(p + at.feed1(b), n, d, k.g.data(), k.hidden.data());
    for (float& v : k.hidden) v = std::max(v, 0.0f);
    dense_forward(p + at.feed2(b), n, d, k.hidden.data(), x.data());
    if (drop) {
      for (size_t i = 0; i < n * d; ++i) x[i] *= k.keep_fed[i];
    }
    for (size_t i = 0; i < n * d; ++i) x[i] += k.x1[i];
  }
  cache->y = x;
  cache->final_xhat.resize(d);
  float rstd = 0.0f;
  norm_forward(p + at.final_norm(), d, &x[(n - 1) * d], cache->final_xhat.data(), out, &rstd);
  cache->final_rstd = rstd;
}

void sequence_backward(const SequenceEncoderSpec& spec, const SequenceCache& cache, const float* dout, float* grads,
                       float* row_grads) {
  const size_t n = cache.n;
  if (n == 0) return;
  const SequenceLayout at(spec);
  const size_t d = spec.dim;
  const float* p = spec.params.data();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  std::vector<float> dy(n * d, 0.0f);
  norm_backward(p + at.final_norm(), d, cache.final_xhat.data(), cache.final_rstd, dout, &dy[(n - 1) * d],
                grads + at.final_norm());
  std::vector<float> dx1, dhidden, dg, dq, dk, dv, dh, dx;
  for (size_t b = spec.blocks; b-- > 0;) {
    const SequenceCache::Block& k = cache.blocks[b];
    // y = x1 + feed2(relu(feed1(norm2(x1)))).
    dx1 = dy;
    if (!k.keep_fed.empty()) {
      for (size_t i = 0; i < n * d; ++i) dy[i] *= k.keep_fed[i];
    }
    dhidden.assign(n * d, 0.0f);
    dense_backward(p + at.feed2(b), n, d, k.hidden.data(), dy.data(), dhidden.data(), grads + at.feed2(b));
    for (size_t i = 0; i < n * d; ++i) dhidden[i] = k.hidden[i] > 0.0f ? dhidden[i] : 0.0f;
    dg.assign(n * d, 0.0f);
    dense_backward(p + at.feed1(b), n, d, k.g.data(), dhidden.data(), dg.data(), grads + at.feed1(b));
    for (size_t t = 0; t < n; ++t)
      norm_backward(p + at.norm2(b), d, &k.xhat2[t * d], k.rstd2[t], &dg[t * d], &dx1[t * d], grads + at.norm2(b));
    // x1 = x + attention(q, k, v).
    dx = dx1;
    if (!k.keep_attended.empty()) {
      for (size_t i = 0; i < n * d; ++i) dx1[i] *= k.keep_attended[i];
    }
    dq.assign(n * d, 0.0f);
    dk.assign(n * d, 0.0f);
    dv.assign(n * d, 0.0f);
    std::vector<float> da(n);
    for (size_t t = 0; t < n; ++t) {
      const float* a = &k.attention[t * n];
      const float* dout_t = &dx1[t * d];
      float weighted = 0.0f;
      for (size_t s = 0; s <= t; ++s) {
        float dot = 0.0f;
        for (size_t c = 0; c < d; ++c) {
          dot += dout_t[c] * k.v[s * d + c];
          dv[s * d + c] += a[s] * dout_t[c];
        }
        da[s] = dot;
        weighted += a[s] * dot;
      }
      for (size_t s = 0; s <= t; ++s) {
        const float dscore = scale * a[s] * (da[s] - weighted);
        for (size_t c = 0; c < d; ++c) {
          dq[t * d + c] += dscore * k.k[s * d + c];
          dk[s * d + c] += dscore * k.q[t * d + c];
        }
      }
    }
    dh.assign(n * d, 0.0f);
    dense_backward(p + at.query(b), n, d, k.h.data(), dq.data(), dh.data(), grads + at.query(b));
    dense_backward(p + at.key(b), n, d, k.h.data(), dk.data(), dh.data(), grads + at.key(b));
    dense_backward(p + at.value(b), n, d, k.h.data(), dv.data(), dh.data(), grads + at.value(b));
    for (size_t t = 0; t < n; ++t)
      norm_backward(p + at.norm1(b), d, &k.xhat1[t * d], k.rstd1[t], &dh[t * d], &dx[t * d], grads + at.norm1(b));
    dy.swap(dx);
  }
  // x_t = embedding row + position (n - 1 - t).
  if (!cache.keep_input.empty()) {
    for (size_t i = 0; i < n * d; ++i) dy[i] *= cache.keep_input[i];
  }
  for (size_t t = 0; t < n; ++t) {
    float* position = grads + at.positions() + (n - 1 - t) * d;
    for (size_t c = 0; c < d; ++c) {
      position[c] += dy[t * d + c];
      row_grads[t * d + c] = dy[t * d + c];
    }
  }
}

}  // namespace barista::internal
