// The C++ header: RAII handles, views and statuses over the C API.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "barista.hpp"
#include "samples/coffee_model.h"
#include "writer/model_writer.h"

TEST_CASE("C++ wrapper: open, describe, score and recommend without exceptions") {
  std::vector<uint8_t> bytes;
  REQUIRE(barista::internal::write_model(barista::cli::make_coffee_model(), barista::internal::WriteOptions(), &bytes)
              .ok());

  barista::Model model;
  barista::Status status = barista::Model::open("/no/such/model", &model);
  CHECK(!status);
  CHECK(status.code() == BARISTA_STATUS_IO_ERROR);
  CHECK(std::string(status.name()) == "BARISTA_STATUS_IO_ERROR");
  CHECK(!model);
  REQUIRE(barista::Model::open_buffer(bytes.data(), bytes.size(), &model));
  CHECK(model.item_count() == 22);
  CHECK(model.verify().ok());
  uint32_t latte = 0;
  REQUIRE(model.find_item("latte", &latte));
  CHECK(model.item_id(latte) == "latte");
  CHECK(model.find_item("nope", &latte).code() == BARISTA_STATUS_NOT_FOUND);
  CHECK(model.item_id(1000).empty());

  barista::Session session;
  barista::Request request;
  barista::Item item;
  REQUIRE(barista::Session::create(model, &session));
  REQUIRE(barista::Request::create(model, &request));
  REQUIRE(barista::Item::create(model, &item));
  REQUIRE(request.set_user("bob"));
  REQUIRE(request.set("hour", 15.0));
  status = request.add("nope", std::string_view("x"));
  CHECK(status.code() == BARISTA_STATUS_NOT_FOUND);
  CHECK(status.message().find("no input 'nope'") != std::string::npos);
  REQUIRE(item.add("category", std::string_view("tea")));
  REQUIRE(item.add("flavors", std::string_view("grassy")));

  std::vector<float> scores;
  const std::vector<uint32_t> items = {0, 9, 10};
  REQUIRE(session.score(request, items, &scores));
  CHECK(scores.size() == 3);
  CHECK(scores[1] > scores[0]);  // bob prefers green tea to espresso
  std::vector<float> described;
  REQUIRE(session.score(request, {&item}, &described));
  CHECK(described.size() == 1);

  barista::RecommendOptions options;
  options.k = 3;
  options.extra_items.push_back(&item);
  std::vector<barista_recommendation> top;
  REQUIRE(session.recommend(request, options, &top));
  REQUIRE(top.size() == 3);
  CHECK(model.item_id(top[0].item) == "green tea");
  const std::vector<uint32_t> candidates = {latte};
  options.candidates = barista::Span<uint32_t>(candidates);
  options.extra_items.clear();
  REQUIRE(session.recommend(request, options, &top));
  REQUIRE(top.size() == 1);
  CHECK(top[0].item == latte);
  options.candidates = barista::Span<uint32_t>();  // set but empty: nothing to rank
  REQUIRE(session.recommend(request, options, &top));
  CHECK(top.empty());
}

TEST_CASE("C++ wrapper: many requests at once, catalog changes, explanations") {
  std::vector<uint8_t> bytes;
  REQUIRE(barista::internal::write_model(barista::cli::make_coffee_model(), barista::internal::WriteOptions(), &bytes)
              .ok());
  barista::Model model;
  REQUIRE(barista::Model::open_buffer(bytes.data(), bytes.size(), &model));
  barista::Session session;
  REQUIRE(barista::Session::create(model, &session));
  std::vector<barista::Request> requests(3);
  const char* users[] = {"alice", "bob", "carol"};
  std::vector<const barista::Request*> pointers;
  for (size_t i = 0; i < requests.size(); ++i) {
    REQUIRE(barista::Request::create(model, &requests[i]));
    REQUIRE(requests[i].set_user(users[i]));
    pointers.push_back(&requests[i]);
  }
  barista::RecommendOptions options;
  options.k = 4;
  std::vector<std::vector<barista_recommendation>> lists;
  REQUIRE(session.recommend_many(pointers, options, &lists));
  REQUIRE(lists.size() == 3);
  for (size_t i = 0; i < requests.size(); ++i) {
    std::vector<barista_recommendation> one;
    REQUIRE(session.recommend(requests[i], options, &one));
    REQUIRE(lists[i].size() == one.size());
    for (size_t r = 0; r < one.size(); ++r) CHECK(lists[i][r].item == one[r].item);
  }
  const uint32_t favourite = lists[0][0].item;
  pointers.push_back(nullptr);
  const barista::Status refused = session.recommend_many(pointers, options, &lists);
  CHECK(refused.code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(refused.message().find("request 3") != std::string::npos);

  // Catalog changes: alice's favourite sold out, a new item added.
  barista::Catalog catalog;
  REQUIRE(barista::Catalog::open(model, "", &catalog));
  REQUIRE(catalog.set_available(model.item_id(favourite), false));
  CHECK(catalog.unavailable() == std::vector<uint32_t>{favourite});
  barista::Item seasonal;
  REQUIRE(barista::Item::create(model, &seasonal));
  REQUIRE(seasonal.add("category", std::string_view("chocolate")));
  REQUIRE(catalog.add_item("winter mocha", seasonal));
  CHECK(catalog.added_count() == 1);
  CHECK(catalog.added_id(0) == "winter mocha");
  CHECK(catalog.added_id(1).empty());
  CHECK(catalog.add_item("latte", seasonal).code() == BARISTA_STATUS_INVALID_ARGUMENT);
  REQUIRE(session.set_catalog(catalog));
  std::vector<barista_recommendation> top;
  options.k = model.item_count() + 1;
  REQUIRE(session.recommend(requests[0], options, &top));
  CHECK(top.size() == model.item_count());  // one out, one in
  for (const barista_recommendation& r : top) CHECK(r.item != favourite);
  CHECK(std::any_of(top.begin(), top.end(), [&](const auto& r) { return r.item == model.item_count(); }));
  REQUIRE(session.set_catalog(barista::Catalog()));

  // Why alice's favourite.
  barista_explanation why{};
  REQUIRE(session.explain(requests[0], favourite, &why));
  CHECK(why.wide_term_count > 0);
  CHECK(why.logit == doctest::Approx(why.bias + why.wide + why.learned + why.deep));
}
