// Customer memory: the last N items per customer, oldest first, the hard
// cap with least-recent eviction under churn, restore and forgetting.
#include <doctest/doctest.h>

#include <deque>
#include <list>
#include <map>
#include <vector>

#include "overlay/customer_memory.h"
#include "support/test_models.h"

using namespace barista::internal;
using barista_test::TestRandom;

namespace {

std::vector<uint64_t> items_of(const CustomerMemory& memory, uint64_t user) {
  const Span<uint64_t> recent = memory.recent(user);
  return std::vector<uint64_t>(recent.begin(), recent.end());
}

}  // namespace

TEST_CASE("customer memory keeps each customer's last N items, oldest first, duplicates included") {
  CustomerMemory memory;
  REQUIRE(CustomerMemory::create(1 << 16, 4, &memory).ok());
  CHECK(memory.enabled());
  CHECK(memory.recent(1).empty());
  memory.remember(1, 10);
  memory.remember(2, 20);
  memory.remember(1, 11);
  memory.remember(1, 10);
  CHECK(items_of(memory, 1) == std::vector<uint64_t>{10, 11, 10});
  CHECK(items_of(memory, 2) == std::vector<uint64_t>{20});
  memory.remember(1, 12);
  memory.remember(1, 13);  // the fifth: the oldest goes
  CHECK(items_of(memory, 1) == std::vector<uint64_t>{11, 10, 12, 13});
  CHECK(memory.customers() == 2);

  // Restore keeps the last `length` of what it is given; empty forgets.
  memory.restore(3, std::vector<uint64_t>{1, 2, 3, 4, 5, 6});
  CHECK(items_of(memory, 3) == std::vector<uint64_t>{3, 4, 5, 6});
  memory.restore(3, std::vector<uint64_t>{});
  CHECK(memory.recent(3).empty());

  CHECK(memory.forget(1));
  CHECK(!memory.forget(1));
  CHECK(memory.recent(1).empty());
  CHECK(items_of(memory, 2) == std::vector<uint64_t>{20});
  CHECK(memory.customers() == 1);
}

TEST_CASE("customer memory: off, too small, and the documented capacity") {
  CustomerMemory off;
  REQUIRE(CustomerMemory::create(0, 50, &off).ok());
  off.remember(1, 2);
  CHECK(!off.enabled());
  CHECK(off.recent(1).empty());
  CustomerMemory no_history;
  REQUIRE(CustomerMemory::create(1 << 20, 0, &no_history).ok());
  CHECK(!no_history.enabled());

  CustomerMemory tiny;
  const Status refused = CustomerMemory::create(100, 50, &tiny);
  CHECK(refused.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(refused.message().find("0 to turn it off") != std::string::npos);

  // barista.h: a customer takes 24 + 8 N bytes and its share of the hash
  // slots; 1 MiB holds 2,434 customers with N = 50.
  CustomerMemory mib;
  REQUIRE(CustomerMemory::create(1 << 20, 50, &mib).ok());
  CHECK(mib.capacity() == 2434);
  CHECK(mib.memory_bytes() <= size_t{1} << 20);
  CHECK(mib.capacity() * (24 + 8 * 50) <= mib.memory_bytes());
}

TEST_CASE("customer memory under churn: the hard cap, least-recent eviction, against a reference") {
  CustomerMemory memory;
  REQUIRE(CustomerMemory::create(4096, 3, &memory).ok());
  const size_t capacity = memory.capacity();
  REQUIRE(capacity >= 8);
  REQUIRE(memory.memory_bytes() <= 4096);
  // Reference: customers, most recent first, each with its last 3 items.
  std::list<uint64_t> order;
  std::map<uint64_t, std::deque<uint64_t>> items;
  TestRandom random(7);
  uint64_t evicted = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint64_t user = random.below(3 * capacity) + 1;
    if (random.below(10) == 0) {
      CHECK(memory.forget(user) == (items.count(user) == 1));
      order.remove(user);
      items.erase(user);
      continue;
    }
    const uint64_t item = random.below(1000);
    memory.remember(user, item);
    if (items.count(user) == 0 && items.size() == capacity) {
      items.erase(order.back());
      order.pop_back();
      ++evicted;
    }
    order.remove(user);
    order.push_front(user);
    std::deque<uint64_t>& mine = items[user];
    mine.push_back(item);
    if (mine.size() > 3) mine.pop_front();
  }
  CHECK(memory.evictions() == evicted);
  CHECK(memory.customers() == items.size());
  for (const auto& [user, mine] : items) {
    CHECK(items_of(memory, user) == std::vector<uint64_t>(mine.begin(), mine.end()));
  }
  std::vector<uint64_t> oldest_first;
  memory.for_each_oldest_first([&](uint64_t user, Span<uint64_t>) { oldest_first.push_back(user); });
  CHECK(oldest_first == std::vector<uint64_t>(order.rbegin(), order.rend()));
}
