// The overlay's memory: FTRL arithmetic, the hash tables under churn, the
// hard cap, LRU eviction and forgetting.
#include <doctest/doctest.h>

#include <cmath>
#include <list>
#include <map>

#include "overlay/overlay_store.h"
#include "support/test_models.h"

using namespace barista::internal;
using barista_test::TestRandom;

TEST_CASE("FTRL-Proximal steps match a hand computation") {
  OverlayStore store;
  FtrlParams params;
  params.alpha = 0.1f;
  params.beta = 1.0f;
  params.l1 = 0.0f;
  params.l2 = 0.0f;
  REQUIRE(OverlayStore::create(1 << 16, params, &store).ok());
  // Step 1, g = 0.5: n = 0.25, sigma = (0.5 - 0) / 0.1 = 5, z = 0.5 - 5 * 0 =
  // 0.5, w = -z / ((beta + sqrt(n)) / alpha) = -0.5 / 15.
  const OverlayStore::Entry& e1 = store.ftrl_step(7, 3, 0.5f);
  CHECK(e1.n == doctest::Approx(0.25));
  CHECK(e1.z == doctest::Approx(0.5));
  CHECK(e1.w == doctest::Approx(-0.5 / 15.0));
  // Step 2, g = -0.2: n = 0.29, sigma = (sqrt(0.29) - 0.5) / 0.1 = 0.385165,
  // z = 0.5 - 0.2 + 0.385165 / 30 = 0.312839, w = -0.312839 / 15.385165.
  const OverlayStore::Entry& e2 = store.ftrl_step(7, 3, -0.2f);
  CHECK(e2.n == doctest::Approx(0.29));
  CHECK(e2.z == doctest::Approx(0.3128388));
  CHECK(e2.w == doctest::Approx(-0.0203338).epsilon(1e-5));
  CHECK(store.weight(7, 3) == e2.w);
  CHECK(store.weight(7, 4) == 0.0f);
  CHECK(store.weight(8, 3) == 0.0f);

  // L1 keeps a weight at zero until |z| exceeds it; L2 shrinks it:
  // w = -(z - l1) / ((beta + sqrt(n)) / alpha + 2 l2).
  OverlayStore sparse;
  params.l1 = 0.6f;
  params.l2 = 0.5f;
  REQUIRE(OverlayStore::create(1 << 16, params, &sparse).ok());
  CHECK(sparse.ftrl_step(1, 1, 0.5f).w == 0.0f);  // |z| = 0.5 <= 0.6
  const OverlayStore::Entry& e3 = sparse.ftrl_step(1, 1, 0.5f);
  // n = 0.5, sigma = (sqrt(0.5) - 0.5) / 0.1, z = 1.0 - sigma * 0.
  CHECK(e3.z == doctest::Approx(1.0));
  CHECK(e3.w == doctest::Approx(-(1.0 - 0.6) / ((1.0 + std::sqrt(0.5)) / 0.1 + 1.0)));
}

TEST_CASE("the store matches a reference map and LRU list under a long random stream, within its cap") {
  OverlayStore store;
  const size_t limit = 64 * 1024;
  REQUIRE(OverlayStore::create(limit, FtrlParams(), &store).ok());
  CHECK(store.memory_bytes() <= limit);
  CHECK(store.capacity() >= 512);
  // The reference: key -> (z, n), and recency order (front = most recent).
  std::map<std::pair<uint64_t, uint32_t>, std::pair<float, float>> reference;
  std::list<std::pair<uint64_t, uint32_t>> recency;
  TestRandom random(4);
  uint64_t evictions = 0;
  for (int step = 0; step < 200000; ++step) {
    const uint64_t user = random.below(300);
    if (random.below(500) == 0) {
      store.forget_user(user);
      for (auto it = reference.begin(); it != reference.end();)
        it = it->first.first == user ? reference.erase(it) : std::next(it);
      recency.remove_if([&](const auto& k) { return k.first == user; });
      continue;
    }
    const uint32_t index = static_cast<uint32_t>(random.below(2000));
    const float g = random.symmetric(1.0f);
    const auto key = std::make_pair(user, index);
    if (reference.count(key) == 0 && reference.size() == store.capacity()) {
      reference.erase(recency.back());  // the least recently updated goes
      recency.pop_back();
      ++evictions;
    }
    const OverlayStore::Entry& e = store.ftrl_step(user, index, g);
    reference[key] = {e.z, e.n};
    recency.remove(key);
    recency.push_front(key);
    REQUIRE(store.size() <= store.capacity());
  }
  CHECK(store.size() == reference.size());
  CHECK(store.evictions() == evictions);
  CHECK(evictions > 10000);
  // Same entries, same states, same order.
  auto expected = recency.rbegin();
  size_t users = 0;
  std::map<uint64_t, size_t> per_user;
  store.for_each_oldest_first([&](const OverlayStore::Entry& e) {
    REQUIRE(expected != recency.rend());
    CHECK(e.user == expected->first);
    CHECK(e.index == expected->second);
    CHECK(e.z == reference[*expected].first);
    CHECK(e.n == reference[*expected].second);
    ++per_user[e.user];
    ++expected;
  });
  for (const auto& [user, count] : per_user) {
    CHECK(store.user_entries(user) == count);
    size_t listed = 0;
    store.for_each_of_user(user, [&](const OverlayStore::Entry& e) {
      CHECK(e.user == user);
      ++listed;
    });
    CHECK(listed == count);
    ++users;
  }
  CHECK(store.users() == users);
}

TEST_CASE("forgetting a customer removes every one of their entries and nothing else") {
  OverlayStore store;
  REQUIRE(OverlayStore::create(1 << 16, FtrlParams(), &store).ok());
  for (uint32_t i = 0; i < 100; ++i) {
    store.ftrl_step(1, i, 0.1f);
    store.ftrl_step(2, i, -0.1f);
  }
  CHECK(store.forget_user(1) == 100);
  CHECK(store.user_entries(1) == 0);
  CHECK(store.size() == 100);
  store.for_each_oldest_first([](const OverlayStore::Entry& e) { CHECK(e.user == 2); });
  for (uint32_t i = 0; i < 100; ++i) CHECK(store.find(1, i) == nullptr);
  CHECK(store.forget_user(1) == 0);
}

TEST_CASE("a memory limit below the minimum or bad learning parameters are refused") {
  OverlayStore store;
  CHECK(OverlayStore::create(100, FtrlParams(), &store).code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  FtrlParams bad;
  bad.alpha = 0.0f;
  CHECK(OverlayStore::create(1 << 16, bad, &store).code() == BARISTA_STATUS_INVALID_ARGUMENT);
  bad = FtrlParams();
  bad.l1 = std::nanf("");
  CHECK(OverlayStore::create(1 << 16, bad, &store).code() == BARISTA_STATUS_INVALID_ARGUMENT);
}

TEST_CASE("any memory limit is kept, and most of it holds learned weights") {
  TestRandom random(5);
  std::vector<size_t> limits = {OverlayStore::kMinimumMemory, 1 << 20, (1 << 20) - 1, 3 << 20};
  for (int i = 0; i < 40; ++i) limits.push_back(OverlayStore::kMinimumMemory + random.below(64 << 20));
  for (size_t limit : limits) {
    OverlayStore store;
    REQUIRE(OverlayStore::create(limit, FtrlParams(), &store).ok());
    CAPTURE(limit);
    CHECK(store.memory_bytes() <= limit);
    CHECK(store.capacity() >= 48);
    // Entries take 40 bytes and their share of the tables at most 27 more.
    CHECK(static_cast<double>(store.capacity()) * 67.0 >= 0.5 * static_cast<double>(limit));
  }
  OverlayStore mib;
  REQUIRE(OverlayStore::create(1 << 20, FtrlParams(), &mib).ok());
  CHECK(mib.capacity() == 12288);
  // Filled past capacity: it stays at capacity, evicting.
  for (uint32_t i = 0; i < 20000; ++i) mib.ftrl_step(i % 97, i, 0.5f);
  CHECK(mib.size() == mib.capacity());
  CHECK(mib.evictions() == 20000 - mib.capacity());
}
