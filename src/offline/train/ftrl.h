// One coordinate of FTRL-Proximal, the wide part's optimizer.
#pragma once

#include <cmath>

#include "config/train_config.h"

namespace barista::internal {

// FTRL-Proximal, one coordinate (McMahan et al. 2013; TensorFlow's Ftrl with
// learning_rate_power -0.5: quadratic term (beta + sqrt(n)) / alpha + 2 l2).
// z and n are kept in double: with beta and l2 0 (the defaults) a weight is
// -alpha z / sqrt(n), and a confident model's gradients are tiny (1e-25 on
// MovieLens-small after seven epochs); in float, n = sum g^2 underflowed or
// lost its digits where z did not, and weights came out huge or infinite.
inline float ftrl_step(float gradient, double* z_state, double* n_state, float weight, const FtrlConfig& c) {
  const double g = static_cast<double>(gradient), w = static_cast<double>(weight);
  const double n_old = *n_state;
  const double n_new = n_old + g * g;
  const double sigma = (std::sqrt(n_new) - std::sqrt(n_old)) / c.learning_rate;
  const double z = *z_state + g - sigma * w;
  *z_state = z;
  *n_state = n_new;
  const double quadratic = (c.beta + std::sqrt(n_new)) / c.learning_rate + 2.0 * c.l2;
  // No quadratic term: n is 0 with beta and l2 0, so z is 0 too.
  if (std::fabs(z) <= c.l1 || !(quadratic > 0.0)) return 0.0f;
  const double sign = z < 0 ? -1.0 : 1.0;
  return static_cast<float>(-(z - sign * c.l1) / quadratic);
}

}  // namespace barista::internal
