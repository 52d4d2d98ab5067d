#include "tune/tpe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace barista::internal {

uint64_t TuneRandom::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double TuneRandom::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double TuneRandom::uniform(double low, double high) { return low + (high - low) * uniform(); }

double TuneRandom::normal() {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const double u = 1.0 - uniform();
  const double v = uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
}

size_t TuneRandom::index(size_t n) { return static_cast<size_t>(uniform() * static_cast<double>(n)) % n; }

namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;

double normal_cdf(double z) { return 0.5 * std::erfc(-z * kInvSqrt2); }

// A Parzen mixture over [low, high]: Gaussians at the observations and one
// prior component (centre of the range, width of the range), each
// truncated to the range; bandwidths as hyperopt's adaptive Parzen
// estimator: the larger distance to a neighbour, clipped to
// [range / min(100, n + 1), range].
struct Parzen {
  std::vector<double> mu, sigma, mass;  // mass: of each truncated component inside the range
  double low = 0, high = 0;

  Parzen(std::vector<double> points, double lo, double hi) : low(lo), high(hi) {
    const double range = std::max(hi - lo, 1e-12);
    points.push_back(0.5 * (lo + hi));
    std::vector<size_t> order(points.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return points[a] < points[b]; });
    mu = points;
    sigma.assign(points.size(), range);
    const double min_sigma = range / std::min(100.0, static_cast<double>(points.size()));
    for (size_t r = 0; r < order.size(); ++r) {
      const size_t i = order[r];
      const double left = r > 0 ? points[i] - points[order[r - 1]] : points[i] - lo;
      const double right = r + 1 < order.size() ? points[order[r + 1]] - points[i] : hi - points[i];
      sigma[i] = std::clamp(std::max(left, right), min_sigma, range);
    }
    sigma.back() = range;  // the prior
    mass.resize(mu.size());
    for (size_t i = 0; i < mu.size(); ++i) {
      mass[i] = std::max(normal_cdf((hi - mu[i]) / sigma[i]) - normal_cdf((lo - mu[i]) / sigma[i]), 1e-12);
    }
  }

  double density(double x) const {
    double sum = 0;
    for (size_t i = 0; i < mu.size(); ++i) {
      const double z = (x - mu[i]) / sigma[i];
      sum += std::exp(-0.5 * z * z) / (sigma[i] * mass[i]);
    }
    return sum / static_cast<double>(mu.size());
  }

  double sample(TuneRandom* random) const {
    const size_t c = random->index(mu.size());
    for (int attempt = 0; attempt < 64; ++attempt) {
      const double x = mu[c] + sigma[c] * random->normal();
      if (x >= low && x <= high) return x;
    }
    return std::clamp(mu[c], low, high);
  }
};

double random_x(const Parameter& p, TuneRandom* random) {
  double low = 0, high = 0;
  model_range(p, &low, &high);
  if (p.kind == Parameter::Kind::Choice) return static_cast<double>(random->index(p.options.size()));
  if (p.kind == Parameter::Kind::Int) return std::floor(random->uniform(low, high + 1.0));
  return random->uniform(low, high);
}

// The observations' coordinates of parameter `id`, split into the good and
// the bad ones by objective.
void split_observations(const std::vector<Observation>& history, const std::string& id, std::vector<double>* good,
                        std::vector<double>* bad) {
  std::vector<std::pair<double, double>> seen;  // (objective, x), in trial order
  for (const Observation& o : history) {
    for (const ParameterValue& v : o.params) {
      if (v.id == id) seen.emplace_back(o.objective, v.x);
    }
  }
  // Best first; ties keep trial order, so the split is deterministic.
  std::stable_sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const size_t n_good =
      std::min(seen.size(), static_cast<size_t>(std::ceil(0.25 * std::sqrt(static_cast<double>(seen.size())))));
  for (size_t i = 0; i < seen.size(); ++i) (i < n_good ? good : bad)->push_back(seen[i].second);
}

double tpe_x(const Parameter& p, const std::vector<Observation>& history, uint32_t candidates, TuneRandom* random) {
  std::vector<double> good, bad;
  split_observations(history, p.id, &good, &bad);
  if (good.empty() || bad.empty()) return random_x(p, random);
  double low = 0, high = 0;
  model_range(p, &low, &high);
  if (p.kind == Parameter::Kind::Choice) {
    // Categorical densities with one pseudo-count per option (the prior).
    const size_t k = p.options.size();
    std::vector<double> l(k, 1.0), g(k, 1.0);
    for (double x : good) l[static_cast<size_t>(x)] += 1.0;
    for (double x : bad) g[static_cast<size_t>(x)] += 1.0;
    double l_sum = 0, g_sum = 0;
    for (size_t i = 0; i < k; ++i) l_sum += l[i], g_sum += g[i];
    double best_x = 0, best_score = -std::numeric_limits<double>::infinity();
    for (uint32_t c = 0; c < candidates; ++c) {
      double u = random->uniform() * l_sum;
      size_t option = 0;
      while (option + 1 < k && u >= l[option]) u -= l[option++];
      const double score = std::log(l[option] / l_sum) - std::log(g[option] / g_sum);
      if (score > best_score) best_score = score, best_x = static_cast<double>(option);
    }
    return best_x;
  }
  // Integers are modelled on [low - 0.5, high + 0.5] and rounded.
  if (p.kind == Parameter::Kind::Int) low -= 0.5, high += 0.5;
  const Parzen l(good, low, high);
  const Parzen g(bad, low, high);
  double best_x = l.sample(random), best_score = -std::numeric_limits<double>::infinity();
  for (uint32_t c = 0; c < candidates; ++c) {
    const double x = c == 0 ? best_x : l.sample(random);
    const double score = std::log(l.density(x) + 1e-300) - std::log(g.density(x) + 1e-300);
    if (score > best_score) best_score = score, best_x = x;
  }
  return best_x;
}

void draw(const std::vector<Parameter>& parameters, const std::vector<Observation>& history, bool model_based,
          uint32_t candidates, TuneRandom* random, Assignment* out) {
  for (const Parameter& p : parameters) {
    const double x = model_based ? tpe_x(p, history, candidates, random) : random_x(p, random);
    ParameterValue v = value_at(p, x);
    const size_t option = static_cast<size_t>(v.x);
    out->push_back(std::move(v));
    if (p.kind == Parameter::Kind::Choice) {
      draw(p.options[option].nested, history, model_based, candidates, random, out);
    }
  }
}

}  // namespace

Assignment propose(const SearchSpace& space, const std::vector<Observation>& history, uint32_t number,
                   const ProposeOptions& options) {
  // One stream per trial number: proposals do not depend on how many draws
  // earlier trials made.
  const uint64_t seed_hash = TuneRandom(options.seed).next();
  TuneRandom random(TuneRandom(seed_hash ^ (uint64_t{number} * 0xd1b54a32d192ed03ULL)).next());
  Assignment out;
  draw(space.parameters, history, number >= options.startup, options.candidates, &random, &out);
  return out;
}

}  // namespace barista::internal
