// Threads: one model shared by several threads, each with its own session
// and request, recommending at the same time, while another thread learns
// on its own overlay and session. Every thread must get exactly what a
// single thread gets. Run under ThreadSanitizer (BARISTA_SANITIZE=thread)
// it also proves the sharing race-free.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "barista.h"
#include "samples/coffee_model.h"
#include "support/temp_dir.h"
#include "writer/model_writer.h"

using namespace barista::internal;

namespace {

std::vector<uint32_t> recommend_once(barista_model* model, const std::string& user, double hour) {
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  barista_session_create(model, &session);
  barista_request_create(model, &request);
  barista_request_set_user(request, user.c_str(), BARISTA_STRLEN);
  barista_request_set_number(request, "hour", hour);
  barista_recommend_params params = barista_recommend_default_params();
  params.k = 5;
  barista_recommendation top[5];
  size_t count = 0;
  std::vector<uint32_t> items;
  if (barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_OK) {
    for (size_t i = 0; i < count; ++i) items.push_back(top[i].item);
  }
  barista_request_free(request);
  barista_session_free(session);
  return items;
}

}  // namespace

TEST_CASE("one model, many threads: sessions recommend concurrently while an overlay learns") {
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(barista::cli::make_coffee_model(), WriteOptions(), &bytes).ok());
  barista_model* model = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);

  const std::vector<std::string> users = {"alice", "bob", "carol", "dave"};
  std::vector<std::vector<uint32_t>> expected;
  for (size_t t = 0; t < users.size(); ++t) expected.push_back(recommend_once(model, users[t], 8.0 + t));

  constexpr int kRounds = 300;
  std::vector<int> mismatches(users.size(), 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < users.size(); ++t) {
    threads.emplace_back([&, t] {
      // Each thread's own session and request, reused across rounds.
      barista_session* session = nullptr;
      barista_request* request = nullptr;
      barista_session_create(model, &session);
      barista_request_create(model, &request);
      barista_recommend_params params = barista_recommend_default_params();
      params.k = 5;
      barista_recommendation top[5];
      for (int round = 0; round < kRounds; ++round) {
        barista_request_clear(request);
        barista_request_set_user(request, users[t].c_str(), BARISTA_STRLEN);
        barista_request_set_number(request, "hour", 8.0 + t);
        size_t count = 0;
        params.precision = round % 2 ? BARISTA_PRECISION_INT8_SHORTLIST : BARISTA_PRECISION_EXACT;
        if (barista_session_recommend(session, request, &params, top, 5, &count) != BARISTA_STATUS_OK ||
            count != expected[t].size()) {
          ++mismatches[t];
          continue;
        }
        for (size_t i = 0; i < count; ++i) mismatches[t] += top[i].item != expected[t][i];
      }
      barista_request_free(request);
      barista_session_free(session);
    });
  }
  // The learner: its own overlay (in memory) and session, on its own thread.
  int learned_ok = 0;
  threads.emplace_back([&] {
    barista_overlay* overlay = nullptr;
    barista_session* session = nullptr;
    barista_request* request = nullptr;
    if (barista_overlay_open(model, nullptr, nullptr, &overlay, nullptr) != BARISTA_STATUS_OK) return;
    barista_session_create(model, &session);
    barista_request_create(model, &request);
    barista_session_set_overlay(session, overlay);
    barista_request_set_user(request, "erin", BARISTA_STRLEN);
    uint32_t matcha = 0;
    barista_model_find_item(model, "matcha latte", BARISTA_STRLEN, &matcha);
    float before = 0, after = 0;
    barista_session_score(session, request, &matcha, 1, &before, 1);
    for (int round = 0; round < kRounds; ++round) {
      learned_ok += barista_overlay_observe(overlay, request, matcha, 1.0f, 1.0f) == BARISTA_STATUS_OK;
    }
    barista_session_score(session, request, &matcha, 1, &after, 1);
    learned_ok += after > before;
    barista_request_free(request);
    barista_session_free(session);
    barista_overlay_free(overlay);
  });
  for (std::thread& thread : threads) thread.join();
  for (size_t t = 0; t < users.size(); ++t) CHECK(mismatches[t] == 0);
  CHECK(learned_ok == kRounds + 1);
  // What the learner learned stayed in its overlay: the shared model is as it was.
  for (size_t t = 0; t < users.size(); ++t) CHECK(recommend_once(model, users[t], 8.0 + t) == expected[t]);
  barista_model_free(model);
}

namespace {

// Every catalog item's score for `user`, through a session and request of
// its own.
std::vector<float> all_scores(barista_model* model, const char* user) {
  barista_model_info info;
  barista_model_get_info(model, &info);
  std::vector<uint32_t> items(info.item_count);
  for (uint32_t i = 0; i < items.size(); ++i) items[i] = i;
  std::vector<float> scores(items.size(), -1.0f);
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  barista_session_create(model, &session);
  barista_request_create(model, &request);
  barista_request_set_user(request, user, BARISTA_STRLEN);
  barista_request_set_number(request, "hour", 9.0);
  if (barista_session_score(session, request, items.data(), items.size(), scores.data(), scores.size()) !=
      BARISTA_STATUS_OK) {
    scores.clear();
  }
  barista_request_free(request);
  barista_session_free(session);
  return scores;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("a model file replaced while threads score with it: renamed over when mapped, rewritten in place when "
          "copied") {
  std::vector<uint8_t> old_bytes, new_bytes;
  ModelSpec spec = barista::cli::make_coffee_model();
  REQUIRE(write_model(spec, WriteOptions(), &old_bytes).ok());
  spec.wide_bias += 0.5f;
  REQUIRE(write_model(spec, WriteOptions(), &new_bytes).ok());
  barista_test::TempDir dir;
  const std::string path = dir.file("model.barista");
  for (const bool copy : {false, true}) {
    CAPTURE(copy);
    write_bytes(path, old_bytes);
    barista_open_params params = barista_open_default_params();
    params.flags = copy ? BARISTA_OPEN_COPY : BARISTA_OPEN_DEFAULT;
    barista_model* model = nullptr;
    REQUIRE(barista_model_open_file(path.c_str(), &params, &model, nullptr) == BARISTA_STATUS_OK);
    const std::vector<float> expected = all_scores(model, "alice");
    REQUIRE(!expected.empty());

    std::atomic<bool> stop{false};
    std::atomic<int> rounds{0};
    std::vector<int> mismatches(2, 0);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < mismatches.size(); ++t) {
      threads.emplace_back([&, t] {
        while (!stop.load()) {
          mismatches[t] += all_scores(model, "alice") != expected;
          rounds.fetch_add(1);
        }
      });
    }
    const auto wait_for = [&](int more) {
      const int until = rounds.load() + more;
      while (rounds.load() < until) std::this_thread::yield();
    };
    wait_for(20);
    if (copy) {
      // In place: cut to nothing, then written over with the new model.
      REQUIRE(::truncate(path.c_str(), 0) == 0);
      wait_for(20);
      write_bytes(path, new_bytes);
    } else {
      // The documented update: written beside, renamed over.
      write_bytes(path + ".new", new_bytes);
      REQUIRE(std::rename((path + ".new").c_str(), path.c_str()) == 0);
    }
    wait_for(100);
    stop = true;
    for (std::thread& thread : threads) thread.join();
    CHECK(mismatches == std::vector<int>{0, 0});
    CHECK(all_scores(model, "alice") == expected);
    barista_model_free(model);

    // A model opened now is the new one.
    barista_model* fresh = nullptr;
    REQUIRE(barista_model_open_file(path.c_str(), &params, &fresh, nullptr) == BARISTA_STATUS_OK);
    const std::vector<float> now = all_scores(fresh, "alice");
    REQUIRE(now.size() == expected.size());
    CHECK(now != expected);
    barista_model_free(fresh);
  }
}

TEST_CASE("unknown open flags are refused") {
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(barista::cli::make_coffee_model(), WriteOptions(), &bytes).ok());
  barista_open_params params = barista_open_default_params();
  params.flags = 0x100;
  barista_model* model = nullptr;
  barista_error error;
  CHECK(barista_model_open_buffer(bytes.data(), bytes.size(), &params, &model, &error) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(error.message).find("flags") != std::string::npos);
  CHECK(model == nullptr);
}
