// A deterministic synthetic coffee-shop log with planted structure, for the
// quick start and the tests: users with latent tastes (and a region that
// hints at them), menu items with categories, prices and a long-tailed
// popularity, sessions over time at different hours, baskets whose items go
// together (a pastry after a coffee), and repeat purchases. A model that
// learns tastes, pairings and hours beats the popularity baseline clearly.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace barista::internal {

struct SynthOptions {
  uint32_t users = 2000;
  uint32_t sessions_per_user = 8;  // on average
  uint64_t seed = 1;
};

struct SynthSummary {
  uint32_t users = 0;
  uint32_t items = 0;
  uint64_t interactions = 0;
};

// Writes interactions.csv, items.csv, users.csv and a training config
// (config.json, paths relative to it) into `directory` (created if needed).
Status write_synthetic_data(const SynthOptions& options, const std::string& directory, SynthSummary* summary);

}  // namespace barista::internal
