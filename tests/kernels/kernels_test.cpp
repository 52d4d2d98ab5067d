// Every kernel variant against the scalar reference, on sizes below, at and
// above its tile; variants this CPU cannot run are skipped, not failed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "common/half.h"
#include "hash/fingerprint.h"
#include "kernels/dispatch.h"
#include "support/test_models.h"

using namespace barista::internal;
using barista_test::TestRandom;

namespace {

// Named tolerances: sums of n products in a different order differ by a few
// ulps of the magnitudes involved.
constexpr float kRelativeTolerance = 2e-6f;

void check_close(float actual, float expected, float magnitude) {
  CHECK(std::fabs(actual - expected) <= kRelativeTolerance * (1.0f + magnitude));
}

std::vector<float> random_floats(size_t n, uint64_t seed) {
  TestRandom random(seed);
  std::vector<float> v(n);
  for (float& x : v) x = random.symmetric(1.0f);
  return v;
}

// Sizes around every SIMD width in use (4, 8, 16 floats) and the dense tile
// (4 rows x 2 vectors).
const size_t kSizes[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100};

void check_dot_f32(const KernelTable& k, const KernelTable& ref) {
  for (size_t n : kSizes) {
    const auto a = random_floats(n, n + 1), b = random_floats(n, n + 2);
    float magnitude = 0;
    for (size_t i = 0; i < n; ++i) magnitude += std::fabs(a[i] * b[i]);
    check_close(k.dot_f32(a.data(), b.data(), n), ref.dot_f32(a.data(), b.data(), n), magnitude);
  }
}

void check_axpy_f32(const KernelTable& k, const KernelTable& ref) {
  for (size_t n : kSizes) {
    const auto x = random_floats(n, n + 3);
    auto y1 = random_floats(n, n + 4), y2 = y1;
    k.axpy_f32(0.75f, x.data(), y1.data(), n);
    ref.axpy_f32(0.75f, x.data(), y2.data(), n);
    for (size_t i = 0; i < n; ++i) check_close(y1[i], y2[i], 2.0f);
  }
}

void check_add_relu_f32(const KernelTable& k, const KernelTable& ref) {
  for (size_t n : kSizes) {
    const auto a = random_floats(n, n + 5), b = random_floats(n, n + 6);
    std::vector<float> y1(n, -1.0f), y2(n, -2.0f);
    k.add_relu_f32(a.data(), b.data(), y1.data(), n);
    ref.add_relu_f32(a.data(), b.data(), y2.data(), n);
    for (size_t i = 0; i < n; ++i) CHECK(y1[i] == y2[i]);  // one add: exact
  }
}

void check_dense_f32(const KernelTable& k, const KernelTable& ref) {
  const size_t rows_list[] = {1, 3, 4, 5, 9, 64, 70};
  const size_t in_list[] = {0, 1, 7, 33, 128, 129, 300};
  const size_t out_list[] = {1, 3, 8, 15, 16, 17, 32, 33, 48, 65, 128, 130, 257, 449};
  for (size_t rows : rows_list) {
    for (size_t in : in_list) {
      for (size_t out : out_list) {
        for (int relu = 0; relu < 2; ++relu) {
          const auto x = random_floats(rows * in, rows + in);
          const auto w = random_floats(in * out, in + out);
          const auto bias = random_floats(out, out);
          std::vector<float> y1(rows * out, 9.0f), y2(rows * out, 8.0f);
          k.dense_f32(x.data(), rows, in, w.data(), bias.data(), out, relu, y1.data());
          ref.dense_f32(x.data(), rows, in, w.data(), bias.data(), out, relu, y2.data());
          CAPTURE(rows);
          CAPTURE(in);
          CAPTURE(out);
          for (size_t i = 0; i < y1.size(); ++i) check_close(y1[i], y2[i], static_cast<float>(in + 1));
        }
      }
    }
  }
}

const uint32_t kIds[] = {3, 0, 7, 3, 12, 1};

void check_pool_f32(const KernelTable& k, const KernelTable& ref) {
  for (size_t dim : kSizes) {
    const auto table = random_floats(13 * dim, dim + 7);
    for (size_t count : {size_t{0}, size_t{1}, size_t{6}}) {
      std::vector<float> a1(dim, 0.5f), a2(dim, 0.5f);
      k.pool_f32(table.data(), dim, kIds, count, a1.data());
      ref.pool_f32(table.data(), dim, kIds, count, a2.data());
      for (size_t i = 0; i < dim; ++i) check_close(a1[i], a2[i], 8.0f);
    }
  }
}

void check_pool_f16(const KernelTable& k, const KernelTable& ref) {
  for (size_t dim : kSizes) {
    const auto values = random_floats(13 * dim, dim + 8);
    std::vector<uint16_t> table(values.size());
    for (size_t i = 0; i < values.size(); ++i) table[i] = float_to_half(values[i]);
    std::vector<float> a1(dim, 0.0f), a2(dim, 0.0f);
    k.pool_f16(table.data(), dim, kIds, 6, a1.data());
    ref.pool_f16(table.data(), dim, kIds, 6, a2.data());
    for (size_t i = 0; i < dim; ++i) check_close(a1[i], a2[i], 8.0f);
  }
}

void check_pool_q8(const KernelTable& k, const KernelTable& ref) {
  TestRandom random(99);
  for (size_t dim : kSizes) {
    std::vector<uint8_t> table(13 * dim);
    for (uint8_t& q : table) q = static_cast<uint8_t>(random.below(256));
    std::vector<float> scale_bias(26);
    for (float& s : scale_bias) s = random.symmetric(0.05f);
    std::vector<float> a1(dim, 0.0f), a2(dim, 0.0f);
    k.pool_q8(table.data(), scale_bias.data(), dim, kIds, 6, a1.data());
    ref.pool_q8(table.data(), scale_bias.data(), dim, kIds, 6, a2.data());
    for (size_t i = 0; i < dim; ++i) check_close(a1[i], a2[i], 80.0f);
  }
}

void check_gather_sum_f32(const KernelTable& k, const KernelTable& ref) {
  const auto weights = random_floats(13, 10);
  for (size_t count = 0; count <= 6; ++count) {
    check_close(k.gather_sum_f32(weights.data(), kIds, count), ref.gather_sum_f32(weights.data(), kIds, count), 6.0f);
  }
}

void check_gather_sum_f16(const KernelTable& k, const KernelTable& ref) {
  const auto values = random_floats(13, 11);
  std::vector<uint16_t> weights(13);
  for (size_t i = 0; i < 13; ++i) weights[i] = float_to_half(values[i]);
  for (size_t count = 0; count <= 6; ++count) {
    check_close(k.gather_sum_f16(weights.data(), kIds, count), ref.gather_sum_f16(weights.data(), kIds, count), 6.0f);
  }
}

void check_quantize_u8_rows(const KernelTable& k, const KernelTable& ref) {
  for (size_t rows : {1, 4, 5}) {
    for (size_t in : {0, 1, 7, 16, 33, 256}) {
      const size_t in_padded = (in + 3) / 4 * 4 + 4;
      auto x = random_floats(rows * in, rows * 31 + in);
      for (size_t i = 0; i < x.size(); i += 5) x[i] = 0.0f;            // ReLU zeros (and some negatives stay)
      for (size_t i = 3; i < x.size(); i += 11) x[i] = std::nanf("");  // NaN quantizes to 0
      if (rows > 1 && in > 0) std::fill(x.begin(), x.begin() + static_cast<long>(in), 0.0f);  // an all-zero row
      // An overflowed activation: the row's scale is infinite, its inverse 0,
      // and inf * 0 is NaN, which the reference clamps to 255.
      if (rows > 1 && in > 9) x[in + 9] = std::numeric_limits<float>::infinity();
      std::vector<uint8_t> q1(rows * in_padded, 7), q2(rows * in_padded, 9);
      std::vector<float> s1(rows), s2(rows);
      k.quantize_u8_rows(x.data(), rows, in, in_padded, q1.data(), s1.data());
      ref.quantize_u8_rows(x.data(), rows, in, in_padded, q2.data(), s2.data());
      CAPTURE(rows);
      CAPTURE(in);
      for (size_t r = 0; r < rows; ++r) {
        CHECK(s1[r] == s2[r]);  // a max and a division: exact
        for (size_t c = 0; c < in_padded; ++c) {
          // A fused multiply-add may round a value at .5 the other way.
          CHECK(std::abs(int{q1[r * in_padded + c]} - int{q2[r * in_padded + c]}) <= 1);
          if (c >= in) CHECK(q1[r * in_padded + c] == 0);
        }
      }
    }
  }
  // What the reference computes, by hand: max 2.55 -> scale 0.01.
  const float x[4] = {2.55f, 1.0f, -3.0f, 0.004f};
  uint8_t q[8];
  float scale = 0.0f;
  ref.quantize_u8_rows(x, 1, 4, 8, q, &scale);
  CHECK(scale == doctest::Approx(0.01f));
  CHECK(q[0] == 255);
  CHECK(q[1] == 100);
  CHECK(q[2] == 0);
  CHECK(q[3] == 0);
  CHECK(q[4] == 0);
}

void check_add_relu_quantize_u8(const KernelTable& k, const KernelTable& ref) {
  for (size_t n : kSizes) {
    const size_t n_padded = (n + 3) / 4 * 4 + 4;
    auto a = random_floats(n, n + 11);
    const auto b = random_floats(n, n + 12);
    for (size_t i = 2; i < n; i += 13) a[i] = std::nanf("");                 // NaN quantizes to 0
    if (n % 2 == 1 && n > 5) a[5] = std::numeric_limits<float>::infinity();  // as in check_quantize_u8_rows
    std::vector<uint8_t> q1(n_padded, 7), q2(n_padded, 9), q3(n_padded, 5);
    float s1 = 0, s2 = 0, s3 = 0;
    k.add_relu_quantize_u8(a.data(), b.data(), n, n_padded, q1.data(), &s1);
    ref.add_relu_quantize_u8(a.data(), b.data(), n, n_padded, q2.data(), &s2);
    // The same as the separate steps.
    std::vector<float> sum(n);
    ref.add_relu_f32(a.data(), b.data(), sum.data(), n);
    ref.quantize_u8_rows(sum.data(), 1, n, n_padded, q3.data(), &s3);
    CAPTURE(n);
    CHECK(s1 == s2);
    CHECK(s2 == s3);
    for (size_t i = 0; i < n_padded; ++i) {
      CHECK(std::abs(int{q1[i]} - int{q2[i]}) <= 1);
      CHECK(q2[i] == q3[i]);
    }
  }
}

void check_dense_u8s8(const KernelTable& k, const KernelTable& ref) {
  for (size_t rows : {1, 3, 4, 5, 9}) {
    for (size_t in_padded : {0, 4, 8, 36, 256}) {
      for (size_t out : {1, 3, 16, 31, 32, 33, 64, 65}) {
        TestRandom random(rows * 1000 + in_padded * 10 + out);
        std::vector<uint8_t> q(rows * in_padded);
        for (uint8_t& v : q) v = static_cast<uint8_t>(random.next() % 256);
        std::vector<int8_t> w(in_padded * out);
        for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>(random.next() % 255) - 127);
        const auto scales = random_floats(rows, rows + 1), w_scales = random_floats(out, out + 2);
        const auto bias = random_floats(out, out + 3);
        for (int relu = 0; relu < 2; ++relu) {
          std::vector<float> y1(rows * out, 9.0f), y2(rows * out, 8.0f);
          k.dense_u8s8(q.data(), scales.data(), rows, in_padded, w.data(), w_scales.data(), bias.data(), out, relu,
                       y1.data());
          ref.dense_u8s8(q.data(), scales.data(), rows, in_padded, w.data(), w_scales.data(), bias.data(), out, relu,
                         y2.data());
          CAPTURE(rows);
          CAPTURE(in_padded);
          CAPTURE(out);
          // Integer sums are exact; only the final scaling may round differently.
          for (size_t i = 0; i < y1.size(); ++i) check_close(y1[i], y2[i], 255.0f * 127.0f * (in_padded + 1));
        }
      }
    }
  }
  // By hand: one row, four inputs, two columns.
  const uint8_t q[4] = {1, 2, 3, 4};
  const int8_t w[8] = {1, 1, 1, 1, -1, 0, 2, -127};  // column 0: all ones; column 1: -1, 0, 2, -127
  const float scale = 0.5f, w_scales[2] = {2.0f, 1.0f}, bias[2] = {0.25f, 0.0f};
  float y[2];
  ref.dense_u8s8(q, &scale, 1, 4, w, w_scales, bias, 2, 1, y);
  CHECK(y[0] == 10.25f);  // 0.5 * 2 * (1 + 2 + 3 + 4) + 0.25
  CHECK(y[1] == 0.0f);    // 0.5 * (-1 + 0 + 6 - 508) < 0, ReLU
  k.dense_u8s8(q, &scale, 1, 4, w, w_scales, bias, 2, 0, y);
  CHECK(y[1] == -251.5f);
}

// The `mixed` argument that makes fingerprint_cat64_mixed(prefix, mixed)
// equal `hash`: every step of that hash is invertible (multiplying by an odd
// constant modulo 2^64, and x ^ (x >> 47), its own inverse), so the test can
// choose the dividends of the remainder rather than hope to hit its edges.
uint64_t mixed_for_hash(uint64_t prefix, uint64_t hash) {
  constexpr uint64_t kMul = 0xc6a4a7935bd1e995ULL;
  uint64_t inverse = kMul;  // Newton's iteration: each step doubles the correct low bits
  for (int i = 0; i < 6; ++i) inverse *= 2 - kMul * inverse;
  auto unshift = [](uint64_t v) { return v ^ (v >> 47); };
  const uint64_t chained = unshift(unshift(hash) * inverse) * inverse;
  return chained ^ prefix ^ kMul;
}

void check_cross_indices(const KernelTable& k, const KernelTable& ref) {
  const uint64_t two64_minus_1 = ~uint64_t{0};
  std::vector<uint64_t> divisors = {
      1,      2,       3,           7,           255,         8191,        8192,        8193,           65537,
      124800, 1048575, 2147483647u, 2147483648u, 4294967295u, 4294967296u, 4294967297u, 0xDECAFCAFFEULL};
  TestRandom random(77);
  for (int i = 0; i < 40; ++i) divisors.push_back(2 + random.below(uint64_t{1} << (2 + random.below(31))));
  const uint64_t prefix = 0x5EEDF00DCAFEULL;
  const uint32_t offset = 12345;
  for (uint64_t d : divisors) {
    INFO("buckets " << d);
    const CrossBuckets buckets{d, FastMod(d)};
    // Dividends at the estimate's edges: near 0, near multiples of d at
    // both ends of the range, around 2^53 (where doubles stop being exact
    // integers) and 2^63, the largest values, and random ones.
    std::vector<uint64_t> hashes = {0,
                                    1,
                                    d - 1,
                                    d,
                                    d + 1,
                                    two64_minus_1,
                                    two64_minus_1 - 1,
                                    uint64_t{1} << 63,
                                    (uint64_t{1} << 63) - 1,
                                    (uint64_t{1} << 53) + 1,
                                    (uint64_t{1} << 53) - 1};
    const uint64_t top = two64_minus_1 / d * d;  // the largest multiple of d
    for (uint64_t multiple : {top, top - d, (uint64_t{1} << 53) / d * d, (uint64_t{1} << 63) / d * d}) {
      hashes.insert(hashes.end(), {multiple - 1, multiple, multiple + 1});
    }
    while (hashes.size() < 67) hashes.push_back(random.next());
    std::vector<uint64_t> mixed(hashes.size());
    for (size_t i = 0; i < hashes.size(); ++i) {
      mixed[i] = mixed_for_hash(prefix, hashes[i]);
      REQUIRE(fingerprint_cat64_mixed(prefix, mixed[i]) == hashes[i]);  // the test's own inversion
    }
    // Every length up to the whole list: tails below, at and above the tile.
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{17}, hashes.size()}) {
      std::vector<uint32_t> got(n + 1, 0xEEEEEEEEu), expected(n + 1, 0xEEEEEEEEu);
      k.cross_indices(prefix, mixed.data(), n, &buckets, offset, got.data());
      ref.cross_indices(prefix, mixed.data(), n, &buckets, offset, expected.data());
      for (size_t i = 0; i < n; ++i) {
        INFO("hash " << hashes[i]);
        REQUIRE(got[i] == static_cast<uint32_t>(offset + hashes[i] % d));
        REQUIRE(expected[i] == got[i]);
      }
      CHECK(got[n] == 0xEEEEEEEEu);  // nothing written past n
    }
  }
}

}  // namespace

TEST_CASE("every kernel variant this CPU runs matches the scalar reference") {
  const KernelTable& ref = kernel_table_reference();
  const CpuFeatures cpu = detect_cpu_features();
  int tested = 0;
  std::string tested_names;
  for (const KernelTable* table : all_kernel_tables()) {
    if (!cpu_supports(cpu, table->isa)) {
      MESSAGE("skipped kernels '" << std::string(table->isa) << "': this CPU lacks the instructions");
      continue;
    }
    INFO("kernels: " << std::string(table->isa));
    // One check per entry of the kernel list: a kernel without a check does
    // not compile.
#define BARISTA_CHECK_KERNEL(name, ret, params) check_##name(*table, ref);
    BARISTA_KERNEL_LIST(BARISTA_CHECK_KERNEL)
#undef BARISTA_CHECK_KERNEL
    MESSAGE("kernels '" << std::string(table->isa) << "' match the reference");
    ++tested;
    tested_names += std::string(" ") + table->isa;
  }
  CHECK(tested >= 1);
#if defined(__aarch64__)
  // Advanced SIMD is part of AArch64: its variant always runs, under qemu too.
  CHECK(tested_names.find(" neon") != std::string::npos);
#endif
}

TEST_CASE("the ISA list, the kernel tables and cpu_supports agree") {
  // A CPU with every feature the list names runs every variant of this build.
  CpuFeatures every;
#define BARISTA_SET_FEATURE(isa, cpu_feature) every.cpu_feature = true;
  BARISTA_ISA_LIST(BARISTA_SET_FEATURE)
#undef BARISTA_SET_FEATURE
  const CpuFeatures baseline_only;
  std::string names;
  for (const KernelTable* table : all_kernel_tables()) {
    INFO("kernels: " << std::string(table->isa));
    CHECK(cpu_supports(every, table->isa));
    names += std::string(", ") + table->isa;
  }
  REQUIRE(!all_kernel_tables().empty());
  CHECK(std::string(all_kernel_tables().front()->isa) == "reference");
  CHECK(std::string(BARISTA_KERNEL_CHOICES) == "auto" + names);
  // Each variant is tied to its own feature: with that one cleared, the
  // variant is not run (unless it needs only the baseline).
#define BARISTA_CHECK_FEATURE(isa, cpu_feature)                            \
  {                                                                        \
    CpuFeatures lacking = every;                                           \
    lacking.cpu_feature = false;                                           \
    CHECK_FALSE(cpu_supports(lacking, #isa));                              \
    CHECK(cpu_supports(baseline_only, #isa) == baseline_only.cpu_feature); \
  }
  BARISTA_ISA_LIST(BARISTA_CHECK_FEATURE)
#undef BARISTA_CHECK_FEATURE
  CHECK(cpu_supports(baseline_only, "reference"));
  CHECK(cpu_supports(detect_cpu_features(), "reference"));
#if defined(__x86_64__)
  CHECK(cpu_supports(every, "avx2"));
  CHECK_FALSE(cpu_supports(every, "neon"));  // another architecture's variant
#elif defined(__aarch64__)
  // Advanced SIMD is part of AArch64: every CPU runs the NEON variant.
  CHECK(cpu_supports(baseline_only, "neon"));
  CHECK(cpu_supports(detect_cpu_features(), "neon"));
  CHECK_FALSE(cpu_supports(every, "avx2"));
#endif
  for (const char* unknown : {"", "auto", "quantum", "AVX2", "reference ", "neon2"}) {
    INFO("name: '" << unknown << "'");
    CHECK_FALSE(cpu_supports(every, unknown));
  }
}

TEST_CASE("kernel selection: auto picks a supported variant; unknown and unsupported names give a status") {
  const KernelTable* table = nullptr;
  REQUIRE(select_kernels(nullptr, &table).ok());
  CHECK(cpu_supports(detect_cpu_features(), table->isa));
  REQUIRE(select_kernels("reference", &table).ok());
  CHECK(std::string(table->isa) == "reference");
  const Status unknown = select_kernels("quantum", &table);
  CHECK(unknown.code() == BARISTA_STATUS_UNSUPPORTED);
  CHECK(unknown.message().find("quantum") != std::string::npos);
  for (const KernelTable* t : all_kernel_tables()) {
    const Status s = select_kernels(t->isa, &table);
    CHECK(s.ok() == cpu_supports(detect_cpu_features(), t->isa));
  }
}
