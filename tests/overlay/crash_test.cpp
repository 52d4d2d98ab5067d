// Crash safety of a persisted overlay: a child process learns and syncs in a
// loop, reporting each acknowledged sync through a pipe, and is killed with
// SIGKILL at a random moment, many times over. The moment is counted from an
// acknowledgement, not from the start, and the random delay is scaled to the
// measured time of one operation: a slow disk (fsync) or a sanitizer build
// changes how long the test takes, not what it covers. Every recovery must hold
// exactly the state of the acknowledged operations (or of one more: the
// child may have synced one whose acknowledgement the kill cut off) —
// compared weight by weight (z and n, bit for bit) with a reference that
// replayed the same operations in memory.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <tuple>
#include <vector>

#include "barista.h"
#include "capi/handles.h"
#include "support/temp_dir.h"
#include "support/test_models.h"

using namespace barista_test;

namespace {

constexpr int kUsers = 5;

// Operation s (1, 2, ...): mostly observations, every 16th forgets a customer
// (which makes the next sync compact: snapshot replaced, journal restarted).
barista_status apply(barista_overlay* overlay, barista_request* const* users, uint32_t items, uint64_t s) {
  if (s % 16 == 0) {
    const std::string user = "crash-user-" + std::to_string((s / 16) % kUsers);
    return barista_overlay_forget_user(overlay, user.c_str(), BARISTA_STRLEN);
  }
  const uint32_t item = static_cast<uint32_t>((s * 7) % items);
  return barista_overlay_observe(overlay, users[s % kUsers], item, s % 3 == 0 ? 0.0f : 1.0f, 1.0f);
}

constexpr uint64_t kReady = ~uint64_t{0};  // the child's first message

// The learned weights (z and n, bit for bit) and the customer memory.
struct State {
  std::map<std::pair<uint64_t, uint32_t>, std::tuple<uint32_t, uint32_t>> learned;
  std::map<uint64_t, std::vector<uint64_t>> remembered;
  bool operator==(const State& other) const { return learned == other.learned && remembered == other.remembered; }
  bool operator!=(const State& other) const { return !(*this == other); }
};

State state_of(const barista_overlay* overlay) {
  State state;
  overlay->overlay->store().for_each_oldest_first([&](const OverlayStore::Entry& e) {
    uint32_t z, n;
    std::memcpy(&z, &e.z, 4);
    std::memcpy(&n, &e.n, 4);
    state.learned[{e.user, e.index}] = {z, n};
  });
  overlay->overlay->memory().for_each_oldest_first([&](uint64_t user, Span<uint64_t> items) {
    state.remembered[user] = std::vector<uint64_t>(items.begin(), items.end());
  });
  return state;
}

// The child: recover, then apply operations from `next` on, syncing after
// each and writing its number to `ack`. Never returns.
[[noreturn]] void learn_until_killed(barista_model* model, const std::string& path, uint64_t next, int ack) {
  barista_overlay* overlay = nullptr;
  if (barista_overlay_open(model, path.c_str(), nullptr, &overlay, nullptr) != BARISTA_STATUS_OK) _exit(3);
  barista_request* users[kUsers];
  for (int u = 0; u < kUsers; ++u) {
    if (barista_request_create(model, &users[u]) != BARISTA_STATUS_OK) _exit(3);
    const std::string id = "crash-user-" + std::to_string(u);
    barista_request_set_user(users[u], id.c_str(), BARISTA_STRLEN);
  }
  barista_model_info info;
  barista_model_get_info(model, &info);
  // Recovered and ready: the parent's random delay starts now, so that a
  // slow start (a sanitizer build) does not eat it.
  const uint64_t ready = kReady;
  if (write(ack, &ready, sizeof ready) != static_cast<ssize_t>(sizeof ready)) _exit(6);
  for (uint64_t s = next;; ++s) {
    if (apply(overlay, users, static_cast<uint32_t>(info.item_count), s) != BARISTA_STATUS_OK) _exit(4);
    if (barista_overlay_sync(overlay) != BARISTA_STATUS_OK) _exit(5);
    if (write(ack, &s, sizeof s) != static_cast<ssize_t>(sizeof s)) _exit(6);
  }
}

}  // namespace

TEST_CASE("SIGKILL at random moments: every recovery holds exactly the synced operations") {
  std::vector<uint8_t> bytes;
  // A model with a history input: the customer memory is journaled too.
  REQUIRE(write_model(barista_test::random_test_model(31), WriteOptions(), &bytes).ok());
  barista_model* model = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
  barista_model_info info;
  barista_model_get_info(model, &info);
  TempDir dir;
  const std::string path = dir.file("learned");

  // The reference replays the same operations in memory.
  barista_overlay* reference = nullptr;
  REQUIRE(barista_overlay_open(model, nullptr, nullptr, &reference, nullptr) == BARISTA_STATUS_OK);
  barista_request* users[kUsers];
  for (int u = 0; u < kUsers; ++u) {
    REQUIRE(barista_request_create(model, &users[u]) == BARISTA_STATUS_OK);
    const std::string id = "crash-user-" + std::to_string(u);
    REQUIRE(barista_request_set_user(users[u], id.c_str(), BARISTA_STRLEN) == BARISTA_STATUS_OK);
  }
  uint64_t applied = 0;  // operations in the reference (= in the last recovery)
  TestRandom random(2024);
  // Acknowledgements the parent waits for before its random delay, summed
  // over the rounds: the operations the test covers at the least.
  uint64_t awaited = 0;
  double operation_us = 1000;  // measured time of one learn + sync, refined each round
  int kills_after_more = 0;    // rounds whose kill came after further acknowledged operations
  using Clock = std::chrono::steady_clock;
  for (int round = 0; round < 40; ++round) {
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(pipe_fds[0]);
      learn_until_killed(model, path, applied + 1, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    uint64_t first = 0;
    const bool started = read(pipe_fds[0], &first, sizeof first) == static_cast<ssize_t>(sizeof first);
    // Wait for 0-4 acknowledgements, then up to two operations' time: the
    // kill lands anywhere in the learning, the journal append, the fsync or
    // a compaction, and every round but the zero-wait ones makes progress.
    const uint64_t wait_for = random.below(5);
    uint64_t acked = applied, value = 0;
    const Clock::time_point ready_at = Clock::now();
    for (uint64_t i = 0; started && i < wait_for; ++i) {
      // A child that failed closes the pipe; its exit status is reported below.
      if (read(pipe_fds[0], &value, sizeof value) != static_cast<ssize_t>(sizeof value)) break;
      acked = value;
    }
    if (wait_for > 0) {
      const double elapsed_us = std::chrono::duration<double, std::micro>(Clock::now() - ready_at).count();
      operation_us = elapsed_us / static_cast<double>(wait_for);
    }
    awaited += wait_for;
    const uint64_t acked_before_delay = acked;
    if (started) usleep(static_cast<useconds_t>(random.below(static_cast<uint64_t>(2 * operation_us) + 1)));
    kill(child, SIGKILL);
    int wait_status = 0;
    REQUIRE(waitpid(child, &wait_status, 0) == child);
    CAPTURE(round);
    REQUIRE_MESSAGE(WIFSIGNALED(wait_status), "the child failed with exit code " << WEXITSTATUS(wait_status));
    REQUIRE((started && first == kReady));
    while (read(pipe_fds[0], &value, sizeof value) == static_cast<ssize_t>(sizeof value)) acked = value;
    close(pipe_fds[0]);
    kills_after_more += acked > acked_before_delay;

    barista_overlay* recovered = nullptr;
    barista_error error;
    REQUIRE_MESSAGE(barista_overlay_open(model, path.c_str(), nullptr, &recovered, &error) == BARISTA_STATUS_OK,
                    error.message);
    const State state = state_of(recovered);
    barista_overlay_free(recovered);
    // Every acknowledged operation is there...
    while (applied < acked) {
      REQUIRE(apply(reference, users, static_cast<uint32_t>(info.item_count), ++applied) == BARISTA_STATUS_OK);
    }
    if (state != state_of(reference)) {
      // ...and at most one more, synced but not acknowledged.
      REQUIRE(apply(reference, users, static_cast<uint32_t>(info.item_count), ++applied) == BARISTA_STATUS_OK);
    }
    CHECK(state == state_of(reference));
  }
  MESSAGE(applied << " operations (" << awaited << " awaited) over 40 kills; " << kills_after_more
                  << " kills came after operations acknowledged during the delay; one operation took " << operation_us
                  << " us");
  CHECK(applied >= awaited);
  CHECK(!state_of(reference).remembered.empty());
  CHECK(awaited >= 64);  // several compactions (every 16th operation forgets)
  for (barista_request* r : users) barista_request_free(r);
  barista_overlay_free(reference);
  barista_model_free(model);
}
