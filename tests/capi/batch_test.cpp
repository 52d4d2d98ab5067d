// barista_session_recommend_many: the same lists as one call per request,
// each under its own params, laid out one after another; the buffer and
// failing entries get a status before anything is half-written.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "barista.h"
#include "support/coffee_handle.h"

using namespace barista_test;

namespace {

barista_request* customer(barista_model* model, const char* user, double hour) {
  barista_request* request = nullptr;
  REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, user, BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_number(request, "hour", hour) == BARISTA_STATUS_OK);
  return request;
}

}  // namespace

TEST_CASE("recommend_many gives each request the list recommend gives it") {
  Coffee coffee;
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  std::vector<barista_request*> requests = {customer(coffee.model, "alice", 9), customer(coffee.model, "bob", 15),
                                            customer(coffee.model, "carol", 20)};
  const uint32_t croissant = coffee.item("croissant");
  barista_recommend_params three = barista_recommend_default_params();
  three.k = 3;
  barista_recommend_params five_without_croissant = barista_recommend_default_params();
  five_without_croissant.k = 5;
  five_without_croissant.exclude = &croissant;
  five_without_croissant.exclude_count = 1;
  const std::vector<barista_batch_request> batch = {
      {requests[0], &three}, {requests[1], &five_without_croissant}, {requests[2], nullptr}};
  std::vector<barista_recommendation> out(3 + 5 + 10);
  std::vector<size_t> counts(batch.size(), 99);
  REQUIRE(barista_session_recommend_many(session, batch.data(), batch.size(), out.data(), out.size(), counts.data()) ==
          BARISTA_STATUS_OK);
  CHECK(counts == std::vector<size_t>{3, 5, 10});
  size_t at = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    std::vector<barista_recommendation> one(20);
    size_t count = 0;
    REQUIRE(barista_session_recommend(session, batch[i].request, batch[i].params, one.data(), one.size(), &count) ==
            BARISTA_STATUS_OK);
    REQUIRE(count == counts[i]);
    for (size_t r = 0; r < count; ++r) {
      CHECK(out[at + r].item == one[r].item);
      CHECK(out[at + r].score == one[r].score);
      if (i == 1) CHECK(out[at + r].item != croissant);
    }
    at += count;
  }

  // Too small a buffer: refused before anything is done.
  counts.assign(batch.size(), 99);
  CHECK(barista_session_recommend_many(session, batch.data(), batch.size(), out.data(), 17, counts.data()) ==
        BARISTA_STATUS_BUFFER_TOO_SMALL);
  CHECK(std::string(barista_session_last_error(session)).find("add up to 18") != std::string::npos);
  CHECK(counts == std::vector<size_t>{0, 0, 0});

  // A failing entry: its number in the message, every count 0.
  const uint32_t out_of_range = static_cast<uint32_t>(coffee.items());
  barista_recommend_params bad = barista_recommend_default_params();
  bad.exclude = &out_of_range;
  bad.exclude_count = 1;
  const std::vector<barista_batch_request> failing = {{requests[0], &three}, {requests[1], &bad}};
  counts.assign(2, 99);
  CHECK(barista_session_recommend_many(session, failing.data(), failing.size(), out.data(), out.size(),
                                       counts.data()) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("request 1: ") == 0);
  CHECK(counts[0] == 0);
  CHECK(counts[1] == 0);
  const std::vector<barista_batch_request> no_request = {{nullptr, &three}};
  CHECK(barista_session_recommend_many(session, no_request.data(), 1, out.data(), out.size(), counts.data()) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("request 0: ") == 0);

  // Nothing to do is fine; NULL arrays with a count are not.
  CHECK(barista_session_recommend_many(session, nullptr, 0, nullptr, 0, nullptr) == BARISTA_STATUS_OK);
  CHECK(barista_session_recommend_many(session, nullptr, 2, out.data(), out.size(), counts.data()) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_recommend_many(nullptr, batch.data(), 1, out.data(), out.size(), counts.data()) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  for (barista_request* r : requests) barista_request_free(r);
  barista_session_free(session);
}
