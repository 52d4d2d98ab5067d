#include "train/ftrl.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace barista::internal;

namespace {

TEST_CASE("FTRL step: two steps against the formula worked by hand") {
  FtrlConfig c;
  c.learning_rate = 0.5;
  c.beta = 1.0;
  c.l1 = 0.1;
  c.l2 = 0.2;
  double z = 0.0, n = 0.0;
  // g 0.3: n 0.09, sigma 0.6, z 0.3, w -(0.3 - 0.1) / ((1 + 0.3) / 0.5 + 0.4).
  float w = ftrl_step(0.3f, &z, &n, 0.0f, c);
  CHECK(w == doctest::Approx(-0.2 / 3.0).epsilon(1e-6));
  // g -0.4: n 0.25, sigma 0.4, z 0.3 - 0.4 + 0.4 * 0.2 / 3 = -0.07333, inside l1.
  w = ftrl_step(-0.4f, &z, &n, w, c);
  CHECK(z == doctest::Approx(-0.1 + 0.08 / 3.0).epsilon(1e-6));
  CHECK(n == doctest::Approx(0.25).epsilon(1e-6));
  CHECK(w == 0.0f);
}

TEST_CASE("FTRL step: the tiny gradients of a confident model give finite weights") {
  FtrlConfig c;  // beta, l1, l2 0: the weight is -alpha z / sqrt(n)
  double z = 0.0, n = 0.0;
  // One step of any size moves by alpha (the per-coordinate rate's scale
  // invariance); g^2 = 1e-50 is far below float's range.
  float w = ftrl_step(1e-25f, &z, &n, 0.0f, c);
  CHECK(w == doctest::Approx(-c.learning_rate).epsilon(1e-6));
  for (int i = 0; i < 100; ++i) {
    w = ftrl_step(i % 3 == 0 ? -4e-24f : 1e-26f, &z, &n, w, c);
    REQUIRE(std::isfinite(w));
    CHECK(std::fabs(w) <= 10.0 * c.learning_rate);
  }
  // The smallest float there is still squares to a positive double.
  double z2 = 0.0, n2 = 0.0;
  CHECK(ftrl_step(1e-45f, &z2, &n2, 0.0f, c) == doctest::Approx(-c.learning_rate).epsilon(1e-6));
  CHECK(n2 > 0.0);
  // No gradient yet: no weight, not 0 / 0.
  double z3 = 0.0, n3 = 0.0;
  CHECK(ftrl_step(0.0f, &z3, &n3, 0.0f, c) == 0.0f);
}

}  // namespace
