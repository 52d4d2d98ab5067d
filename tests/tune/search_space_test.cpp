// The search space: what parses, what is refused before any trial runs (with
// the key path named), and how values map to configuration keys.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "config/config_edit.h"
#include "config/train_config.h"
#include "tune/search_space.h"
#include "tune/tuner.h"

using namespace barista::internal;

namespace {

std::string error_of(const char* text) {
  SearchSpace space;
  const Status s = parse_search_space(text, &space);
  return s.ok() ? "" : s.message();
}

bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("search space: the four distributions and a nested choice parse, depth-first") {
  SearchSpace space;
  const Status s = parse_search_space(R"({
      "training.deep_optimizer.learning_rate": {"loguniform": [1e-4, 1e-2]},
      "history.length": {"int": [5, 50]},
      "training.negatives": {"int": [2, 8]},
      "training.negative_sampling": {"choice": ["uniform",
          {"value": "popularity", "space": {"training.popularity_exponent": {"uniform": [0.25, 1.0]}}}]}})",
                                      &space);
  REQUIRE_MESSAGE(s.ok(), s.message());
  const auto all = space.all();
  REQUIRE(all.size() == 5);
  CHECK(all[0]->kind == Parameter::Kind::LogUniform);
  CHECK(all[2]->kind == Parameter::Kind::Int);
  CHECK(all[1]->kind == Parameter::Kind::Int);
  CHECK(all[3]->kind == Parameter::Kind::Choice);
  CHECK(all[3]->options.size() == 2);
  CHECK(all[3]->options[0].nested.empty());
  CHECK(all[4]->key == "training.popularity_exponent");
  CHECK(all[4]->id == "training.negative_sampling=1/training.popularity_exponent");

  // Model coordinates: the logarithm for loguniform, rounding for int, the
  // index for a choice; values outside the range are clamped.
  const ParameterValue lr = value_at(*all[0], std::log(1e-3));
  CHECK(lr.value.number == doctest::Approx(1e-3));
  CHECK(value_at(*all[1], 7.6).value.number == 8);
  CHECK(value_at(*all[1], 99).value.number == 50);
  CHECK(value_at(*all[3], 1).value.string == "popularity");
}

TEST_CASE("search space: malformed spaces are refused, naming the key path") {
  CHECK(mentions(error_of(R"({"a.b": {"uniform": [2, 1]}})"), "a.b: uniform wants [low, high] with low <= high"));
  CHECK(mentions(error_of(R"({"a.b": {"loguniform": [0, 1]}})"), "a.b: loguniform wants positive bounds"));
  CHECK(mentions(error_of(R"({"a.b": {"loguniform": [-1, 1]}})"), "a.b: loguniform wants positive bounds"));
  CHECK(mentions(error_of(R"({"a.b": {"choice": []}})"), "a.b: choice wants a non-empty list"));
  CHECK(mentions(error_of(R"({"a.b": {"int": [1.5, 3]}})"), "a.b: int wants integer bounds"));
  CHECK(mentions(error_of(R"({"a.b": {"normal": [0, 1]}})"), "a.b: unknown distribution 'normal'"));
  CHECK(mentions(error_of(R"({"a.b": {"uniform": [0, 1], "int": [0, 1]}})"), "a.b: wants one of"));
  CHECK(mentions(error_of(R"({"a.b": {"choice": [1, 2, 1]}})"), "a.b: choice lists 1 twice"));
  CHECK(mentions(error_of(R"({"a..b": {"uniform": [0, 1]}})"), "a..b"));
  CHECK(mentions(error_of(R"({})"), "has no parameters"));
  CHECK(mentions(error_of(R"([1])"), "must be an object"));
  CHECK(mentions(error_of(R"({"x": {"choice": [{"value": 1, "space": {"y": {"uniform": [3, 2]}}}]}})"),
                 "y: uniform wants"));
  CHECK(mentions(error_of(R"({"x": )"), "space: line 1"));
}

TEST_CASE("search space: keys the configuration does not know are refused before any trial") {
  const std::string base_text =
      R"({"data": {"interactions": {"path": "log.csv"}}, "training": {"epochs": 4}})";
  json::Value base;
  REQUIRE(json::parse(base_text, &base).ok());
  auto check = [&](const char* space_text) {
    SearchSpace space;
    REQUIRE(parse_search_space(space_text, &space).ok());
    const Status s = check_space_keys(base, ".", space);
    return s.ok() ? std::string() : s.message();
  };
  CHECK(check(R"({"training.epochs": {"int": [1, 8]}, "history.length": {"choice": [0, 10]}})").empty());
  CHECK(mentions(check(R"({"training.epochz": {"int": [1, 8]}})"), "space: training.epochz = 1"));
  CHECK(mentions(check(R"({"training.epochz": {"int": [1, 8]}})"), "unknown key"));
  // A value the configuration refuses, at one end of the range only.
  CHECK(mentions(check(R"({"training.epochs": {"int": [1, 20000]}})"), "training.epochs = 20000: "));
  // Nested keys are checked with their branch chosen.
  CHECK(mentions(check(R"({"training.negative_sampling": {"choice": ["uniform",
                  {"value": "popularity", "space": {"training.popularity_exponentt": {"uniform": [0, 1]}}}]}})"),
                 "training.popularity_exponentt"));
}

TEST_CASE("config edits: set by key path, objects created, arrays bounded") {
  json::Value config;
  REQUIRE(json::parse(R"({"features": [{"name": "a"}], "training": {"seed": 1}})", &config).ok());
  REQUIRE(json::set_path(&config, "training.seed", json::number(7)).ok());
  REQUIRE(json::set_path(&config, "training.wide_optimizer.l2", json::number(0.5)).ok());
  REQUIRE(json::set_path(&config, "features[0].embedding", json::number(16)).ok());
  CHECK(json::serialize(config) ==
        R"({"features":[{"name":"a","embedding":16}],"training":{"seed":7,"wide_optimizer":{"l2":0.5}}})");
  CHECK(json::find_path(config, "training.wide_optimizer.l2")->number == 0.5);
  CHECK(json::find_path(config, "training.nothing") == nullptr);
  const Status out_of_range = json::set_path(&config, "features[3].embedding", json::number(1));
  CHECK(mentions(out_of_range.message(), "features[3]: the array has 1 elements"));
  CHECK(mentions(json::set_path(&config, "training.seed.x", json::number(1)).message(),
                 "training.seed: is a number, not an object"));
}

TEST_CASE("search space: a key of several paths sets each of them to the same value") {
  SearchSpace space;
  REQUIRE(parse_search_space(R"({"item_id.embedding, history.embedding": {"choice": [16, 32]}})", &space).ok());
  json::Value base, out;
  REQUIRE(json::parse(R"({"item_id": {"embedding": 8}})", &base).ok());
  REQUIRE(apply_assignment(base, {value_at(space.parameters[0], 1)}, &out).ok());
  CHECK(json::serialize(out) == R"({"item_id":{"embedding":32},"history":{"embedding":32}})");
  CHECK(error_of(R"({"a.b, c..d": {"int": [1, 2]}})").find("c..d") != std::string::npos);
}
