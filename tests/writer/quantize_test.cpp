#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "common/half.h"
#include "support/test_models.h"
#include "writer/quantize.h"

using namespace barista::internal;
using barista_test::TestRandom;

TEST_CASE("int8 row-wise quantization errs by at most half a step per element") {
  TestRandom random(5);
  const size_t rows = 200, cols = 37;
  std::vector<float> values(rows * cols);
  for (size_t r = 0; r < rows; ++r) {
    const float spread = static_cast<float>(std::pow(10.0, static_cast<double>(r % 7) - 3.0));  // 1e-3 .. 1e3
    for (size_t c = 0; c < cols; ++c) values[r * cols + c] = random.symmetric(spread) + spread * 0.3f;
  }
  for (size_t c = 0; c < cols; ++c) values[5 * cols + c] = 0.25f;  // a constant row
  std::vector<uint8_t> q;
  std::vector<float> scale_bias;
  quantize_rows_q8(values.data(), rows, cols, &q, &scale_bias);
  REQUIRE(q.size() == rows * cols);
  REQUIRE(scale_bias.size() == 2 * rows);
  for (size_t r = 0; r < rows; ++r) {
    const float scale = scale_bias[2 * r], bias = scale_bias[2 * r + 1];
    for (size_t c = 0; c < cols; ++c) {
      const float v = values[r * cols + c];
      const float restored = scale * static_cast<float>(q[r * cols + c]) + bias;
      // Half a step, plus float rounding of the reconstruction itself.
      const float allowed = 0.5f * scale + 4e-7f * (std::fabs(v) + std::fabs(bias) + 255.0f * scale);
      CAPTURE(r);
      CAPTURE(c);
      CHECK(std::fabs(restored - v) <= allowed);
    }
  }
  // The constant row is exact.
  for (size_t c = 0; c < cols; ++c) {
    CHECK(scale_bias[2 * 5] * static_cast<float>(q[5 * cols + c]) + scale_bias[2 * 5 + 1] == 0.25f);
  }
}

TEST_CASE("int8 row-wise quantization uses the full 0..255 range of each row") {
  const std::vector<float> row = {-1.0f, 0.0f, 3.0f};
  std::vector<uint8_t> q;
  std::vector<float> scale_bias;
  quantize_rows_q8(row.data(), 1, 3, &q, &scale_bias);
  CHECK(q[0] == 0);
  CHECK(q[2] == 255);
  CHECK(scale_bias[1] == -1.0f);
  CHECK(scale_bias[0] == doctest::Approx(4.0f / 255.0f));
}

TEST_CASE("f16 quantization rounds each weight to the nearest half") {
  const std::vector<float> values = {0.1f, -3.25f, 1e-6f, 70000.0f};
  std::vector<uint16_t> half;
  quantize_f16(values.data(), values.size(), &half);
  CHECK(half_to_float(half[0]) == doctest::Approx(0.1f).epsilon(1e-3));
  CHECK(half_to_float(half[1]) == -3.25f);
  CHECK(std::isinf(half_to_float(half[3])));
}
