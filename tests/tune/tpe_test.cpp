// The search: proposals are a function of the seed, the trial number and
// the history; they respect the space (bounds, integers, branches); and on
// a synthetic objective TPE finds better values than random search.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "config/config_edit.h"
#include "tune/search_space.h"
#include "tune/tpe.h"

using namespace barista::internal;

namespace {

SearchSpace test_space() {
  SearchSpace space;
  REQUIRE(parse_search_space(R"({
      "lr": {"loguniform": [1e-5, 1e-1]},
      "n": {"int": [1, 64]},
      "kind": {"choice": ["a", {"value": "b", "space": {"b_only": {"uniform": [0, 1]}}}, "c"]}})",
                             &space)
              .ok());
  return space;
}

double value_of(const Assignment& a, const std::string& key) {
  for (const ParameterValue& v : a) {
    if (v.key == key) return v.value.number;
  }
  return NAN;
}

std::string text_of(const Assignment& a) {
  std::string s;
  for (const ParameterValue& v : a) s += v.id + "=" + json::serialize(v.value) + ";";
  return s;
}

// Best when lr = 1e-3, n = 40 and kind = "b" with b_only near 0.7.
double objective(const Assignment& a) {
  double f = -std::pow(std::log10(value_of(a, "lr")) + 3.0, 2) - std::pow((value_of(a, "n") - 40) / 20.0, 2);
  for (const ParameterValue& v : a) {
    if (v.key == "kind") f += v.value.string == "b" ? 0.0 : -0.5;
    if (v.key == "b_only") f -= std::pow(v.value.number - 0.7, 2);
  }
  return f;
}

double best_after(uint32_t trials, uint64_t seed, uint32_t startup) {
  const SearchSpace space = test_space();
  std::vector<Observation> history;
  double best = -1e300;
  ProposeOptions options;
  options.seed = seed;
  options.startup = startup;
  for (uint32_t t = 0; t < trials; ++t) {
    const Assignment a = propose(space, history, t, options);
    const double f = objective(a);
    best = std::max(best, f);
    history.push_back({a, f});
  }
  return best;
}

}  // namespace

TEST_CASE("tpe: the same seed, number and history give the same proposal; another seed another one") {
  const SearchSpace space = test_space();
  ProposeOptions options;
  options.seed = 5;
  options.startup = 3;
  std::vector<Observation> history;
  for (uint32_t t = 0; t < 12; ++t) {
    const Assignment a = propose(space, history, t, options);
    CHECK(text_of(a) == text_of(propose(space, history, t, options)));
    ProposeOptions other = options;
    other.seed = 6;
    CHECK(text_of(a) != text_of(propose(space, history, t, other)));
    history.push_back({a, objective(a)});
  }
}

TEST_CASE("tpe: proposals stay in bounds, integers are integers, nested keys only in their branch") {
  const SearchSpace space = test_space();
  ProposeOptions options;
  options.startup = 10;
  std::vector<Observation> history;
  size_t with_b = 0;
  for (uint32_t t = 0; t < 200; ++t) {
    const Assignment a = propose(space, history, t, options);
    const double lr = value_of(a, "lr"), n = value_of(a, "n");
    CHECK((lr >= 1e-5 && lr <= 1e-1));
    CHECK((n >= 1 && n <= 64 && n == std::floor(n)));
    std::string kind;
    for (const ParameterValue& v : a) {
      if (v.key == "kind") kind = v.value.string;
    }
    CHECK(std::isnan(value_of(a, "b_only")) == (kind != "b"));
    with_b += kind == "b";
    // Failed trials (objective -1 here is far below every real value) take part too.
    history.push_back({a, t % 7 == 3 ? -1e9 : objective(a)});
  }
  CHECK(with_b > 20);  // the branch is drawn, and TPE learns to prefer it
}

TEST_CASE("tpe: on a synthetic objective, better than random search with the same number of trials") {
  // Over 100 seeds, 40 trials each: TPE (10 random, then model-based)
  // against 40 random trials, compared by median best value.
  std::vector<double> tpe, random;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    tpe.push_back(best_after(40, seed, 10));
    random.push_back(best_after(40, seed, 40));
  }
  std::sort(tpe.begin(), tpe.end());
  std::sort(random.begin(), random.end());
  MESSAGE("median best: TPE " << tpe[50] << ", random " << random[50]);
  CHECK(tpe[50] > random[50]);
}
