// Catalog changes through the C API: unavailable items leave
// recommendations, added items are ranked with the catalog (scored as the
// same item described per request), both survive a save and a reopen, and
// bad input or a bad file changes nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "barista.h"
#include "platform/file_io.h"
#include "samples/coffee_model.h"
#include "support/coffee_handle.h"
#include "support/temp_dir.h"
#include "support/test_models.h"
#include "writer/model_writer.h"

using namespace barista_test;
using namespace barista::internal;

namespace {

barista_item* pumpkin_latte(barista_model* model) {
  barista_item* item = nullptr;
  REQUIRE(barista_item_create(model, &item) == BARISTA_STATUS_OK);
  REQUIRE(barista_item_add_string(item, "category", "espresso", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_item_add_string(item, "flavors", "spiced", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_item_add_string(item, "flavors", "milky", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_item_set_number(item, "price", 4.9) == BARISTA_STATUS_OK);
  return item;
}

barista_request* dave_at(barista_model* model, double hour) {
  barista_request* request = nullptr;
  REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, "dave", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_number(request, "hour", hour) == BARISTA_STATUS_OK);
  return request;
}

std::vector<barista_recommendation> ranking(barista_session* session, barista_request* request, size_t k,
                                            const barista_item* extra = nullptr) {
  barista_recommend_params params = barista_recommend_default_params();
  params.k = k;
  params.extra_items = &extra;
  params.extra_item_count = extra != nullptr ? 1 : 0;
  std::vector<barista_recommendation> top(k);
  size_t count = 0;
  REQUIRE(barista_session_recommend(session, request, &params, top.data(), top.size(), &count) == BARISTA_STATUS_OK);
  top.resize(count);
  return top;
}

const barista_recommendation* find(const std::vector<barista_recommendation>& top, uint32_t item) {
  for (const barista_recommendation& r : top) {
    if (r.item == item) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("catalog changes: unavailable items are not recommended, added ones are ranked with the catalog") {
  Coffee coffee;
  const size_t n = coffee.items();
  TempDir dir;
  const std::string path = dir.file("changes");
  barista_catalog* catalog = nullptr;
  barista_error error;
  REQUIRE(barista_catalog_open(coffee.model, path.c_str(), &catalog, &error) == BARISTA_STATUS_OK);
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_catalog(session, catalog) == BARISTA_STATUS_OK);
  barista_request* dave = dave_at(coffee.model, 9);

  // Sold out: gone from the whole ranking, still scored; back when available.
  const std::vector<barista_recommendation> before = ranking(session, dave, n);
  REQUIRE(before.size() == n);
  const uint32_t first = before[0].item;
  std::vector<char> first_id(64);
  REQUIRE(barista_model_get_item_id(coffee.model, first, first_id.data(), first_id.size(), nullptr) ==
          BARISTA_STATUS_OK);
  REQUIRE(barista_catalog_set_available(catalog, first_id.data(), BARISTA_STRLEN, 0) == BARISTA_STATUS_OK);
  const std::vector<barista_recommendation> sold_out = ranking(session, dave, n);
  CHECK(sold_out.size() == n - 1);
  CHECK(find(sold_out, first) == nullptr);
  CHECK(sold_out[0].item == before[1].item);
  float score = 0;
  CHECK(barista_session_score(session, dave, &first, 1, &score, 1) == BARISTA_STATUS_OK);
  CHECK(score == before[0].score);
  CHECK(barista_catalog_unavailable_count(catalog) == 1);

  // A new item, by its features: ranked with the catalog as item n, scored
  // as the same item described in the request would be.
  barista_item* pumpkin = pumpkin_latte(coffee.model);
  REQUIRE(barista_catalog_add_item(catalog, "pumpkin spice latte", BARISTA_STRLEN, pumpkin) == BARISTA_STATUS_OK);
  CHECK(barista_catalog_added_count(catalog) == 1);
  const std::vector<barista_recommendation> with_new = ranking(session, dave, n + 1);
  CHECK(with_new.size() == n);  // n - 1 available + 1 added
  const barista_recommendation* added = find(with_new, static_cast<uint32_t>(n));
  REQUIRE(added != nullptr);
  barista_item* described = pumpkin_latte(coffee.model);
  REQUIRE(barista_item_add_string(described, "item_id", "pumpkin spice latte", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  float described_score = 0;
  REQUIRE(barista_session_score_items(session, dave, &described, 1, &described_score, 1) == BARISTA_STATUS_OK);
  CHECK(added->score == doctest::Approx(described_score).epsilon(1e-6));
  // Dave likes spiced drinks: the new one ranks near the top for him.
  CHECK(std::find_if(with_new.begin(), with_new.begin() + 5, [&](const auto& r) { return r.item == n; }) !=
        with_new.begin() + 5);
  // Extra items come after the added ones.
  const std::vector<barista_recommendation> with_extra = ranking(session, dave, n + 2, described);
  CHECK(find(with_extra, static_cast<uint32_t>(n + 1)) != nullptr);
  char id[64];
  size_t length = 0;
  REQUIRE(barista_catalog_get_added_id(catalog, 0, id, sizeof id, &length) == BARISTA_STATUS_OK);
  CHECK(std::string(id) == "pumpkin spice latte");

  // Saved and reopened: the same changes, the same ranking.
  REQUIRE(barista_catalog_save(catalog) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_catalog(session, nullptr) == BARISTA_STATUS_OK);
  barista_catalog_free(catalog);
  REQUIRE(barista_catalog_open(coffee.model, path.c_str(), &catalog, &error) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_catalog(session, catalog) == BARISTA_STATUS_OK);
  CHECK(barista_catalog_unavailable_count(catalog) == 1);
  CHECK(barista_catalog_added_count(catalog) == 1);
  const std::vector<barista_recommendation> reopened = ranking(session, dave, n + 1);
  REQUIRE(reopened.size() == with_new.size());
  for (size_t i = 0; i < reopened.size(); ++i) {
    CHECK(reopened[i].item == with_new[i].item);
    CHECK(reopened[i].score == with_new[i].score);
  }

  // Available again, removed: back to the model's own ranking.
  REQUIRE(barista_catalog_set_available(catalog, first_id.data(), BARISTA_STRLEN, 1) == BARISTA_STATUS_OK);
  REQUIRE(barista_catalog_remove_item(catalog, "pumpkin spice latte", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  const std::vector<barista_recommendation> restored = ranking(session, dave, n + 1);
  REQUIRE(restored.size() == n);
  for (size_t i = 0; i < n; ++i) CHECK(restored[i].item == before[i].item);

  // The session keeps the catalog alive.
  barista_catalog_free(catalog);
  CHECK(ranking(session, dave, 3).size() == 3);
  barista_item_free(pumpkin);
  barista_item_free(described);
  barista_request_free(dave);
  barista_session_free(session);
}

TEST_CASE("an added item is learned on the device through its features") {
  Coffee coffee;
  const size_t n = coffee.items();
  barista_catalog* catalog = nullptr;
  REQUIRE(barista_catalog_open(coffee.model, nullptr, &catalog, nullptr) == BARISTA_STATUS_OK);
  barista_item* pumpkin = pumpkin_latte(coffee.model);
  REQUIRE(barista_catalog_add_item(catalog, "pumpkin spice latte", BARISTA_STRLEN, pumpkin) == BARISTA_STATUS_OK);
  barista_overlay* overlay = nullptr;
  REQUIRE(barista_overlay_open(coffee.model, nullptr, nullptr, &overlay, nullptr) == BARISTA_STATUS_OK);
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_catalog(session, catalog) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
  // A stranger who takes the new drink three times.
  barista_request* stranger = nullptr;
  REQUIRE(barista_request_create(coffee.model, &stranger) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(stranger, "walk-in", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  auto rank = [&] {
    const std::vector<barista_recommendation> all = ranking(session, stranger, n + 1);
    for (size_t r = 0; r < all.size(); ++r) {
      if (all[r].item == n) return r;
    }
    return all.size();
  };
  const size_t before = rank();
  barista_item* taken = pumpkin_latte(coffee.model);
  REQUIRE(barista_item_add_string(taken, "item_id", "pumpkin spice latte", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  for (int visit = 0; visit < 3; ++visit) {
    REQUIRE(barista_overlay_observe_item(overlay, stranger, taken, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  }
  const size_t after = rank();
  CAPTURE(before);
  CAPTURE(after);
  CHECK(after < before);
  barista_item_free(taken);
  barista_item_free(pumpkin);
  barista_request_free(stranger);
  barista_session_free(session);
  barista_overlay_free(overlay);
  barista_catalog_free(catalog);
}

TEST_CASE("catalog changes: bad input is refused and changes nothing") {
  Coffee coffee;
  barista_catalog* catalog = nullptr;
  REQUIRE(barista_catalog_open(coffee.model, nullptr, &catalog, nullptr) == BARISTA_STATUS_OK);
  barista_item* pumpkin = pumpkin_latte(coffee.model);
  CHECK(barista_catalog_set_available(catalog, "unicorn latte", BARISTA_STRLEN, 0) == BARISTA_STATUS_NOT_FOUND);
  CHECK(std::string(barista_catalog_last_error(catalog)).find("unicorn latte") != std::string::npos);
  CHECK(barista_catalog_add_item(catalog, "cappuccino", BARISTA_STRLEN, pumpkin) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_catalog_last_error(catalog)).find("in the catalog") != std::string::npos);
  CHECK(barista_catalog_add_item(catalog, "", 0, pumpkin) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_catalog_add_item(catalog, "x", 1, nullptr) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_item* named = pumpkin_latte(coffee.model);
  REQUIRE(barista_item_add_string(named, "item_id", "other", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  CHECK(barista_catalog_add_item(catalog, "pumpkin", BARISTA_STRLEN, named) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_catalog_remove_item(catalog, "pumpkin", BARISTA_STRLEN) == BARISTA_STATUS_NOT_FOUND);
  CHECK(barista_catalog_added_count(catalog) == 0);
  CHECK(barista_catalog_unavailable_count(catalog) == 0);
  char id[8];
  CHECK(barista_catalog_get_added_id(catalog, 0, id, sizeof id, nullptr) == BARISTA_STATUS_INVALID_ARGUMENT);

  // The limit: 4,096 added items, then a refusal; replacing one is fine.
  for (int i = 0; i < 4096; ++i) {
    const std::string name = "new-" + std::to_string(i);
    REQUIRE(barista_catalog_add_item(catalog, name.c_str(), name.size(), pumpkin) == BARISTA_STATUS_OK);
  }
  CHECK(barista_catalog_add_item(catalog, "one too many", BARISTA_STRLEN, pumpkin) == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(barista_catalog_add_item(catalog, "new-7", BARISTA_STRLEN, pumpkin) == BARISTA_STATUS_OK);
  CHECK(barista_catalog_added_count(catalog) == 4096);

  // Another model's session, item or catalog.
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(random_test_model(2), WriteOptions(), &bytes).ok());
  barista_model* other = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &other, nullptr) == BARISTA_STATUS_OK);
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(other, &session) == BARISTA_STATUS_OK);
  CHECK(barista_session_set_catalog(session, catalog) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_item* foreign = nullptr;
  REQUIRE(barista_item_create(other, &foreign) == BARISTA_STATUS_OK);
  CHECK(barista_catalog_add_item(catalog, "y", 1, foreign) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_catalog* empty_path = nullptr;
  CHECK(barista_catalog_open(coffee.model, "", &empty_path, nullptr) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_item_free(foreign);
  barista_session_free(session);
  barista_model_free(other);
  barista_item_free(named);
  barista_item_free(pumpkin);
  barista_catalog_free(catalog);
}

TEST_CASE("catalog changes files: another model's, another version, every truncation and damage are refused") {
  Coffee coffee;
  TempDir dir;
  const std::string path = dir.file("changes");
  barista_catalog* catalog = nullptr;
  REQUIRE(barista_catalog_open(coffee.model, path.c_str(), &catalog, nullptr) == BARISTA_STATUS_OK);
  barista_item* pumpkin = pumpkin_latte(coffee.model);
  REQUIRE(barista_catalog_add_item(catalog, "pumpkin spice latte", BARISTA_STRLEN, pumpkin) == BARISTA_STATUS_OK);
  REQUIRE(barista_catalog_set_available(catalog, "cappuccino", BARISTA_STRLEN, 0) == BARISTA_STATUS_OK);
  REQUIRE(barista_catalog_save(catalog) == BARISTA_STATUS_OK);
  barista_catalog_free(catalog);
  Vec<uint8_t> good;
  bool exists = false;
  REQUIRE(read_whole_file(path, &good, &exists).ok());

  // Another model.
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(random_test_model(2), WriteOptions(), &bytes).ok());
  barista_model* other = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &other, nullptr) == BARISTA_STATUS_OK);
  barista_error error;
  CHECK(barista_catalog_open(other, path.c_str(), &catalog, &error) == BARISTA_STATUS_WRONG_MODEL);
  barista_model_free(other);

  // Every truncation, and a flipped bit in every byte: refused, never applied in part.
  for (size_t size = 0; size < good.size(); ++size) {
    CAPTURE(size);
    REQUIRE(replace_file_durably(path, good.data(), size).ok());
    barista_catalog* opened = nullptr;
    const barista_status status = barista_catalog_open(coffee.model, path.c_str(), &opened, &error);
    CHECK(status == BARISTA_STATUS_CORRUPT_OVERLAY);
    CHECK(opened == nullptr);
  }
  for (size_t at = 0; at < good.size(); ++at) {
    CAPTURE(at);
    Vec<uint8_t> damaged = good;
    damaged[at] ^= 0x10;
    REQUIRE(replace_file_durably(path, damaged.data(), damaged.size()).ok());
    barista_catalog* opened = nullptr;
    const barista_status status = barista_catalog_open(coffee.model, path.c_str(), &opened, &error);
    CHECK(status != BARISTA_STATUS_OK);
    CHECK(opened == nullptr);
  }
  REQUIRE(replace_file_durably(path, good.data(), good.size()).ok());
  REQUIRE(barista_catalog_open(coffee.model, path.c_str(), &catalog, &error) == BARISTA_STATUS_OK);
  CHECK(barista_catalog_added_count(catalog) == 1);
  CHECK(barista_catalog_unavailable_count(catalog) == 1);
  barista_catalog_free(catalog);
  barista_item_free(pumpkin);
}
