#include "common/fast_mod.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "common/random.h"

namespace barista::internal {

TEST_CASE("FastMod equals the % operator for every kind of divisor and dividend") {
  std::vector<uint64_t> divisors = {1,
                                    2,
                                    3,
                                    7,
                                    100000,
                                    (1u << 18),
                                    (1u << 20) - 1,
                                    (1u << 22),
                                    2147483647u,
                                    2147483648u,
                                    4294967295u,
                                    4294967296u,
                                    0xDECAFCAFFEULL,
                                    (uint64_t{1} << 63) - 1,
                                    uint64_t{1} << 63,
                                    ~uint64_t{0}};
  Random random(7);
  for (int i = 0; i < 200; ++i) divisors.push_back(1 + random.next() % (uint64_t{1} << (1 + random.next() % 63)));
  const std::vector<uint64_t> edges = {
      0, 1, 2, 0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, ~uint64_t{0}, ~uint64_t{0} - 1};
  for (uint64_t d : divisors) {
    const FastMod fast(d);
    CHECK(fast.divisor() == d);
    for (uint64_t a : edges) REQUIRE(fast.mod(a) == a % d);
    for (uint64_t k : {uint64_t{1}, uint64_t{2}, uint64_t{12345}}) {
      const uint64_t multiple = d * k;  // exact multiples and their neighbours (may wrap: still a test value)
      REQUIRE(fast.mod(multiple) == multiple % d);
      REQUIRE(fast.mod(multiple - 1) == (multiple - 1) % d);
      REQUIRE(fast.mod(multiple + 1) == (multiple + 1) % d);
    }
    for (int j = 0; j < 2000; ++j) {
      const uint64_t a = random.next();
      REQUIRE(fast.mod(a) == a % d);
    }
  }
}

}  // namespace barista::internal
