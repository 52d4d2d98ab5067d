// TopK against a full sort by the same order, on streams with ties, NaN and
// infinities, for k below, at and above the stream's length.
#include "score/top_k.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "support/ranking.h"
#include "support/test_models.h"

using barista::internal::Scored;
using barista::internal::TopK;
using barista::internal::Vec;
using barista_test::ranks_before;
using barista_test::TestRandom;

TEST_CASE("top-k equals the first k of a full sort, ties, NaN and infinities included") {
  TestRandom random(77);
  TopK top;
  for (size_t n : {0, 1, 5, 64, 1000, 5000}) {
    for (size_t k : {0, 1, 2, 10, 60, 999, 6000}) {
      std::vector<Scored> stream(n);
      for (size_t i = 0; i < n; ++i) {
        // Few distinct values, so that ties (broken by the lower item) are common.
        float logit = static_cast<float>(random.below(50)) - 25.0f;
        const uint64_t special = random.below(40);
        if (special == 0) logit = std::numeric_limits<float>::quiet_NaN();
        if (special == 1) logit = std::numeric_limits<float>::infinity();
        if (special == 2) logit = -std::numeric_limits<float>::infinity();
        // Items are unique within a request and come in any order.
        stream[i] = Scored{logit, static_cast<uint32_t>(i * 7919 % 1000003)};
      }
      top.reset(k);
      for (const Scored& s : stream) top.push(s);
      Vec<Scored> got;
      top.finish(&got);

      std::vector<Scored> expected = stream;
      std::sort(expected.begin(), expected.end(), ranks_before);
      expected.resize(std::min(k, n));
      CAPTURE(n);
      CAPTURE(k);
      REQUIRE(got.size() == expected.size());
      for (size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].item == expected[i].item);
        CHECK((got[i].logit == expected[i].logit || (std::isnan(got[i].logit) && std::isnan(expected[i].logit))));
      }
    }
  }
}

TEST_CASE("top-k can be reused after finish") {
  TopK top;
  top.reset(2);
  for (uint32_t i = 0; i < 10; ++i) top.push(Scored{static_cast<float>(i), i});
  Vec<Scored> first;
  top.finish(&first);
  REQUIRE(first.size() == 2);
  CHECK(first[0].item == 9);
  CHECK(first[1].item == 8);
  // A stream of worse entries after finish: the old bar must not reject them.
  top.reset(3);
  for (uint32_t i = 0; i < 4; ++i) top.push(Scored{-1.0f - static_cast<float>(i), 100 + i});
  Vec<Scored> second;
  top.finish(&second);
  REQUIRE(second.size() == 3);
  CHECK(second[0].item == 100);
  CHECK(second[1].item == 101);
  CHECK(second[2].item == 102);
}

TEST_CASE("rank_key orders like ranks_before: NaN last, -0 equal to +0, ties by the lower item") {
  const float inf = std::numeric_limits<float>::infinity();
  const float values[] = {std::numeric_limits<float>::quiet_NaN(),
                          -inf,
                          -std::numeric_limits<float>::max(),
                          -1.5f,
                          -std::numeric_limits<float>::denorm_min(),
                          -0.0f,
                          0.0f,
                          std::numeric_limits<float>::denorm_min(),
                          1.0f,
                          std::numeric_limits<float>::max(),
                          inf};
  const uint32_t items[] = {0, 1, 7, 0xFFFFFFFEu, 0xFFFFFFFFu};
  for (float a : values) {
    for (float b : values) {
      for (uint32_t ia : items) {
        for (uint32_t ib : items) {
          const Scored x{a, ia}, y{b, ib};
          CAPTURE(a);
          CAPTURE(b);
          CAPTURE(ia);
          CAPTURE(ib);
          CHECK(ranks_before(x, y) == (TopK::rank_key(x) > TopK::rank_key(y)));
        }
      }
    }
  }
}
