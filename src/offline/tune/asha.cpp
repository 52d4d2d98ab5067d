#include "tune/asha.h"

#include <algorithm>

namespace barista::internal {

std::vector<uint32_t> rung_epochs(uint32_t min_epochs, uint32_t eta, uint32_t epochs) {
  std::vector<uint32_t> rungs;
  if (min_epochs == 0 || eta < 2) return rungs;
  for (uint64_t r = min_epochs; r < epochs; r *= eta) rungs.push_back(static_cast<uint32_t>(r));
  return rungs;
}

bool continues_at_rung(double value, const std::vector<double>& earlier, uint32_t eta) {
  const size_t n = earlier.size() + 1;
  const size_t keep = std::max<size_t>(1, n / std::max<uint32_t>(eta, 1));
  const size_t better = static_cast<size_t>(std::count_if(earlier.begin(), earlier.end(), [&](double v) {
    return v > value;
  }));
  return better < keep;
}

double value_at_rung(const std::vector<double>& validation_hr, uint32_t epochs) {
  if (validation_hr.size() < epochs || epochs == 0) return -1.0;
  return *std::max_element(validation_hr.begin(), validation_hr.begin() + epochs);
}

}  // namespace barista::internal
