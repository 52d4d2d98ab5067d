#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "common/half.h"

using namespace barista::internal;

TEST_CASE("half to float to half is the identity for every non-NaN half") {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      CHECK((h & 0x7c00u) == 0x7c00u);
      CHECK(std::isnan(half_to_float(float_to_half(f))));
      continue;
    }
    CAPTURE(h);
    CHECK(float_to_half(f) == h);
  }
}

TEST_CASE("float to half rounds to nearest even, overflows to infinity, keeps subnormals") {
  CHECK(float_to_half(1.0f) == 0x3c00);
  CHECK(float_to_half(-2.0f) == 0xc000);
  CHECK(float_to_half(65504.0f) == 0x7bff);               // largest half
  CHECK(float_to_half(65520.0f) == 0x7c00);               // rounds up to infinity
  CHECK(float_to_half(std::ldexp(1.0f, -24)) == 0x0001);  // smallest subnormal
  CHECK(float_to_half(std::ldexp(1.0f, -26)) == 0x0000);  // below half of it: zero
  CHECK(float_to_half(0.1f) == 0x2e66);
  // 1 + 2^-11 is exactly between 1 and the next half: ties to even (1.0).
  CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);
  // 1 + 3 * 2^-11 is between 1 + 2^-10 (odd) and 1 + 2^-9 (even): rounds up.
  CHECK(float_to_half(1.0f + 3.0f * std::ldexp(1.0f, -11)) == 0x3c02);
  CHECK(float_to_half(std::numeric_limits<float>::infinity()) == 0x7c00);
  CHECK(std::isnan(half_to_float(float_to_half(std::nanf("")))));
}
