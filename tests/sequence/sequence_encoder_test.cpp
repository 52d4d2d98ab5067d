// The sequence encoder: the runtime (every kernel variant, f32 and int8
// tables) and the trainer's forward pass against a plain double-precision
// reading of the schema's formulas; causality; short, long and empty
// histories; the trainer's gradients against finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/random.h"
#include "kernels/dispatch.h"
#include "sequence/sequence_encoder.h"
#include "train/sequence_training.h"
#include "writer/quantize.h"

using namespace barista::internal;

namespace {

constexpr uint32_t kDim = 8;
constexpr uint32_t kRows = 20;

struct Fixture {
  SequenceEncoderSpec spec;
  std::vector<float> table;  // kRows x kDim
  SequenceEncoderInfo info;

  Fixture(uint32_t length, uint32_t blocks, uint64_t seed = 3) {
    Random random(seed);
    init_sequence_encoder(length, kDim, blocks, &random, &spec);
    // Trained encoders have non-trivial norms and biases: perturb them all.
    for (float& p : spec.params) p += 0.3f * static_cast<float>(random.normal());
    table.resize(size_t{kRows} * kDim);
    for (float& v : table) v = static_cast<float>(random.normal());
    info = view(spec);
  }

  // The runtime's view of spec.params (as Model::validate_sequence builds
  // it from a file).
  static SequenceEncoderInfo view(const SequenceEncoderSpec& s) {
    const SequenceLayout at(s);
    const float* p = s.params.data();
    SequenceEncoderInfo info;
    info.length = s.length;
    info.dim = s.dim;
    info.positions = p + at.positions();
    auto norm = [&](size_t offset) { return NormInfo{p + offset, p + offset + s.dim}; };
    auto dense = [&](size_t offset, bool relu) {
      LayerInfo l;
      l.weights = p + offset;
      l.bias = p + offset + size_t{s.dim} * s.dim;
      l.in = l.out = s.dim;
      l.relu = relu;
      return l;
    };
    for (size_t b = 0; b < s.blocks; ++b) {
      AttentionBlockInfo block;
      block.norm1 = norm(at.norm1(b));
      block.query = dense(at.query(b), false);
      block.key = dense(at.key(b), false);
      block.value = dense(at.value(b), false);
      block.norm2 = norm(at.norm2(b));
      block.feed1 = dense(at.feed1(b), true);
      block.feed2 = dense(at.feed2(b), false);
      info.blocks.push_back(block);
    }
    info.final_norm = norm(at.final_norm());
    return info;
  }

  TensorView f32_table() const {
    TensorView t;
    t.dtype = fb::DType::F32;
    t.rows = kRows;
    t.cols = kDim;
    t.f32 = table.data();
    return t;
  }
};

// The schema's formulas (schema/barista_model.fbs, SequenceEncoder), in
// double, written from the schema alone: every position's output.
std::vector<std::vector<double>> reference(const SequenceEncoderSpec& s, const std::vector<float>& table,
                                           std::vector<uint32_t> ids) {
  const SequenceLayout at(s);
  const size_t d = s.dim;
  if (ids.size() > s.length) ids.erase(ids.begin(), ids.end() - s.length);
  const size_t n = ids.size();
  const std::vector<double> p(s.params.begin(), s.params.end());
  using Rows = std::vector<std::vector<double>>;
  auto norm = [&](size_t offset, const std::vector<double>& x) {
    double mean = 0, var = 0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(d);
    for (double v : x) var += (v - mean) * (v - mean);
    var /= static_cast<double>(d);
    std::vector<double> y(d);
    for (size_t c = 0; c < d; ++c) y[c] = p[offset + c] * (x[c] - mean) / std::sqrt(var + 1e-5) + p[offset + d + c];
    return y;
  };
  auto dense = [&](size_t offset, const std::vector<double>& x, bool relu) {
    std::vector<double> y(d);
    for (size_t o = 0; o < d; ++o) {
      double sum = p[offset + d * d + o];
      for (size_t i = 0; i < d; ++i) sum += x[i] * p[offset + i * d + o];
      y[o] = relu ? std::max(sum, 0.0) : sum;
    }
    return y;
  };
  Rows x(n, std::vector<double>(d));
  for (size_t t = 0; t < n; ++t) {
    for (size_t c = 0; c < d; ++c)
      x[t][c] = static_cast<double>(table[ids[t] * d + c]) + p[at.positions() + (n - 1 - t) * d + c];
  }
  for (size_t b = 0; b < s.blocks; ++b) {
    Rows q(n), k(n), v(n), y(n);
    for (size_t t = 0; t < n; ++t) {
      const std::vector<double> h = norm(at.norm1(b), x[t]);
      q[t] = dense(at.query(b), h, false);
      k[t] = dense(at.key(b), h, false);
      v[t] = dense(at.value(b), h, false);
    }
    for (size_t t = 0; t < n; ++t) {
      std::vector<double> score(t + 1);
      double top = -1e300, sum = 0;
      for (size_t u = 0; u <= t; ++u) {
        double dot = 0;
        for (size_t c = 0; c < d; ++c) dot += q[t][c] * k[u][c];
        score[u] = dot / std::sqrt(static_cast<double>(d));
        top = std::max(top, score[u]);
      }
      for (double& e : score) sum += (e = std::exp(e - top));
      std::vector<double> x1 = x[t];
      for (size_t u = 0; u <= t; ++u) {
        for (size_t c = 0; c < d; ++c) x1[c] += score[u] / sum * v[u][c];
      }
      const std::vector<double> f = dense(at.feed2(b), dense(at.feed1(b), norm(at.norm2(b), x1), true), false);
      y[t].resize(d);
      for (size_t c = 0; c < d; ++c) y[t][c] = x1[c] + f[c];
    }
    x = y;
  }
  Rows out(n);
  for (size_t t = 0; t < n; ++t) out[t] = norm(at.final_norm(), x[t]);
  return out;
}

// Every variant this CPU runs (the others are the kernel tests' concern).
std::vector<const KernelTable*> runnable_kernel_tables() {
  const CpuFeatures cpu = detect_cpu_features();
  std::vector<const KernelTable*> tables;
  for (const KernelTable* t : all_kernel_tables()) {
    if (cpu_supports(cpu, t->isa)) tables.push_back(t);
  }
  REQUIRE(tables.size() >= 1);
  return tables;
}

void check_close(const float* got, const std::vector<double>& want, double tolerance) {
  for (size_t c = 0; c < want.size(); ++c) {
    INFO("component " << c << ": got " << got[c] << ", want " << want[c]);
    CHECK(std::fabs(static_cast<double>(got[c]) - want[c]) <= tolerance * (1.0 + std::fabs(want[c])));
  }
}

}  // namespace

TEST_CASE("sequence encoder: every kernel variant and the trainer's forward pass follow the schema's formulas") {
  for (uint32_t blocks : {1u, 2u}) {
    Fixture f(6, blocks);
    const std::vector<std::vector<uint32_t>> histories = {
        {3}, {1, 4, 1, 5}, {9, 2, 6, 5, 3, 5}, {0, 19, 7, 7, 3, 12, 11, 8, 2}};
    for (const std::vector<uint32_t>& ids : histories) {
      const std::vector<std::vector<double>> want = reference(f.spec, f.table, ids);
      for (const KernelTable* kernels : runnable_kernel_tables()) {
        INFO("kernels " << kernels->isa << ", " << blocks << " blocks, " << ids.size() << " ids");
        SequenceEncoderRunner runner;
        std::vector<float> out(kDim), all(want.size() * kDim);
        runner.encode(f.info, f.f32_table(), *kernels, Span<uint32_t>(ids.data(), ids.size()), out.data());
        check_close(out.data(), want.back(), 1e-4);
        runner.encode_all(f.info, f.f32_table(), *kernels, Span<uint32_t>(ids.data(), ids.size()), all.data());
        for (size_t t = 0; t < want.size(); ++t) check_close(&all[t * kDim], want[t], 1e-4);
      }
      SequenceCache cache;
      std::vector<float> trained(kDim);
      sequence_forward(f.spec, f.table.data(), ids.data(), ids.size(), &cache, trained.data());
      check_close(trained.data(), want.back(), 1e-4);
      CHECK(cache.n == std::min<size_t>(ids.size(), 6));
    }
  }
}

TEST_CASE("sequence encoder: causal, a later item never changes an earlier position's output") {
  Fixture f(8, 2);
  const KernelTable& kernels = kernel_table_reference();
  std::vector<uint32_t> ids = {4, 8, 15, 16, 2, 3, 9, 1};
  SequenceEncoderRunner runner;
  std::vector<float> before(ids.size() * kDim), after(ids.size() * kDim);
  runner.encode_all(f.info, f.f32_table(), kernels, Span<uint32_t>(ids.data(), ids.size()), before.data());
  for (size_t changed = 1; changed < ids.size(); ++changed) {
    std::vector<uint32_t> other = ids;
    for (size_t t = changed; t < other.size(); ++t) other[t] = (other[t] + 7) % kRows;
    runner.encode_all(f.info, f.f32_table(), kernels, Span<uint32_t>(other.data(), other.size()), after.data());
    // Positions before the change are bit for bit the same; the changed one is not.
    CHECK(std::equal(before.begin(), before.begin() + static_cast<ptrdiff_t>(changed * kDim), after.begin()));
    CHECK(!std::equal(before.begin() + static_cast<ptrdiff_t>(changed * kDim),
                      before.begin() + static_cast<ptrdiff_t>((changed + 1) * kDim),
                      after.begin() + static_cast<ptrdiff_t>(changed * kDim)));
  }
  // The last-position path equals the last row of every position's.
  std::vector<float> last(kDim);
  runner.encode(f.info, f.f32_table(), kernels, Span<uint32_t>(ids.data(), ids.size()), last.data());
  for (uint32_t c = 0; c < kDim; ++c)
    CHECK(last[c] == doctest::Approx(before[(ids.size() - 1) * kDim + c]).epsilon(1e-5));
}

TEST_CASE(
    "sequence encoder: short histories use the first positions, long ones their last `length` ids, none gives zeros") {
  Fixture f(4, 1);
  const KernelTable& kernels = kernel_table_reference();
  SequenceEncoderRunner runner;
  std::vector<float> a(kDim), b(kDim);
  // Longer than the length: the oldest ids are not read.
  const std::vector<uint32_t> long_ids = {19, 18, 17, 1, 2, 3, 4}, last_four = {1, 2, 3, 4};
  runner.encode(f.info, f.f32_table(), kernels, Span<uint32_t>(long_ids.data(), long_ids.size()), a.data());
  runner.encode(f.info, f.f32_table(), kernels, Span<uint32_t>(last_four.data(), last_four.size()), b.data());
  CHECK(a == b);
  // One id: its row plus position 0, one attention weight of 1.
  const std::vector<uint32_t> one = {5};
  runner.encode(f.info, f.f32_table(), kernels, Span<uint32_t>(one.data(), one.size()), a.data());
  check_close(a.data(), reference(f.spec, f.table, one).back(), 1e-4);
  // A different last item changes the output (the encoder reads ids at all).
  const std::vector<uint32_t> other = {6};
  runner.encode(f.info, f.f32_table(), kernels, Span<uint32_t>(other.data(), other.size()), b.data());
  CHECK(a != b);
  // No ids: zeros, whatever the scratch held before.
  std::fill(a.begin(), a.end(), 7.0f);
  runner.encode(f.info, f.f32_table(), kernels, Span<uint32_t>(), a.data());
  CHECK(std::all_of(a.begin(), a.end(), [](float v) { return v == 0.0f; }));
  SequenceCache cache;
  std::fill(b.begin(), b.end(), 7.0f);
  sequence_forward(f.spec, f.table.data(), nullptr, 0, &cache, b.data());
  CHECK(cache.n == 0);
  CHECK(std::all_of(b.begin(), b.end(), [](float v) { return v == 0.0f; }));
}

TEST_CASE("sequence encoder: int8 embedding rows encode as their dequantized values") {
  Fixture f(6, 2);
  std::vector<uint8_t> q;
  std::vector<float> scale_bias;
  quantize_rows_q8(f.table.data(), kRows, kDim, &q, &scale_bias);
  TensorView q8;
  q8.dtype = fb::DType::Int8Rowwise;
  q8.rows = kRows;
  q8.cols = kDim;
  q8.q8 = q.data();
  q8.q8_scale_bias = scale_bias.data();
  std::vector<float> dequantized(f.table.size());
  for (uint32_t r = 0; r < kRows; ++r) {
    for (uint32_t c = 0; c < kDim; ++c) dequantized[r * kDim + c] = q8.at(r, c);
  }
  CHECK(dequantized != f.table);  // int8 rounds: the comparison below means something
  const std::vector<uint32_t> ids = {2, 9, 4, 4, 17};
  const std::vector<double> want = reference(f.spec, dequantized, ids).back();
  for (const KernelTable* kernels : runnable_kernel_tables()) {
    INFO("kernels " << kernels->isa);
    SequenceEncoderRunner runner;
    std::vector<float> out(kDim);
    runner.encode(f.info, q8, *kernels, Span<uint32_t>(ids.data(), ids.size()), out.data());
    check_close(out.data(), want, 1e-4);
  }
}

TEST_CASE("sequence encoder: the trainer's gradients match finite differences, with and without dropout") {
  for (const auto& [blocks, dropout] : {std::pair<uint32_t, float>{1, 0.0f}, {2, 0.0f}, {2, 0.3f}}) {
    Fixture f(5, blocks, 17);
    const std::vector<uint32_t> ids = {3, 11, 3, 7, 0, 14};  // one more than the length
    std::vector<float> weights(kDim);                        // loss = weights . output
    Random random(5);
    for (float& w : weights) w = static_cast<float>(random.normal());
    // Dropout draws the same masks on every pass: the function is fixed.
    auto forward = [&](const SequenceEncoderSpec& spec, const std::vector<float>& table, SequenceCache* cache,
                       float* out) {
      Random masks(99);
      sequence_forward(spec, table.data(), ids.data(), ids.size(), cache, out, dropout, &masks);
    };
    auto loss = [&](const SequenceEncoderSpec& spec, const std::vector<float>& table) {
      SequenceCache cache;
      std::vector<float> out(kDim);
      forward(spec, table, &cache, out.data());
      double sum = 0;
      for (uint32_t c = 0; c < kDim; ++c) sum += static_cast<double>(weights[c]) * static_cast<double>(out[c]);
      return sum;
    };
    SequenceCache cache;
    std::vector<float> out(kDim);
    forward(f.spec, f.table, &cache, out.data());
    CHECK(cache.keep_input.empty() == (dropout == 0.0f));
    if (dropout > 0.0f) {
      // Some values dropped, some kept (scaled).
      CHECK(std::count(cache.keep_input.begin(), cache.keep_input.end(), 0.0f) > 0);
      CHECK(std::count(cache.keep_input.begin(), cache.keep_input.end(), 0.0f) <
            static_cast<ptrdiff_t>(cache.keep_input.size()));
    }
    std::vector<float> grads(f.spec.params.size(), 0.0f), row_grads(cache.n * kDim);
    sequence_backward(f.spec, cache, weights.data(), grads.data(), row_grads.data());
    const float h = 1e-2f;
    const double step = 2.0 * static_cast<double>(h);
    size_t checked = 0, nonzero = 0;
    for (size_t i = 0; i < f.spec.params.size(); ++i) {
      SequenceEncoderSpec plus = f.spec, minus = f.spec;
      plus.params[i] += h;
      minus.params[i] -= h;
      const double numeric = (loss(plus, f.table) - loss(minus, f.table)) / step;
      INFO("parameter " << i << " of " << f.spec.params.size() << ", " << blocks << " blocks, dropout " << dropout);
      CHECK(std::fabs(static_cast<double>(grads[i]) - numeric) <= 2e-2 * (std::fabs(numeric) + 0.05));
      ++checked;
      nonzero += std::fabs(numeric) > 1e-3;
    }
    CHECK(checked == f.spec.params.size());
    CHECK(nonzero > checked / (dropout > 0.0f ? 4 : 2));
    // The embedding rows read: ids[1 ..] (the first is past the length).
    for (size_t t = 0; t < cache.n; ++t) {
      for (uint32_t c = 0; c < kDim; ++c) {
        std::vector<float> plus = f.table, minus = f.table;
        // An id read twice (3) gets both positions' gradients in the table.
        const uint32_t row = ids[1 + t];
        plus[row * kDim + c] += h;
        minus[row * kDim + c] -= h;
        const double numeric = (loss(f.spec, plus) - loss(f.spec, minus)) / step;
        double analytic = 0;
        for (size_t u = 0; u < cache.n; ++u) {
          if (ids[1 + u] == row) analytic += static_cast<double>(row_grads[u * kDim + c]);
        }
        INFO("row " << row << " component " << c);
        CHECK(std::fabs(analytic - numeric) <= 2e-2 * (std::fabs(numeric) + 0.05));
      }
    }
  }
}
