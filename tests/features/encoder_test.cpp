// Feature encoding, column by column, against the definitions in the schema
// (and TensorFlow's feature columns where they correspond).
#include <doctest/doctest.h>

#include <cmath>

#include "features/encoder.h"
#include "hash/fingerprint.h"
#include "support/test_models.h"

using namespace barista::internal;
using namespace barista_test;

namespace {

struct Fixture {
  ModelSpec spec = random_test_model(31);
  std::vector<uint8_t> storage;
  std::unique_ptr<Model> model = open_spec(spec, &storage);
  Encoder encoder{*model};
  FeatureBag request{*model, BagRole::Request};
  FeatureBag item{*model, BagRole::Item};

  uint32_t column(const char* name) const {
    for (uint32_t c = 0; c < spec.columns.size(); ++c) {
      if (spec.columns[c].name == name) return c;
    }
    FAIL("no column " << name);
    return 0;
  }
  std::vector<uint32_t> ids(const char* name, ItemRef ref) {
    Vec<uint32_t> out;
    const Status s = encoder.column_ids(Example{&request, ref}, column(name), &out);
    REQUIRE_MESSAGE(s.ok(), s.message());
    return std::vector<uint32_t>(out.begin(), out.end());
  }
};

}  // namespace

TEST_CASE("hashed columns: Fingerprint64 of each value modulo the buckets") {
  Fixture f;
  REQUIRE(f.request.add_string("history", "item-3").ok());
  REQUIRE(f.request.add_string("history", "something else").ok());
  CHECK(f.ids("history", ItemRef()) ==
        std::vector<uint32_t>{static_cast<uint32_t>(fingerprint64("item-3") % 89),
                              static_cast<uint32_t>(fingerprint64("something else") % 89)});
  CHECK(f.ids("user_id", ItemRef()).empty());  // anonymous: no id
}

TEST_CASE("vocabulary columns: position, OOV buckets, or no id without them") {
  Fixture f;
  // item_id: 50 known items + 3 OOV buckets.
  CHECK(f.ids("item_id", ItemRef::catalog(17)) == std::vector<uint32_t>{17});
  REQUIRE(f.item.add_string("item_id", "brand-new").ok());
  CHECK(f.ids("item_id", ItemRef::described(f.item)) ==
        std::vector<uint32_t>{static_cast<uint32_t>(50 + fingerprint64("brand-new") % 3)});
  // device: no OOV buckets, so an unknown device has no id (TensorFlow's -1).
  REQUIRE(f.request.add_string("device", "till").ok());
  CHECK(f.ids("device", ItemRef()) == std::vector<uint32_t>{2});
  REQUIRE(f.request.add_string("device", "toaster").ok());  // single-valued: replaces
  CHECK(f.ids("device", ItemRef()).empty());
}

TEST_CASE("bucketized columns count the boundaries at or below the value") {
  Fixture f;  // hour_bucket boundaries {6, 11, 14, 18}
  const std::pair<double, uint32_t> cases[] = {{-3, 0},   {5.99, 0}, {6, 1},  {10.5, 1}, {11, 2},
                                               {13.9, 2}, {14, 3},   {18, 4}, {23, 4}};
  for (const auto& [hour, bucket] : cases) {
    CAPTURE(hour);
    REQUIRE(f.request.set_number("hour", hour).ok());
    CHECK(f.ids("hour_bucket", ItemRef()) == std::vector<uint32_t>{bucket});
  }
  f.request.clear();  // unset: the input's default (12)
  CHECK(f.ids("hour_bucket", ItemRef()) == std::vector<uint32_t>{2});
}

TEST_CASE("numeric columns are standardized; unset inputs take the default") {
  Fixture f;
  REQUIRE(f.request.set_number("hour", 17.0).ok());
  CHECK(f.encoder.numeric_value(Example{&f.request, ItemRef()}, f.column("hour")) ==
        doctest::Approx((17.0 - 12.0) / 5.0));
  f.request.clear();
  CHECK(f.encoder.numeric_value(Example{&f.request, ItemRef()}, f.column("hour")) == 0.0f);
  CHECK(f.encoder.numeric_value(Example{&f.request, ItemRef::catalog(4)}, f.column("price")) ==
        doctest::Approx((static_cast<double>(f.spec.catalog.numeric.at(kPrice)[4]) - 3.0) / 1.5));
}

TEST_CASE("crossed columns chain FingerprintCat64 over raw values (hashed) and decimal ids (vocabulary)") {
  Fixture f;
  REQUIRE(f.request.add_string("user_id", "user-9").ok());
  // user_x_item = cross(user_id [hashed], item_id [vocabulary]) % 211
  const uint64_t chain =
      fingerprint_cat64(fingerprint_cat64(kDefaultCrossHashKey, fingerprint64("user-9")), fingerprint64("17"));
  CHECK(f.ids("user_x_item", ItemRef::catalog(17)) == std::vector<uint32_t>{static_cast<uint32_t>(chain % 211)});
  // Multi-valent x single: one id per combination; an empty component: none.
  REQUIRE(f.request.add_string("history", "a").ok());
  REQUIRE(f.request.add_string("history", "b").ok());
  CHECK(f.ids("history_x_item", ItemRef::catalog(2)).size() == 2);
  f.request.clear();
  CHECK(f.ids("history_x_item", ItemRef::catalog(2)).empty());
}

TEST_CASE("combiners: sum, mean and sqrt(n) over the ids") {
  CHECK(combiner_scale(fb::Combiner::Sum, 4) == 1.0f);
  CHECK(combiner_scale(fb::Combiner::Mean, 4) == 0.25f);
  CHECK(combiner_scale(fb::Combiner::Sqrtn, 4) == 0.5f);
  CHECK(combiner_scale(fb::Combiner::Mean, 0) == 0.0f);
}

TEST_CASE("feature bags refuse what does not fit the model") {
  Fixture f;
  Status s = f.request.add_string("category", "tea");  // an item input
  CHECK(s.code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(s.message().find("describes the item") != std::string::npos);
  s = f.request.add_string("colour", "red");
  CHECK(s.code() == BARISTA_STATUS_NOT_FOUND);
  CHECK(s.message().find("user_id, history, hour, device") != std::string::npos);
  CHECK(f.request.set_number("hour", std::nan("")).code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(f.request.set_number("hour", INFINITY).code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(f.request.set_number("hour", 1e300).code() == BARISTA_STATUS_INVALID_ARGUMENT);  // not a finite float
  CHECK(f.request.set_number("user_id", 1.0).code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(f.request.add_string("hour", "noon").code() == BARISTA_STATUS_INVALID_ARGUMENT);
  for (int i = 0; i < 10; ++i) REQUIRE(f.request.add_string("history", "x").ok());
  s = f.request.add_string("history", "one too many");
  CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(s.message().find("at most 10") != std::string::npos);
  CHECK(f.request.add_string("device", std::string(70000, 'x')).code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(f.item.set_number("hour", 3).code() == BARISTA_STATUS_INVALID_ARGUMENT);
}

TEST_CASE("a finite number that its numeric column would standardize to infinity is refused when set") {
  ModelSpec spec = random_test_model(31);
  bool found = false;
  for (ColumnSpec& column : spec.columns) {
    if (column.kind == fb::ColumnKind::Numeric && column.name == "hour") {
      column.mean = 12.0f;
      column.stddev = 1e-3f;  // fine for the hours of a day
      found = true;
    }
  }
  REQUIRE(found);
  std::vector<uint8_t> storage;
  std::unique_ptr<Model> model = open_spec(spec, &storage);
  FeatureBag request{*model, BagRole::Request};
  CHECK(request.set_number("hour", 23.0).ok());
  CHECK(request.set_number("hour", 1e35).ok());  // 1e38 once standardized: still a float
  const Status s = request.set_number("hour", 1e36);  // 1e39: beyond float, every score would be NaN
  CHECK(s.code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(s.message().find("column 'hour' standardizes") != std::string::npos);
}
