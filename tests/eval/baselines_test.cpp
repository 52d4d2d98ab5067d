// EASE and item-kNN against brute-force references written here (a plain
// Gauss-Jordan inverse, cosine similarities by counting), on a tiny log.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "eval/baselines.h"
#include "support/temp_dir.h"

using namespace barista::internal;
using barista_test::TempDir;

namespace {

// Six users over five items; each user's last row is the test target.
struct TinyLog {
  TempDir dir;
  Dataset data;
  Split split;
  TinyLog() {
    dir.write("log.csv",
              "u,i,t\n"
              "u1,a,1\nu1,b,2\nu1,c,3\nu1,d,4\n"
              "u2,a,1\nu2,b,2\nu2,e,3\n"
              "u3,b,1\nu3,c,2\nu3,a,3\n"
              "u4,c,1\nu4,d,2\nu4,b,3\n"
              "u5,a,1\nu5,c,2\nu5,e,3\nu5,d,4\n"
              "u6,d,1\nu6,e,2\nu6,c,3\n");
    TrainConfig config;
    REQUIRE(parse_train_config(
                R"({"data": {"interactions": {"path": "log.csv", "user": "u", "item": "i", "time": "t"}}})",
                dir.path(), &config)
                .ok());
    REQUIRE(load_dataset(config, &data).ok());
    split = make_split(data, TrainingConfig::Holdout::Last, false);
  }
  // The binary user x item matrix of the training rows, by counting.
  std::vector<std::vector<double>> x() const {
    std::vector<std::vector<double>> m(data.user_count(), std::vector<double>(data.item_count(), 0.0));
    for (size_t j = 0; j < data.interactions.size(); ++j) {
      if (split.in_training[j]) m[data.interactions[j].user][data.interactions[j].item] = 1.0;
    }
    return m;
  }
};

std::vector<std::vector<double>> inverse(std::vector<std::vector<double>> a) {
  const size_t n = a.size();
  std::vector<std::vector<double>> inv(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) inv[i][i] = 1.0;
  for (size_t c = 0; c < n; ++c) {
    size_t pivot = c;
    for (size_t r = c + 1; r < n; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
    }
    std::swap(a[c], a[pivot]);
    std::swap(inv[c], inv[pivot]);
    const double d = a[c][c];
    for (size_t k = 0; k < n; ++k) {
      a[c][k] /= d;
      inv[c][k] /= d;
    }
    for (size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r][c];
      for (size_t k = 0; k < n; ++k) {
        a[r][k] -= f * a[c][k];
        inv[r][k] -= f * inv[c][k];
      }
    }
  }
  return inv;
}

// The target's 0-based rank among the items the user had not had, ties to
// the lower index.
int64_t rank_of(const std::vector<double>& scores, const std::vector<double>& had, uint32_t target) {
  int64_t rank = 0;
  for (uint32_t i = 0; i < scores.size(); ++i) {
    if (had[i] > 0 || i == target) continue;
    if (scores[i] > scores[target] || (scores[i] == scores[target] && i < target)) ++rank;
  }
  return rank;
}

}  // namespace

TEST_CASE("EASE: the closed form against a brute-force inverse, and the ranks it gives") {
  TinyLog log;
  const auto x = log.x();
  const size_t n = log.data.item_count();
  REQUIRE(n == 5);
  CoOccurrence g;
  REQUIRE(co_occurrence(log.data, log.split, &g).ok());
  const double lambda = 2.0;
  std::vector<std::vector<double>> gram(n, std::vector<double>(n, 0.0));
  for (const auto& row : x) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) gram[i][j] += row[i] * row[j];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) CHECK(g.counts[i * n + j] == gram[i][j]);
    gram[i][i] += lambda;
  }
  const auto p = inverse(gram);
  ItemItemWeights weights;
  REQUIRE(fit_ease(g, lambda, 2, &weights).ok());
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const double expected = i == j ? 0.0 : -p[i][j] / p[j][j];
      CHECK(weights.weights[i * n + j] == doctest::Approx(expected).epsilon(1e-5));
    }
  }
  // Ranks: scores x_u B, the user's training items excluded.
  EvalOptions options;
  options.k = 2;
  std::vector<UserResult> per_user;
  const EvalMetrics m = evaluate_item_item(log.data, log.split, log.split.test, weights, options, &per_user);
  REQUIRE(per_user.size() == 6);
  double hits = 0.0;
  for (const UserResult& r : per_user) {
    std::vector<double> scores(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) scores[j] += x[r.user][i] * (i == j ? 0.0 : -p[i][j] / p[j][j]);
    }
    CAPTURE(r.user);
    CHECK(r.rank == rank_of(scores, x[r.user], r.target));
    hits += r.rank < 2 ? 1.0 : 0.0;
  }
  CHECK(m.users == 6);
  CHECK(m.hit_rate == doctest::Approx(hits / 6.0));
}

TEST_CASE("EASE: a catalog of several blocks, on one thread and on three, against a brute-force inverse") {
  // 300 items: three of the solve's 128-item blocks, the last one partial.
  const size_t n = 300, users = 500;
  std::vector<std::vector<double>> x(users, std::vector<double>(n, 0.0));
  uint64_t state = 12345;
  for (auto& row : x) {
    for (double& v : row) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      v = (state >> 33) % 100 < 4 ? 1.0 : 0.0;
    }
  }
  CoOccurrence g;
  g.items = n;
  g.counts.assign(n * n, 0.0);
  std::vector<std::vector<double>> gram(n, std::vector<double>(n, 0.0));
  for (const auto& row : x) {
    for (size_t i = 0; i < n; ++i) {
      if (row[i] == 0.0) continue;
      for (size_t j = 0; j < n; ++j) gram[i][j] += row[j];
    }
  }
  const double lambda = 5.0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) g.counts[i * n + j] = gram[i][j];
    gram[i][i] += lambda;
  }
  const auto p = inverse(gram);
  ItemItemWeights one, three;
  REQUIRE(fit_ease(g, lambda, 1, &one).ok());
  REQUIRE(fit_ease(g, lambda, 3, &three).ok());
  CHECK(one.weights == three.weights);
  size_t off = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const double expected = i == j ? 0.0 : -p[i][j] / p[j][j];
      if (std::fabs(double{one.weights[i * n + j]} - expected) > 1e-5 + 1e-4 * std::fabs(expected)) ++off;
    }
  }
  CHECK(off == 0);
}

TEST_CASE("item-kNN: cosine neighbors by brute force, each item keeping its k most similar") {
  TinyLog log;
  const auto x = log.x();
  const size_t n = log.data.item_count();
  CoOccurrence g;
  REQUIRE(co_occurrence(log.data, log.split, &g).ok());
  for (uint32_t k : {1u, 2u, 10u}) {
    CAPTURE(k);
    const ItemItemWeights weights = fit_item_knn(g, k);
    for (size_t j = 0; j < n; ++j) {
      // Cosine of item columns, by counting users.
      std::vector<std::pair<double, size_t>> similar;
      for (size_t i = 0; i < n; ++i) {
        double both = 0, ni = 0, nj = 0;
        for (const auto& row : x) {
          both += row[i] * row[j];
          ni += row[i];
          nj += row[j];
        }
        if (i != j && both > 0) similar.emplace_back(both / std::sqrt(ni * nj), i);
      }
      std::sort(similar.begin(), similar.end(),
                [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
      std::vector<double> expected(n, 0.0);
      for (size_t t = 0; t < std::min<size_t>(k, similar.size()); ++t) expected[similar[t].second] = similar[t].first;
      for (size_t i = 0; i < n; ++i) {
        CAPTURE(i);
        CAPTURE(j);
        CHECK(weights.weights[i * n + j] == doctest::Approx(expected[i]).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("baselines: settings chosen on validation targets, a refusal above the item limit") {
  TinyLog log;
  const Split validation = make_split(log.data, TrainingConfig::Holdout::Last, true);
  EvalOptions options;
  options.k = 2;
  const BaselineResult ease = select_ease(log.data, validation, log.split, {1.0, 10.0, 100.0}, options);
  CHECK(ease.error.empty());
  REQUIRE(ease.validation_hr.size() == 3);
  const double best = *std::max_element(ease.validation_hr.begin(), ease.validation_hr.end());
  const size_t first_best = static_cast<size_t>(
      std::find(ease.validation_hr.begin(), ease.validation_hr.end(), best) - ease.validation_hr.begin());
  CHECK(ease.chosen == ease.tried[first_best]);
  CHECK(ease.metrics.users == 6);
  CHECK(ease.per_user.size() == 6);
  // The chosen lambda's test figures are what fitting it directly gives.
  CoOccurrence g;
  REQUIRE(co_occurrence(log.data, log.split, &g).ok());
  ItemItemWeights weights;
  REQUIRE(fit_ease(g, ease.chosen, 1, &weights).ok());
  CHECK(ease.metrics.hit_rate == evaluate_item_item(log.data, log.split, log.split.test, weights, options).hit_rate);

  // More items than the dense matrices take: refused with a message, before
  // anything is allocated for them.
  Dataset big = log.data;
  for (size_t i = big.item_ids.size(); i <= kMaxItemItemItems; ++i) big.item_ids.push_back("x" + std::to_string(i));
  const BaselineResult refused = select_item_knn(big, validation, log.split, {5}, options);
  CHECK(refused.error.find("more than the dense item x item baselines take (12000") != std::string::npos);
}
