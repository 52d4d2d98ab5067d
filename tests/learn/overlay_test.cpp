// On-device learning through the C API: residual learning, immediate
// effect on recommendations, persistence, forgetting, and hostile files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "barista.h"
#include "hash/fingerprint.h"
#include "platform/file_io.h"
#include "samples/coffee_model.h"
#include "support/temp_dir.h"
#include "support/coffee_handle.h"
#include "support/test_models.h"

using namespace barista_test;
using namespace barista::internal;

namespace {

barista_request* request_for(barista_model* model, const char* user) {
  barista_request* request = nullptr;
  REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  if (user != nullptr) REQUIRE(barista_request_set_user(request, user, BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_number(request, "hour", 10) == BARISTA_STATUS_OK);
  return request;
}

barista_overlay* open_overlay(barista_model* model, const char* path, size_t memory = 1 << 20) {
  barista_overlay_params params = barista_overlay_default_params();
  params.memory_limit = memory;
  barista_overlay* overlay = nullptr;
  barista_error error;
  const barista_status status = barista_overlay_open(model, path, &params, &overlay, &error);
  REQUIRE_MESSAGE(status == BARISTA_STATUS_OK, error.message);
  return overlay;
}

size_t rank_of(barista_session* session, barista_request* request, uint32_t item, size_t items) {
  std::vector<barista_recommendation> top(items);
  barista_recommend_params params = barista_recommend_default_params();
  params.k = items;
  size_t count = 0;
  REQUIRE(barista_session_recommend(session, request, &params, top.data(), top.size(), &count) == BARISTA_STATUS_OK);
  for (size_t r = 0; r < count; ++r) {
    if (top[r].item == item) return r;
  }
  return items;
}

float score_of(barista_session* session, barista_request* request, uint32_t item) {
  float score = 0;
  REQUIRE(barista_session_score(session, request, &item, 1, &score, 1) == BARISTA_STATUS_OK);
  return score;
}

}  // namespace

TEST_CASE("learning shows at once: a new customer's purchases move their items up") {
  Coffee coffee;
  barista_overlay* overlay = open_overlay(coffee.model, nullptr);
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
  barista_request* request = request_for(coffee.model, "new-customer");
  const uint32_t matcha = coffee.item("matcha latte");
  const size_t before = rank_of(session, request, matcha, coffee.items());
  const float score_before = score_of(session, request, matcha);
  // Each purchase moves it up, at once; with the default rate a regular's
  // usual reaches the top three within eight visits.
  std::string ranks = std::to_string(before + 1);
  size_t rank = before;
  for (int i = 0; i < 8; ++i) {
    REQUIRE(barista_overlay_observe(overlay, request, matcha, 1.0f, 1.0f) == BARISTA_STATUS_OK);
    const size_t now = rank_of(session, request, matcha, coffee.items());
    CHECK(now <= rank);
    rank = now;
    ranks += " " + std::to_string(rank + 1);
  }
  MESSAGE("matcha latte, rank after each purchase: " << ranks);
  CHECK(rank <= 2);
  CHECK(score_of(session, request, matcha) > score_before + 0.2f);
  // Other customers are untouched.
  barista_request* other = request_for(coffee.model, "someone-else");
  barista_session* plain = nullptr;
  REQUIRE(barista_session_create(coffee.model, &plain) == BARISTA_STATUS_OK);
  CHECK(score_of(session, other, matcha) == score_of(plain, other, matcha));
  // Observed "shown, not taken" pushes down.
  const uint32_t espresso = coffee.item("espresso");
  const float espresso_before = score_of(session, request, espresso);
  const uint32_t shown[] = {espresso, matcha};
  REQUIRE(barista_overlay_observe_shown(overlay, request, shown, 2, matcha) == BARISTA_STATUS_OK);
  CHECK(score_of(session, request, espresso) < espresso_before);
  barista_overlay_stats stats;
  REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
  CHECK(stats.customers == 1);
  CHECK(stats.learned_weights > 0);
  CHECK(stats.memory_bytes <= (size_t{1} << 20));
  barista_request_free(other);
  barista_request_free(request);
  barista_session_free(plain);
  barista_session_free(session);
  barista_overlay_free(overlay);
}

TEST_CASE("labels drawn from the model's own probabilities leave the learned weights near zero") {
  Coffee coffee;
  barista_overlay* calibrated = open_overlay(coffee.model, nullptr);
  barista_overlay* biased = open_overlay(coffee.model, nullptr);
  barista_session* plain = nullptr;
  REQUIRE(barista_session_create(coffee.model, &plain) == BARISTA_STATUS_OK);
  barista_request* request = request_for(coffee.model, "carol");
  TestRandom random(99);
  for (int i = 0; i < 3000; ++i) {
    const uint32_t item = static_cast<uint32_t>(random.below(coffee.items()));
    const float p = score_of(plain, request, item);  // the model alone
    const float label = random.uniform() < static_cast<double>(p) ? 1.0f : 0.0f;
    REQUIRE(barista_overlay_observe(calibrated, request, item, label, 1.0f) == BARISTA_STATUS_OK);
    REQUIRE(barista_overlay_observe(biased, request, item, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  }
  // Learned logit offsets, item by item, through attached sessions.
  barista_session* learned = nullptr;
  barista_session* learned_biased = nullptr;
  REQUIRE(barista_session_create(coffee.model, &learned) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_create(coffee.model, &learned_biased) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_overlay(learned, calibrated) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_overlay(learned_biased, biased) == BARISTA_STATUS_OK);
  auto logit = [](float p) { return std::log(p / (1.0f - p)); };
  double calibrated_shift = 0, biased_shift = 0;
  for (uint32_t item = 0; item < coffee.items(); ++item) {
    const float base = logit(score_of(plain, request, item));
    calibrated_shift += static_cast<double>(std::fabs(logit(score_of(learned, request, item)) - base));
    biased_shift += static_cast<double>(std::fabs(logit(score_of(learned_biased, request, item)) - base));
  }
  calibrated_shift /= static_cast<double>(coffee.items());
  biased_shift /= static_cast<double>(coffee.items());
  MESSAGE("mean |learned logit shift|: calibrated labels " << calibrated_shift << ", always-positive labels "
                                                           << biased_shift);
  CHECK(calibrated_shift < 0.15);
  CHECK(biased_shift > 1.0);
  barista_request_free(request);
  barista_session_free(learned);
  barista_session_free(learned_biased);
  barista_session_free(plain);
  barista_overlay_free(calibrated);
  barista_overlay_free(biased);
}

TEST_CASE("observe: statuses for misuse") {
  Coffee coffee;
  barista_overlay* overlay = open_overlay(coffee.model, nullptr);
  barista_request* anonymous = request_for(coffee.model, nullptr);
  barista_request* alice = request_for(coffee.model, "alice");
  CHECK(barista_overlay_observe(overlay, anonymous, 0, 1.0f, 1.0f) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_overlay_last_error(overlay)).find("user id") != std::string::npos);
  CHECK(barista_overlay_observe(overlay, alice, 999, 1.0f, 1.0f) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_overlay_observe(overlay, alice, 0, 2.0f, 1.0f) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_overlay_observe(overlay, alice, 0, NAN, 1.0f) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_overlay_observe(overlay, alice, 0, 1.0f, -1.0f) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_overlay_observe(overlay, nullptr, 0, 1.0f, 1.0f) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_overlay_observe(reinterpret_cast<barista_overlay*>(alice), alice, 0, 1.0f, 1.0f) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_overlay_observe_shown(overlay, alice, nullptr, 3, 0) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_overlay_forget_user(overlay, nullptr, 3) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_overlay_params params = barista_overlay_default_params();
  params.memory_limit = 10;
  barista_overlay* tiny = nullptr;
  barista_error error;
  CHECK(barista_overlay_open(coffee.model, nullptr, &params, &tiny, &error) == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(tiny == nullptr);
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  CHECK(barista_session_set_overlay(session, reinterpret_cast<barista_overlay*>(alice)) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  // An overlay outlives the caller's reference while a session holds it.
  REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
  barista_overlay_free(overlay);
  REQUIRE(barista_session_set_overlay(session, nullptr) == BARISTA_STATUS_OK);  // released here
  barista_overlay_free(nullptr);
  barista_session_free(session);
  barista_request_free(anonymous);
  barista_request_free(alice);
}

TEST_CASE("persisted overlays: synced updates survive, other models and damage are refused") {
  Coffee coffee;
  TempDir dir;
  const std::string path = dir.file("learned");
  barista_request* dave = request_for(coffee.model, "dave");
  const uint32_t mocha = coffee.item("white mocha");
  float learned_score = 0;
  {
    barista_overlay* overlay = open_overlay(coffee.model, path.c_str());
    for (int i = 0; i < 5; ++i) REQUIRE(barista_overlay_observe(overlay, dave, mocha, 1.0f, 1.0f) == BARISTA_STATUS_OK);
    REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);
    barista_session* session = nullptr;
    REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
    REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
    learned_score = score_of(session, dave, mocha);
    // A second writer is kept out.
    barista_overlay* second = nullptr;
    barista_error error;
    CHECK(barista_overlay_open(coffee.model, path.c_str(), nullptr, &second, &error) == BARISTA_STATUS_IO_ERROR);
    CHECK(std::string(error.message).find("in use") != std::string::npos);
    // Observed after the sync: allowed to be lost.
    REQUIRE(barista_overlay_observe(overlay, dave, mocha, 1.0f, 1.0f) == BARISTA_STATUS_OK);
    barista_session_free(session);
    barista_overlay_free(overlay);
  }
  {
    barista_overlay* overlay = open_overlay(coffee.model, path.c_str());
    barista_session* session = nullptr;
    REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
    REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
    CHECK(score_of(session, dave, mocha) == learned_score);
    REQUIRE(barista_overlay_compact(overlay) == BARISTA_STATUS_OK);
    barista_overlay_stats stats;
    REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
    CHECK(stats.snapshot_bytes > 0);
    CHECK(stats.journal_bytes == 40);  // just the header after compaction
    barista_session_free(session);
    barista_overlay_free(overlay);
  }
  {  // after compaction, from the snapshot
    barista_overlay* overlay = open_overlay(coffee.model, path.c_str());
    barista_session* session = nullptr;
    REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
    REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
    CHECK(score_of(session, dave, mocha) == learned_score);
    barista_session_free(session);
    barista_overlay_free(overlay);
  }
  // Another model: refused.
  ModelSpec other_spec = barista::cli::make_coffee_model();
  other_spec.wide_bias += 0.5f;
  std::vector<uint8_t> other_bytes;
  REQUIRE(write_model(other_spec, WriteOptions(), &other_bytes).ok());
  barista_model* other = nullptr;
  REQUIRE(barista_model_open_buffer(other_bytes.data(), other_bytes.size(), nullptr, &other, nullptr) ==
          BARISTA_STATUS_OK);
  barista_overlay* wrong = nullptr;
  barista_error error;
  CHECK(barista_overlay_open(other, path.c_str(), nullptr, &wrong, &error) == BARISTA_STATUS_WRONG_MODEL);
  CHECK(std::string(error.message).find("another model") != std::string::npos);
  barista_model_free(other);
  // Not an overlay file; a future format version.
  dir.write("garbage", std::string(100, 'x'));
  CHECK(barista_overlay_open(coffee.model, dir.file("garbage").c_str(), nullptr, &wrong, &error) ==
        BARISTA_STATUS_CORRUPT_OVERLAY);
  std::vector<uint8_t> future;
  {
    barista_overlay* overlay = open_overlay(coffee.model, dir.file("future").c_str());
    REQUIRE(barista_overlay_observe(overlay, dave, mocha, 1.0f, 1.0f) == BARISTA_STATUS_OK);
    REQUIRE(barista_overlay_compact(overlay) == BARISTA_STATUS_OK);
    barista_overlay_free(overlay);
  }
  Vec<uint8_t> snapshot;
  bool exists = false;
  REQUIRE(read_whole_file(dir.file("future"), &snapshot, &exists).ok());
  snapshot[8] = 3;  // version 3, with a fresh header checksum
  const uint64_t sum = fingerprint64(snapshot.data(), 48);
  for (int i = 0; i < 8; ++i) snapshot[48 + i] = static_cast<uint8_t>(sum >> (8 * i));
  REQUIRE(replace_file_durably(dir.file("future"), snapshot.data(), snapshot.size()).ok());
  CHECK(barista_overlay_open(coffee.model, dir.file("future").c_str(), nullptr, &wrong, &error) ==
        BARISTA_STATUS_UNSUPPORTED_VERSION);
  barista_request_free(dave);
}

TEST_CASE("overlay paths: special files, empty paths and unknown flags are refused, without blocking or leftovers") {
  Coffee coffee;
  TempDir dir;
  barista_overlay* overlay = nullptr;
  barista_error error;
  const auto exists = [](const std::string& path) {
    struct stat info;
    return ::lstat(path.c_str(), &info) == 0;
  };
  SUBCASE("a FIFO as the overlay or as its journal (opening one for reading would wait for a writer)") {
    REQUIRE(mkfifo(dir.file("fifo").c_str(), 0600) == 0);
    CHECK(barista_overlay_open(coffee.model, dir.file("fifo").c_str(), nullptr, &overlay, &error) ==
          BARISTA_STATUS_IO_ERROR);
    CHECK(std::string(error.message).find("not a regular file") != std::string::npos);
    CHECK_FALSE(exists(dir.file("fifo.journal")));
    REQUIRE(mkfifo(dir.file("learned.journal").c_str(), 0600) == 0);
    CHECK(barista_overlay_open(coffee.model, dir.file("learned").c_str(), nullptr, &overlay, &error) ==
          BARISTA_STATUS_IO_ERROR);
    CHECK_FALSE(exists(dir.file("learned")));
  }
  SUBCASE("a directory as the path") {
    CHECK(barista_overlay_open(coffee.model, dir.path().c_str(), nullptr, &overlay, &error) ==
          BARISTA_STATUS_IO_ERROR);
    CHECK_FALSE(exists(dir.path() + ".journal"));
  }
  SUBCASE("an empty path (NULL is the in-memory overlay)") {
    CHECK(barista_overlay_open(coffee.model, "", nullptr, &overlay, &error) == BARISTA_STATUS_INVALID_ARGUMENT);
    CHECK(std::string(error.message).find("empty") != std::string::npos);
    CHECK_FALSE(exists(".journal"));
  }
  SUBCASE("a snapshot that is refused leaves no new journal beside it") {
    dir.write("garbage", std::string(100, 'x'));
    CHECK(barista_overlay_open(coffee.model, dir.file("garbage").c_str(), nullptr, &overlay, &error) ==
          BARISTA_STATUS_CORRUPT_OVERLAY);
    CHECK_FALSE(exists(dir.file("garbage.journal")));
  }
  SUBCASE("unknown flags") {
    barista_overlay_params params = barista_overlay_default_params();
    params.flags = 0x80;
    CHECK(barista_overlay_open(coffee.model, dir.file("learned").c_str(), &params, &overlay, &error) ==
          BARISTA_STATUS_INVALID_ARGUMENT);
    CHECK(std::string(error.message).find("flags") != std::string::npos);
    CHECK_FALSE(exists(dir.file("learned.journal")));
  }
  CHECK(overlay == nullptr);
}

TEST_CASE("a FIFO as the model file is refused without blocking") {
  TempDir dir;
  REQUIRE(mkfifo(dir.file("model").c_str(), 0600) == 0);
  barista_model* model = nullptr;
  barista_error error;
  CHECK(barista_model_open_file(dir.file("model").c_str(), nullptr, &model, &error) == BARISTA_STATUS_IO_ERROR);
  CHECK(std::string(error.message).find("not a regular file") != std::string::npos);
  CHECK(model == nullptr);
}

TEST_CASE("forgetting a customer leaves no trace in memory or in the files after the next sync") {
  Coffee coffee;
  TempDir dir;
  const std::string path = dir.file("learned");
  barista_overlay* overlay = open_overlay(coffee.model, path.c_str());
  barista_request* alice = request_for(coffee.model, "alice");
  barista_request* bob = request_for(coffee.model, "bob");
  for (uint32_t item = 0; item < 10; ++item) {
    REQUIRE(barista_overlay_observe(overlay, alice, item, 1.0f, 1.0f) == BARISTA_STATUS_OK);
    REQUIRE(barista_overlay_observe(overlay, bob, item, 0.0f, 1.0f) == BARISTA_STATUS_OK);
  }
  REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);
  REQUIRE(barista_overlay_compact(overlay) == BARISTA_STATUS_OK);  // alice now in the snapshot too
  for (uint32_t item = 10; item < 15; ++item)
    REQUIRE(barista_overlay_observe(overlay, alice, item, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);  // and in the journal
  REQUIRE(barista_overlay_forget_user(overlay, "alice", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  barista_overlay_stats stats;
  REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
  CHECK(stats.customers == 1);  // bob
  REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);
  const uint64_t alice_fp = fingerprint64("alice");
  const uint64_t bob_fp = fingerprint64("bob");
  auto contains = [](const Vec<uint8_t>& bytes, uint64_t value) {
    uint8_t pattern[8];
    for (int i = 0; i < 8; ++i) pattern[i] = static_cast<uint8_t>(value >> (8 * i));
    return std::search(bytes.begin(), bytes.end(), pattern, pattern + 8) != bytes.end();
  };
  for (const std::string& file : {path, path + ".journal"}) {
    Vec<uint8_t> bytes;
    bool exists = false;
    REQUIRE(read_whole_file(file, &bytes, &exists).ok());
    CHECK(!contains(bytes, alice_fp));
  }
  Vec<uint8_t> snapshot;
  bool exists = false;
  REQUIRE(read_whole_file(path, &snapshot, &exists).ok());
  CHECK(contains(snapshot, bob_fp));
  barista_overlay_free(overlay);
  // Reopened: alice is gone, bob is not.
  overlay = open_overlay(coffee.model, path.c_str());
  REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
  CHECK(stats.customers == 1);
  barista_overlay_free(overlay);
  barista_request_free(alice);
  barista_request_free(bob);
}

TEST_CASE("every truncation of a journal and random bit flips recover cleanly or give a status") {
  Coffee coffee;
  TempDir dir;
  const std::string path = dir.file("learned");
  barista_request* requests[3] = {request_for(coffee.model, "u1"), request_for(coffee.model, "u2"),
                                  request_for(coffee.model, "u3")};
  {
    barista_overlay* overlay = open_overlay(coffee.model, path.c_str());
    for (uint32_t i = 0; i < 30; ++i) {
      REQUIRE(barista_overlay_observe(overlay, requests[i % 3], i % 22, (i % 4) ? 1.0f : 0.0f, 1.0f) ==
              BARISTA_STATUS_OK);
    }
    REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);
    barista_overlay_free(overlay);
  }
  Vec<uint8_t> journal;
  bool exists = false;
  REQUIRE(read_whole_file(path + ".journal", &journal, &exists).ok());
  REQUIRE(journal.size() > 1000);
  size_t recovered = 0, refused = 0;
  size_t previous_weights = 0;
  for (size_t length = 0; length <= journal.size(); ++length) {
    REQUIRE(replace_file_durably(path + ".journal", journal.data(), length).ok());
    barista_overlay* overlay = nullptr;
    barista_error error;
    const barista_status status = barista_overlay_open(coffee.model, path.c_str(), nullptr, &overlay, &error);
    if (status != BARISTA_STATUS_OK) {
      ++refused;
      CHECK(std::strlen(error.message) > 0);
      continue;
    }
    ++recovered;
    barista_overlay_stats stats;
    REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
    CHECK(stats.learned_weights >= previous_weights);  // a longer prefix never knows less
    previous_weights = stats.learned_weights;
    barista_overlay_free(overlay);
  }
  CHECK(recovered == journal.size() + 1);  // a cut is always a torn tail
  CHECK(refused == 0);

  TestRandom random(77);
  size_t flips_recovered = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Vec<uint8_t> damaged = journal;
    damaged[random.below(damaged.size())] ^= static_cast<uint8_t>(1u << random.below(8));
    REQUIRE(replace_file_durably(path + ".journal", damaged.data(), damaged.size()).ok());
    barista_overlay* overlay = nullptr;
    barista_error error;
    const barista_status status = barista_overlay_open(coffee.model, path.c_str(), nullptr, &overlay, &error);
    if (status == BARISTA_STATUS_OK) {
      // Only ever by discarding the damaged last record, and saying so.
      ++flips_recovered;
      barista_overlay_stats stats;
      REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
      CHECK(stats.discarded_bytes > 0);
      barista_overlay_free(overlay);
    } else {
      CHECK((status == BARISTA_STATUS_CORRUPT_OVERLAY || status == BARISTA_STATUS_WRONG_MODEL ||
             status == BARISTA_STATUS_UNSUPPORTED_VERSION));
      // Salvage keeps what precedes the damage.
      barista_overlay_params params = barista_overlay_default_params();
      params.flags = BARISTA_OVERLAY_SALVAGE;
      if (status == BARISTA_STATUS_CORRUPT_OVERLAY &&
          barista_overlay_open(coffee.model, path.c_str(), &params, &overlay, &error) == BARISTA_STATUS_OK) {
        barista_overlay_free(overlay);
      }
    }
  }
  MESSAGE(flips_recovered << " of 400 single bit flips recovered (a flip in the last record is a torn tail)");
  for (barista_request* r : requests) barista_request_free(r);
}

namespace {

// The random test model (its history input takes 10 values), opened through the C API.
struct HistoryModel {
  std::vector<uint8_t> bytes;
  barista_model* model = nullptr;
  HistoryModel() {
    REQUIRE(write_model(random_test_model(31), WriteOptions(), &bytes).ok());
    REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
  }
  ~HistoryModel() { barista_model_free(model); }
  HistoryModel(const HistoryModel&) = delete;
  HistoryModel& operator=(const HistoryModel&) = delete;
  size_t items() const {
    barista_model_info info;
    barista_model_get_info(model, &info);
    return info.item_count;
  }
};

barista_request* customer(barista_model* model, const char* user, const std::vector<uint32_t>& history = {}) {
  barista_request* request = nullptr;
  REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, user, BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_add_string(request, "device", "till", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  for (uint32_t item : history) {
    const std::string id = "item-" + std::to_string(item);
    REQUIRE(barista_request_add_string(request, "history", id.c_str(), BARISTA_STRLEN) == BARISTA_STATUS_OK);
  }
  return request;
}

std::vector<uint32_t> recent_items(const barista_overlay* overlay, const char* user) {
  std::vector<uint32_t> items(16);
  size_t count = 0;
  REQUIRE(barista_overlay_recent_items(overlay, user, BARISTA_STRLEN, items.data(), items.size(), &count) ==
          BARISTA_STATUS_OK);
  items.resize(count);
  return items;
}

std::vector<float> all_scores(barista_session* session, barista_request* request, size_t items) {
  std::vector<uint32_t> all(items);
  for (uint32_t i = 0; i < items; ++i) all[i] = i;
  std::vector<float> scores(items);
  REQUIRE(barista_session_score(session, request, all.data(), items, scores.data(), items) == BARISTA_STATUS_OK);
  return scores;
}

}  // namespace

TEST_CASE("customer memory: a request without history is scored with the customer's last taken items") {
  HistoryModel m;
  TempDir dir;
  const std::string path = dir.file("memory");
  barista_overlay* overlay = open_overlay(m.model, path.c_str());
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(m.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
  barista_request* alice = customer(m.model, "alice");
  CHECK(recent_items(overlay, "alice").empty());

  // Taken items are remembered (label 1 or `taken`), passed-over ones not.
  REQUIRE(barista_overlay_observe(overlay, alice, 3, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  REQUIRE(barista_overlay_observe(overlay, alice, 4, 0.0f, 1.0f) == BARISTA_STATUS_OK);
  const uint32_t shown[] = {5, 6};
  REQUIRE(barista_overlay_observe_shown(overlay, alice, shown, 2, 5) == BARISTA_STATUS_OK);
  REQUIRE(barista_overlay_observe(overlay, alice, 3, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  CHECK(recent_items(overlay, "alice") == std::vector<uint32_t>{3, 5, 3});
  size_t count = 0;
  CHECK(barista_overlay_recent_items(overlay, "alice", BARISTA_STRLEN, nullptr, 0, &count) ==
        BARISTA_STATUS_BUFFER_TOO_SMALL);
  CHECK(count == 3);
  CHECK(barista_overlay_recent_items(overlay, nullptr, 0, nullptr, 0, &count) == BARISTA_STATUS_INVALID_ARGUMENT);

  // Scores and recommendations equal those of the same request with that
  // history given by hand.
  barista_request* by_hand = customer(m.model, "alice", {3, 5, 3});
  const std::vector<float> filled = all_scores(session, alice, m.items());
  CHECK(filled == all_scores(session, by_hand, m.items()));
  barista_request* no_memory = customer(m.model, "alice", {});
  barista_session* plain = nullptr;  // the same learned weights, no overlay memory to fill from
  REQUIRE(barista_session_create(m.model, &plain) == BARISTA_STATUS_OK);
  CHECK(all_scores(plain, no_memory, m.items()) != filled);
  for (uint32_t item : {0u, 7u, 11u}) {
    CHECK(rank_of(session, alice, item, m.items()) == rank_of(session, by_hand, item, m.items()));
  }
  // A history given by the request is used as given.
  barista_request* other = customer(m.model, "alice", {9});
  CHECK(all_scores(session, other, m.items()) != filled);

  // The last 10 (the model's history length) are kept.
  for (uint32_t item = 10; item < 22; ++item) {
    REQUIRE(barista_overlay_observe(overlay, alice, item, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  }
  const std::vector<uint32_t> last_ten = {12, 13, 14, 15, 16, 17, 18, 19, 20, 21};
  CHECK(recent_items(overlay, "alice") == last_ten);

  // Durable: synced, reopened, the same memory and the same scores.
  REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);
  const std::vector<float> before = all_scores(session, alice, m.items());
  REQUIRE(barista_session_set_overlay(session, nullptr) == BARISTA_STATUS_OK);
  barista_overlay_free(overlay);
  overlay = open_overlay(m.model, path.c_str());
  REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
  CHECK(recent_items(overlay, "alice") == last_ten);
  CHECK(all_scores(session, alice, m.items()) == before);
  // And after a compaction (the snapshot's copy).
  REQUIRE(barista_overlay_compact(overlay) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_overlay(session, nullptr) == BARISTA_STATUS_OK);
  barista_overlay_free(overlay);
  overlay = open_overlay(m.model, path.c_str());
  CHECK(recent_items(overlay, "alice") == last_ten);

  // Forgetting erases the memory too.
  REQUIRE(barista_overlay_forget_user(overlay, "alice", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  CHECK(recent_items(overlay, "alice").empty());
  for (barista_request* r : {alice, by_hand, no_memory, other}) barista_request_free(r);
  barista_session_free(plain);
  barista_session_free(session);
  barista_overlay_free(overlay);
}

TEST_CASE("customer memory: off with a limit of 0, refused below one customer, absent without a history input") {
  HistoryModel m;
  barista_overlay_params params = barista_overlay_default_params();
  CHECK(params.customer_memory_limit == size_t{1} << 20);
  params.customer_memory_limit = 0;
  barista_overlay* off = nullptr;
  REQUIRE(barista_overlay_open(m.model, nullptr, &params, &off, nullptr) == BARISTA_STATUS_OK);
  barista_request* alice = customer(m.model, "alice");
  REQUIRE(barista_overlay_observe(off, alice, 3, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  CHECK(recent_items(off, "alice").empty());
  barista_overlay_free(off);

  params.customer_memory_limit = 64;
  barista_overlay* tiny = nullptr;
  barista_error error;
  CHECK(barista_overlay_open(m.model, nullptr, &params, &tiny, &error) == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(std::string(error.message).find("customer memory") != std::string::npos);
  CHECK(tiny == nullptr);

  // The coffee model has a basket, not a history: nothing to remember.
  Coffee coffee;
  barista_overlay* overlay = open_overlay(coffee.model, nullptr);
  barista_request* bob = request_for(coffee.model, "bob");
  REQUIRE(barista_overlay_observe(overlay, bob, 1, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  CHECK(recent_items(overlay, "bob").empty());
  barista_overlay_free(overlay);
  barista_request_free(bob);
  barista_request_free(alice);
}

TEST_CASE("forgetting a customer leaves none of their remembered items in the files") {
  HistoryModel m;
  TempDir dir;
  const std::string path = dir.file("memory");
  barista_overlay* overlay = open_overlay(m.model, path.c_str());
  barista_request* alice = customer(m.model, "alice");
  barista_request* bob = customer(m.model, "bob");
  // Alice takes items 0-9, bob 20-29: alice's item fingerprints are hers alone.
  for (uint32_t item = 0; item < 6; ++item) REQUIRE(barista_overlay_observe(overlay, alice, item, 1.0f, 1.0f) == 0);
  for (uint32_t item = 20; item < 30; ++item) REQUIRE(barista_overlay_observe(overlay, bob, item, 1.0f, 1.0f) == 0);
  REQUIRE(barista_overlay_compact(overlay) == BARISTA_STATUS_OK);  // in the snapshot
  for (uint32_t item = 6; item < 10; ++item) REQUIRE(barista_overlay_observe(overlay, alice, item, 1.0f, 1.0f) == 0);
  REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);  // and in the journal
  auto contains = [](const Vec<uint8_t>& bytes, uint64_t value) {
    uint8_t pattern[8];
    for (int i = 0; i < 8; ++i) pattern[i] = static_cast<uint8_t>(value >> (8 * i));
    return std::search(bytes.begin(), bytes.end(), pattern, pattern + 8) != bytes.end();
  };
  auto files = [&] {
    Vec<uint8_t> all, bytes;
    for (const std::string& file : {path, path + ".journal"}) {
      bool exists = false;
      REQUIRE(read_whole_file(file, &bytes, &exists).ok());
      all.insert(all.end(), bytes.begin(), bytes.end());
    }
    return all;
  };
  CHECK(contains(files(), fingerprint64("item-0")));
  CHECK(contains(files(), fingerprint64("item-9")));
  REQUIRE(barista_overlay_forget_user(overlay, "alice", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);
  const Vec<uint8_t> after = files();
  for (uint32_t item = 0; item < 10; ++item) {
    CHECK(!contains(after, fingerprint64("item-" + std::to_string(item))));
  }
  CHECK(!contains(after, fingerprint64("alice")));
  CHECK(contains(after, fingerprint64("item-25")));
  barista_overlay_free(overlay);
  overlay = open_overlay(m.model, path.c_str());
  CHECK(recent_items(overlay, "alice").empty());
  CHECK(recent_items(overlay, "bob") == std::vector<uint32_t>{20, 21, 22, 23, 24, 25, 26, 27, 28, 29});
  barista_overlay_free(overlay);
  barista_request_free(alice);
  barista_request_free(bob);
}

TEST_CASE("overlay files of format version 1 (before customer memory) are read") {
  Coffee coffee;
  TempDir dir;
  const std::string path = dir.file("v1");
  barista_request* dave = request_for(coffee.model, "dave");
  {
    barista_overlay* overlay = open_overlay(coffee.model, path.c_str());
    REQUIRE(barista_overlay_observe(overlay, dave, 2, 1.0f, 1.0f) == BARISTA_STATUS_OK);
    REQUIRE(barista_overlay_compact(overlay) == BARISTA_STATUS_OK);
    barista_overlay_free(overlay);
  }
  // The version 2 snapshot, as version 1 wrote it: no customer memory
  // section (here, its count of 0 customers), both checksums recomputed.
  Vec<uint8_t> snapshot;
  bool exists = false;
  REQUIRE(read_whole_file(path, &snapshot, &exists).ok());
  REQUIRE(snapshot.size() >= 64);
  for (size_t i = snapshot.size() - 8; i < snapshot.size(); ++i) REQUIRE(snapshot[i] == 0);
  snapshot.resize(snapshot.size() - 8);
  snapshot[8] = 1;
  auto put = [&](size_t at, uint64_t value) {
    for (int i = 0; i < 8; ++i) snapshot[at + i] = static_cast<uint8_t>(value >> (8 * i));
  };
  put(40, fingerprint64(snapshot.data() + 56, snapshot.size() - 56));
  put(48, fingerprint64(snapshot.data(), 48));
  REQUIRE(replace_file_durably(path, snapshot.data(), snapshot.size()).ok());
  // Its journal, emptied: a header-only journal is rewritten on open.
  REQUIRE(replace_file_durably(path + ".journal", snapshot.data(), 0).ok());
  barista_overlay* overlay = open_overlay(coffee.model, path.c_str());
  barista_overlay_stats stats;
  REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
  CHECK(stats.customers == 1);
  CHECK(stats.learned_weights > 0);
  barista_overlay_free(overlay);
  barista_request_free(dave);
}
