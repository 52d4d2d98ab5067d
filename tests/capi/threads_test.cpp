// Threads: one model shared by several threads, each with its own session
// and request, recommending at the same time, while another thread learns
// on its own overlay and session. Every thread must get exactly what a
// single thread gets. Run under ThreadSanitizer (BARISTA_SANITIZE=thread)
// it also proves the sharing race-free.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "barista.h"
#include "coffee_model.h"
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
