#include <doctest/doctest.h>

#include <cmath>

#include "eval/evaluate.h"
#include "support/temp_dir.h"

using namespace barista::internal;
using barista_test::TempDir;

TEST_CASE("AUC: the probability that a positive outranks a negative, ties counting half") {
  CHECK(area_under_curve({3, 4}, {1, 2}) == 1.0);
  CHECK(area_under_curve({1, 2}, {3, 4}) == 0.0);
  CHECK(area_under_curve({1}, {1}) == 0.5);
  CHECK(area_under_curve({2, 5}, {1, 3, 4}) == doctest::Approx(4.0 / 6.0));  // 2>1; 5>1,3,4
  CHECK(std::isnan(area_under_curve({}, {1})));
}

TEST_CASE("MostPop: ranks the training split's most frequent items, skipping what the user has seen") {
  TempDir dir;
  // Popularity in training: a 4, b 3, c 2, d 1 (every user's last row is
  // held out).
  dir.write("log.csv",
            "u,i,t\n"
            "u1,a,1\nu1,b,2\nu1,c,3\n"    // test c: a, b seen -> c is first -> rank 0
            "u2,a,1\nu2,b,2\nu2,d,3\n"    // test d: a, b seen -> c, d -> rank 1
            "u3,a,1\nu3,c,2\nu3,b,3\n"    // test b: a, c seen -> b first -> rank 0
            "u4,a,1\nu4,d,2\nu4,e,3\n"    // test e: never in training -> not in the top 2
            "u5,b,1\nu5,c,2\nu5,d,3\n");  // test d: b, c seen -> a, d -> rank 1
  TrainConfig config;
  REQUIRE(
      parse_train_config(R"({"data": {"interactions": {"path": "log.csv", "user": "u", "item": "i", "time": "t"}}})",
                         dir.path(), &config)
          .ok());
  Dataset data;
  REQUIRE(load_dataset(config, &data).ok());
  const Split split = make_split(data, TrainingConfig::Holdout::Last, false);
  EvalOptions options;
  options.k = 2;
  options.pointwise = false;
  const EvalMetrics m = evaluate_most_popular(data, split, split.test, options);
  CHECK(m.users == 5);
  CHECK(m.hit_rate == doctest::Approx(4.0 / 5.0));
  const double ndcg = (1.0 + 1.0 / std::log2(3.0) + 1.0 + 0.0 + 1.0 / std::log2(3.0)) / 5.0;
  CHECK(m.ndcg == doctest::Approx(ndcg));
  options.k = 1;
  CHECK(evaluate_most_popular(data, split, split.test, options).hit_rate == doctest::Approx(2.0 / 5.0));
}
