// Loading logs: bad rows, labels, features from three sources, time order,
// and the leave-last-out split.
#include <doctest/doctest.h>

#include <algorithm>

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
  CHECK(data.bad_row_messages[1] == dir.file("log.csv") +
                                        ":4: time 'noon' is neither a number (Unix seconds) nor an ISO 8601 "
                                        "date-time (YYYY-MM-DD HH:MM:SS)");
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

TEST_CASE("dataset: text date-times order the log; a bad date is a bad row that says why, also when all are bad") {
  TempDir dir;
  dir.write("log.csv",
            "u,i,t\n"
            "alice,latte,2011-01-04 10:00:00\n"
            "alice,mocha,2010-12-31 23:59:59\n"
            "alice,scone,2011-02-30 08:00:00\n"  // no such day
            "alice,tea,2011-01-04 10:00:00\n");  // a tie with latte: file order
  Dataset data;
  REQUIRE(load_dataset(config_for(dir, "}}}"), &data).ok());
  REQUIRE(data.interactions.size() == 3);
  CHECK(data.item_ids[data.interactions[0].item] == "mocha");
  CHECK(data.interactions[0].time == 1293839999);
  CHECK(data.item_ids[data.interactions[1].item] == "latte");
  CHECK(data.item_ids[data.interactions[2].item] == "tea");
  REQUIRE(data.bad_row_messages.size() == 1);
  CHECK(data.bad_row_messages[0] == dir.file("log.csv") + ":4: time '2011-02-30 08:00:00': day 30 is not in February 2011");

  dir.write("log.csv", "u,i,t\nalice,latte,04/01/2011\nbob,tea,yesterday\n");
  const Status s = load_dataset(config_for(dir, "}}}"), &data);
  CHECK(s.code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(s.message() == dir.file("log.csv") + ": no usable interactions (2 rows read, 2 bad; the first: " +
                           dir.file("log.csv") +
                           ":2: time '04/01/2011' is neither a number (Unix seconds) nor an ISO 8601 date-time "
                           "(YYYY-MM-DD HH:MM:SS))");
}

TEST_CASE("dataset: rows dropped by filters (prefix, set, empty, number bounds, regex) are counted, not bad") {
  TempDir dir;
  dir.write("log.csv",
            "u,i,t,invoice,qty\n"
            "alice,latte,1,536365,2\n"
            "alice,latte,2,C536366,-2\n"  // a return: prefix C
            "bob,POST,3,536367,1\n"       // a fee code: in the set
            ",tea,4,536368,1\n"           // a guest: empty user
            "bob,tea,5,536369,0\n"        // nothing bought: at_most 0
            "bob,scone,6,536370,many\n"   // not a number: a bad row
            "bob,mocha,7,536371,3\n"
            "carol,gift voucher,8,536372,1\n");  // regex
  const std::string drop = R"(, "drop": [
      {"column": "invoice", "prefix": ["C", "A"]},
      {"column": "i", "in": ["POST", "DOT"]},
      {"column": "u", "empty": true},
      {"column": "qty", "at_most": 0},
      {"column": "i", "matches": "^gift"}]}}})";
  Dataset data;
  REQUIRE(load_dataset(config_for(dir, drop), &data).ok());
  CHECK(data.rows_read == 8);
  CHECK(data.dropped_rows == 5);
  CHECK(data.bad_rows == 1);
  REQUIRE(data.bad_row_messages.size() == 1);
  CHECK(data.bad_row_messages[0] == dir.file("log.csv") + ":7: 'many' (column 'qty') is not a number (drop[3])");
  CHECK(data.interactions.size() == 2);
  CHECK(data.item_ids == std::vector<std::string>{"latte", "mocha"});
  // The first rule that matches drops the row; the rest are not asked.
  Status s = load_dataset(config_for(dir, R"(, "drop": [{"column": "qty", "at_least": 1}]}}})"), &data);
  REQUIRE(s.ok());
  CHECK(data.dropped_rows == 5);  // every row with qty >= 1
  CHECK(data.bad_rows == 1);
  CHECK(data.interactions.size() == 2);
  s = load_dataset(config_for(dir, R"(, "drop": [{"column": "quantity", "empty": true}]}}})"), &data);
  CHECK(s.message().find("drop[0]: " + dir.file("log.csv") + " has no column 'quantity'") != std::string::npos);
  s = load_dataset(config_for(dir, R"(, "drop": [{"column": "i", "matches": "(unclosed"}]}}})"), &data);
  CHECK(s.message().find("drop[0].matches: not a valid regex") != std::string::npos);
  // Every row dropped: the message says so.
  s = load_dataset(config_for(dir, R"(, "drop": [{"column": "t", "matches": "."}]}}})"), &data);
  CHECK(s.message() == dir.file("log.csv") + ": no usable interactions (8 rows read, 8 dropped by data.interactions.drop)");
}

TEST_CASE("dataset: item features from the interactions file, one value per item by the configured aggregate") {
  TempDir dir;
  dir.write("log.csv",
            "u,i,t,desc,price\n"
            "alice,mug,1,RED MUG,2.5\n"
            "bob,mug,2,red mug,1.0\n"
            "carol,mug,3,red mug,4.0\n"
            "dave,mug,4,,3.0\n"   // no description: not counted
            "dave,bag,5,BAG,\n"   // no price
            "erin,bag,6,BAG BIG,\n");
  Dataset data;
  const Status s = load_dataset(config_for(dir, R"json(}},
      "features": [
        {"name": "description", "source": "item", "column": "desc"},
        {"name": "first_description", "source": "item", "column": "desc", "aggregate": "first"},
        {"name": "last_word", "source": "item", "column": "desc", "separator": " ", "aggregate": "last"},
        {"name": "price", "source": "item", "type": "numeric"},
        {"name": "mean_price", "source": "item", "column": "price", "type": "numeric", "aggregate": "mean"},
        {"name": "last_price", "source": "item", "column": "price", "type": "numeric", "aggregate": "last"}]})json"),
                                &data);
  REQUIRE_MESSAGE(s.ok(), s.message());
  REQUIRE(data.item_ids == std::vector<std::string>{"mug", "bag"});
  CHECK(data.features[0].categorical[0] == std::vector<std::string>{"red mug"});  // most frequent
  CHECK(data.features[0].categorical[1] == std::vector<std::string>{"BAG"});      // a tie: the first
  CHECK(data.features[1].categorical[0] == std::vector<std::string>{"RED MUG"});
  CHECK(data.features[2].categorical[1] == std::vector<std::string>{"BAG", "BIG"});
  CHECK(data.features[3].numeric[0] == 2.75f);  // the median of 1, 2.5, 3, 4
  CHECK(data.features[3].present[1] == 0);
  CHECK(data.features[4].numeric[0] == 2.625f);
  CHECK(data.features[5].numeric[0] == 3.0f);
  TrainConfig c;
  const Status refused = parse_train_config(
      R"({"data": {"interactions": {"path": "log.csv"}}, "features": [
          {"name": "price", "source": "item", "type": "numeric", "aggregate": "most_frequent"}]})",
      dir.path(), &c);
  CHECK(refused.message().find("features[0].aggregate: a number takes median, mean, first or last") !=
        std::string::npos);
}

TEST_CASE("dataset: a file without a header and with its own delimiter names columns by position") {
  TempDir dir;
  dir.write("log.tsv", "alice\tlatte\t2\nbob\ttea\t1\n");
  dir.write("items.csv", "item;category\nlatte;coffee\n");
  TrainConfig c;
  Status s = parse_train_config(
      R"({"data": {"delimiter": ";",
                   "interactions": {"path": "log.tsv", "delimiter": "\t", "header": false,
                                    "user": "1", "item": "2", "time": "3"},
                   "items": {"path": "items.csv"}},
          "features": [{"name": "category", "source": "item"}]})",
      dir.path(), &c);
  REQUIRE_MESSAGE(s.ok(), s.message());
  Dataset data;
  s = load_dataset(c, &data);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(data.rows_read == 3);  // two interactions and one item
  CHECK(data.interactions.size() == 2);
  CHECK(data.user_ids == std::vector<std::string>{"alice", "bob"});
  CHECK(data.features[0].categorical[0] == std::vector<std::string>{"coffee"});
  CHECK(data.interactions[0].time == 2);
}

TEST_CASE("dataset: users with too few distinct items leave, with the items only they had; repeats may go") {
  TempDir dir;
  dir.write("log.csv",
            "u,i,t\n"
            "alice,latte,1\nalice,latte,2\nalice,scone,3\n"  // two distinct items
            "bob,latte,1\nbob,tea,2\nbob,mocha,3\nbob,tea,4\n");
  Dataset data;
  REQUIRE(load_dataset(config_for(dir, R"(}, "min_user_items": 3}})"), &data).ok());
  CHECK(data.user_ids == std::vector<std::string>{"bob"});
  CHECK(data.users_left_out == 1);
  CHECK(data.item_ids == std::vector<std::string>{"latte", "tea", "mocha"});  // scone was alice's only
  CHECK(data.interactions.size() == 4);
  REQUIRE(load_dataset(config_for(dir, R"(}, "repeats": "first"}})"), &data).ok());
  CHECK(data.interactions.size() == 5);
  CHECK(data.repeats_dropped == 2);
  for (const Interaction& x : data.interactions) {
    CHECK(!(data.user_ids[x.user] == "bob" && data.item_ids[x.item] == "tea" && x.time == 4));
  }
}

TEST_CASE("split: last_new holds out each user's last new item; what follows it and what it validates stay out") {
  TempDir dir;
  dir.write("log.csv",
            "u,i,t\n"
            "a,x,1\na,x,2\n"                                // one item: no target
            "b,x,1\nb,y,2\nb,x,3\n"                        // y, then a repeat of x
            "c,x,1\nc,y,2\nc,z,3\nc,y,4\nc,z,5\nc,w,6\nc,x,7\n");
  Dataset data;
  REQUIRE(load_dataset(config_for(dir, "}}}"), &data).ok());
  const Split test = make_split(data, TrainingConfig::Holdout::LastNew, false);
  CHECK(test.test == std::vector<int64_t>{-1, 3, 10});  // b: y (position 3); c: w (position 10)
  CHECK(test.validation == std::vector<int64_t>{-1, -1, -1});
  // b trains on x@1 only (the repeat after the target stays out); c on x, y, z, y, z.
  const std::vector<uint8_t> expected = {1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0};
  CHECK(test.in_training == expected);
  const Split validated = make_split(data, TrainingConfig::Holdout::LastNew, true);
  CHECK(validated.test == std::vector<int64_t>{-1, 3, 10});
  CHECK(validated.validation == std::vector<int64_t>{-1, -1, 7});  // c: z at position 7, its last new before w
  const std::vector<uint8_t> with_validation = {1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0};
  CHECK(validated.in_training == with_validation);
}
