// The C++ header: RAII handles, views and statuses over the C API.
#include <doctest/doctest.h>

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
