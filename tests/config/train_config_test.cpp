#include <doctest/doctest.h>

#include "config/train_config.h"

using namespace barista::internal;

namespace {
std::string error_of(const std::string& text) {
  TrainConfig c;
  const Status s = parse_train_config(text, "/data", &c);
  CHECK(!s.ok());
  return s.message();
}
const char* kMinimal = R"({"data": {"interactions": {"path": "log.csv"}}})";
}  // namespace

TEST_CASE("train config: a minimal config takes the documented defaults") {
  TrainConfig c;
  const Status s = parse_train_config(kMinimal, "/data", &c);
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(c.path(c.data.interactions.path) == "/data/log.csv");
  CHECK(c.path("/abs.csv") == "/abs.csv");
  CHECK(c.data.user_column == "user");
  CHECK(c.data.item_column == "item");
  CHECK(c.user_id.embedding == 32);
  CHECK(c.history.length == 0);
  CHECK(c.hidden == std::vector<uint32_t>{128, 64});
  CHECK(c.training.epochs == 8);
  CHECK(c.training.negatives == 4);
  CHECK(c.training.deep.kind == DeepOptimizerConfig::Kind::Adam);
  CHECK(c.training.wide.learning_rate == 0.05);
  CHECK(c.training.holdout == TrainingConfig::Holdout::Last);
  CHECK(c.embeddings == "f32");
  CHECK(c.source_json == R"({"data":{"interactions":{"path":"log.csv"}}})");
}

TEST_CASE("train config: every error names the offending key") {
  CHECK(error_of("{}") == "config: data: is required");
  CHECK(error_of(R"({"data": {"interactions": {"path": "x", "drop": [{"column": "q", "at_most": 0, "empty": true}]}}})")
            .find("data.interactions.drop[0]: needs exactly one of prefix, in, empty, at_most, at_least, matches") !=
        std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x", "drop": [{"prefix": "C"}]}}})")
            .find("data.interactions.drop[0].column: is required") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x", "drop": [{"column": "q", "in": [1]}]}}})")
            .find("data.interactions.drop[0].in: expected strings") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x", "drop": [{"column": "q", "empty": false}]}}})")
            .find("data.interactions.drop[0].empty: only true is meaningful") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x", "delimiter": "ab"}}})")
            .find("data.interactions.delimiter: must be one character") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}, "repeats": "all"}})")
            .find("data.repeats: expected one of keep, first, not 'all'") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}, "min_user_items": 0}})")
            .find("data.min_user_items: must be between 1") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "training": {"holdout": "first"}})")
            .find("training.holdout: expected one of last, none, last_new, not 'first'") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "features": [{"name": "f", "aggregate": "median"}]})")
            .find("features[0].aggregate: median and mean are for numbers") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x", "usr": "u"}}})")
            .find("config: data.interactions.usr: unknown key") != std::string::npos);
  // Known keys listed once each.
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "dat": 1})")
            .find("(known here: name, data, user_id,") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": 3}}})")
            .find("data.interactions.path: expected a string, got a number") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "history": {"encoder": {"blocks": 1}}})") ==
        "config: history.encoder.blocks: needs a history (length and embedding above 0)");
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "history": {"length": 1024, "embedding": 512,
                     "encoder": {"blocks": 1}}})") ==
        "config: history.encoder.blocks: needs history.length at most 1024, history.embedding at most 512 and their "
        "product at most 262144 (the runtime's limits)");
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "history": {"length": 5, "encoder": {"blocks": 9}}})")
            .find("history.encoder.blocks") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "training": {"epochs": 0}})")
            .find("training.epochs: must be between 1 and 10000, not 0") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "training": {"epochs": 2.5}})")
            .find("training.epochs: must be a whole number") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "training": {"deep_optimizer": {"name": "sgd"}}})")
            .find("training.deep_optimizer.name: expected one of adam, adagrad, not 'sgd'") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "features": [{"name": "f", "type": "hashed"}]})")
            .find("features[0].buckets: a hashed feature needs buckets > 0") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "features": [{"type": "numeric"}]})")
            .find("features[0].name: is required") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "features": [{"name": "user_id"}]})").find("built in") !=
        std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "crosses": [{"columns": ["item_id", "nope"]}]})")
            .find("crosses[0].columns: no feature named 'nope'") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "features": [{"name": "p", "type": "numeric"}],
                     "crosses": [{"columns": ["item_id", "p"]}]})")
            .find("numeric and cannot be crossed") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}},
                     "features": [{"name": "b", "type": "bucketized", "boundaries": [3, 2]}]})")
            .find("features[0].boundaries: must be strictly increasing") != std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "deep": {"hidden": [0]}})").find("deep.hidden") !=
        std::string::npos);
  CHECK(error_of(R"({"data": {"interactions": {"path": "x"}}, "output": {"embeddings": "int4"}})")
            .find("output.embeddings: expected one of f32, f16, int8") != std::string::npos);
  CHECK(error_of("{\"data\": }").find("config: line 1, column 10") != std::string::npos);
}
