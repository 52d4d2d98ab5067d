// Loading logs: bad rows, labels, features from three sources, time order,
// and the leave-last-out split.
#include <doctest/doctest.h>

#include "data/dataset.h"
#include "support/temp_dir.h"

using namespace barista::internal;
using barista_test::TempDir;

namespace {

TrainConfig config_for(const TempDir& dir, const std::string& extra) {
  TrainConfig c;
  const std::string text =
      R"({"data": {"interactions": {"path": "log.csv", "user": "u", "item": "i", "time": "t")" + extra;
  const Status s = parse_train_config(text, dir.path(), &c);
  REQUIRE_MESSAGE(s.ok(), s.message());
  return c;
}

}  // namespace

TEST_CASE("dataset: bad rows are skipped and counted with file and line, or stop the load") {
  TempDir dir;
  dir.write("log.csv",
            "u,i,t\n"
            "alice,latte,10\n"
            "bob,,11\n"           // no item
            "carol,mocha,noon\n"  // time is not a number
            "dave,tea\n"          // ragged
            "bob,scone,12\n");
  Dataset data;
  Status s = load_dataset(config_for(dir, "}}}"), &data);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(data.interactions.size() == 2);
  CHECK(data.bad_rows == 3);
  CHECK(data.rows_read == 5);
  REQUIRE(data.bad_row_messages.size() == 3);
  CHECK(data.bad_row_messages[0] == dir.file("log.csv") + ":3: the item is empty");
  CHECK(data.bad_row_messages[1] == dir.file("log.csv") + ":4: time 'noon' is not a number");
  CHECK(data.bad_row_messages[2] == dir.file("log.csv") + ":5: 2 fields where the header has 3");
  s = load_dataset(config_for(dir, R"(}, "bad_rows": "stop"}})"), &data);
  CHECK(s.code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(s.message().find(":3: the item is empty") != std::string::npos);
}

TEST_CASE("dataset: explicit labels by threshold or in [0, 1], weights, a missing column") {
  TempDir dir;
  dir.write("log.csv", "u,i,t,rating\nalice,latte,1,4.5\nalice,tea,2,2\nbob,latte,3,7\n");
  Dataset data;
  REQUIRE(load_dataset(config_for(dir, R"(, "label": "rating", "label_threshold": 4}}})"), &data).ok());
  REQUIRE(data.interactions.size() == 3);
  CHECK(data.interactions[0].label == 1.0f);
  CHECK(data.interactions[1].label == 0.0f);
  // Without a threshold, labels must lie in [0, 1]: 4.5, 2 and 7 do not.
  Status s = load_dataset(config_for(dir, R"(, "label": "rating"}}})"), &data);
  CHECK(s.message().find("no usable interactions") != std::string::npos);
  s = load_dataset(config_for(dir, R"(, "weight": "w"}}})"), &data);
  CHECK(s.message().find("no column 'w' (the weight); the header has 'u', 'i', 't', 'rating'") != std::string::npos);
}

TEST_CASE("dataset: item, user and context features; catalog order; time order with stable ties") {
  TempDir dir;
  dir.write("items.csv",
            "item,title,genres,price\n"
            "m1,\"Heat (1995)\",Action|Crime,3.5\n"
            "m2,Untitled,,\n"
            "m3,\"Up (2009)\",Animation,x\n");  // bad price: row skipped
  dir.write("users.csv", "user,region\nalice,north\n");
  dir.write("log.csv",
            "u,i,t,store\n"
            "bob,m2,5,s1\n"
            "alice,m1,3,s2\n"
            "alice,m9,3,s1\n"  // same time as the row before: file order kept
            "alice,m2,1,s3\n");
  Dataset data;
  const Status s =
      load_dataset(config_for(dir, R"json(}, "items": {"path": "items.csv"}, "users": {"path": "users.csv"}},
      "features": [
        {"name": "year", "source": "item", "column": "title", "pattern": "\\((\\d{4})\\)", "type": "numeric"},
        {"name": "genres", "source": "item", "separator": "|"},
        {"name": "price", "source": "item", "type": "numeric"},
        {"name": "region", "source": "user"},
        {"name": "store", "source": "context"}]})json"),
                   &data);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(data.bad_rows == 1);
  // Catalog: the items file's order (m3 skipped), then items only in the log.
  CHECK(data.item_ids == std::vector<std::string>{"m1", "m2", "m9"});
  CHECK(!data.integer_item_ids);
  CHECK(data.features[0].numeric[0] == 1995.0f);
  CHECK(data.features[0].present[1] == 0);  // no year in "Untitled"
  CHECK(data.features[1].categorical[0] == std::vector<std::string>{"Action", "Crime"});
  CHECK(data.features[1].categorical[1].empty());
  CHECK(data.features[1].categorical[2].empty());  // m9: not in the items file
  // Users in order of appearance; features re-indexed to them.
  CHECK(data.user_ids == std::vector<std::string>{"bob", "alice"});
  CHECK(data.features[3].categorical[1] == std::vector<std::string>{"north"});
  CHECK(data.features[3].categorical[0].empty());
  // Grouped by user, time-ordered, ties in file order.
  REQUIRE(data.interactions.size() == 4);
  CHECK(data.user_begin == std::vector<uint32_t>{0, 1, 4});
  CHECK(data.item_ids[data.interactions[1].item] == "m2");  // alice at t=1
  CHECK(data.item_ids[data.interactions[2].item] == "m1");  // t=3, first in the file
  CHECK(data.item_ids[data.interactions[3].item] == "m9");
  CHECK(data.features[4].categorical[data.interactions[3].row] == std::vector<std::string>{"s1"});
  CHECK(data.fingerprint.size() == 16);
}

TEST_CASE("split: the last interaction is the test item, the one before it validates") {
  TempDir dir;
  dir.write("log.csv", "u,i,t\na,x,1\nb,x,1\nb,y,2\nc,x,1\nc,y,2\nc,z,3\n");
  Dataset data;
  REQUIRE(load_dataset(config_for(dir, "}}}"), &data).ok());
  CHECK(data.integer_item_ids == false);
  const Split split = make_split(data, TrainingConfig::Holdout::Last, true);
  // a: one interaction, kept for training; b: test only; c: test, validation, training.
  CHECK(split.test == std::vector<int64_t>{-1, 2, 5});
  CHECK(split.validation == std::vector<int64_t>{-1, -1, 4});
  CHECK(split.training_count == 3);
  const Split none = make_split(data, TrainingConfig::Holdout::None, false);
  CHECK(none.training_count == 6);
}
