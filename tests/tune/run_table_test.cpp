// What `barista runs` shows: configurations flattened to key paths, the
// keys that differ between rows, trials' effective configurations, sorting.
#include <doctest/doctest.h>

#include <string>

#include "config/json.h"
#include "tune/run_table.h"

using namespace barista::internal;

namespace {

json::Value parsed(const char* text) {
  json::Value v;
  const Status s = json::parse(text, &v);
  REQUIRE_MESSAGE(s.ok(), s.message());
  return v;
}

RunRow row(const char* name, const char* config, double hr = -1.0) {
  RunRow r;
  r.run = name;
  r.kind = "model";
  r.config = flatten_config(parsed(config));
  if (hr >= 0) r.metrics.emplace_back("validation_hr@10", hr);
  return r;
}

}  // namespace

TEST_CASE("runs: a configuration flattens to key paths; arrays of values stay whole") {
  const FlatConfig flat = flatten_config(parsed(R"({
    "name": "shop", "hidden": [128, 64], "empty": {},
    "training": {"seed": 7, "deep_optimizer": {"learning_rate": 0.001}, "sampling": "popularity"},
    "features": [{"name": "category", "embedding": 8}, {"name": "price", "quantiles": 10}],
    "crosses": [{"columns": ["user_id", "category"]}]})"));
  const FlatConfig expected = {{"name", "shop"},
                               {"hidden", "[128,64]"},
                               {"empty", "{}"},
                               {"training.seed", "7"},
                               {"training.deep_optimizer.learning_rate", "0.001"},
                               {"training.sampling", "popularity"},
                               {"features[0].name", "category"},
                               {"features[0].embedding", "8"},
                               {"features[1].name", "price"},
                               {"features[1].quantiles", "10"},
                               {"crosses[0].columns", "[\"user_id\",\"category\"]"}};
  CHECK(flat == expected);
  CHECK(flatten_config(parsed("{}")).empty());
}

TEST_CASE("runs: only the keys whose values differ, a missing key counting as a value") {
  const std::vector<RunRow> rows = {
      row("a", R"({"data": {"path": "x.csv"}, "training": {"seed": 1, "epochs": 4}, "hidden": [64]})"),
      row("b", R"({"data": {"path": "x.csv"}, "training": {"seed": 2, "epochs": 4}, "hidden": [64]})"),
      row("c", R"({"data": {"path": "x.csv"}, "training": {"epochs": 4}, "hidden": [64, 32], "name": "c"})")};
  CHECK(differing_keys(rows) == std::vector<std::string>{"training.seed", "hidden", "name"});
  CHECK(differing_keys({rows[0]}).empty());
  CHECK(differing_keys({}).empty());
}

TEST_CASE("runs: a trial's configuration is the base with its params and seed; a final's, its trial's") {
  TrialLog log;
  log.has_header = true;
  log.header.base_config_json = R"({"training":{"seed":1,"epochs":9},"features":[{"name":"f","embedding":8}]})";
  log.header.data_fingerprint = "d1";
  TrialRecord base;
  base.number = 0;
  base.seed = 1;
  base.objective = 0.2;
  base.validation_hr = {0.1, 0.2};
  TrialRecord tuned;
  tuned.number = 1;
  tuned.outcome = TrialRecord::Outcome::Stopped;
  tuned.seed = 5;
  tuned.objective = 0.3;
  tuned.validation_hr = {0.3};
  ParameterValue embedding;
  embedding.key = "features[0].embedding";
  embedding.value = parsed("16");
  ParameterValue sampling;
  sampling.key = "training.sampling";
  sampling.value = parsed(R"("popularity")");
  tuned.params = {embedding, sampling};
  TrialRecord broken;
  broken.number = 2;
  ParameterValue missing;
  missing.key = "features[3].embedding";
  missing.value = parsed("4");
  broken.params = {missing};
  log.trials = {base, tuned, broken};
  FinalRecord best;
  best.which = "best";
  best.trial = 1;
  best.seed = 9;
  best.test_hr = 0.25;
  FinalRecord lost;
  lost.which = "base";
  lost.trial = 7;
  log.finals = {best, lost};

  std::vector<RunRow> rows;
  std::vector<std::string> problems;
  log_rows("run/trials.jsonl", log, &rows, &problems);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].run == "run/trials.jsonl#0");
  CHECK(rows[1].run == "run/trials.jsonl#1");
  CHECK(rows[1].outcome == "stopped");
  CHECK(rows[1].data_fingerprint == "d1");
  CHECK(cell(rows[1], "features[0].embedding").text == "16");
  CHECK(cell(rows[1], "training.sampling").text == "popularity");
  CHECK(cell(rows[1], "training.seed").text == "5");
  CHECK(cell(rows[1], "training.epochs").text == "9");
  CHECK(cell(rows[1], "validation_hr@10").text == "0.3000");
  CHECK(cell(rows[1], "epochs").text == "1");
  CHECK(rows[2].run == "run/trials.jsonl#best");
  CHECK(rows[2].outcome == "final");
  CHECK(cell(rows[2], "features[0].embedding").text == "16");
  CHECK(cell(rows[2], "training.seed").text == "9");
  CHECK(cell(rows[2], "test_hr@10").number == 0.25);
  CHECK(!cell(rows[2], "validation_hr@10").present);
  CHECK(differing_keys(rows) ==
        std::vector<std::string>{"training.seed", "features[0].embedding", "training.sampling"});
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] == "run/trials.jsonl: trial 2: features[3]: the array has 1 elements");
  CHECK(problems[1] == "run/trials.jsonl: the final record 'base' names trial 7, which the log does not hold");
}

TEST_CASE("runs: sorting by a metric or a key, rows without a value last either way") {
  std::vector<RunRow> rows = {row("a", R"({"lr": 0.01})", 0.2), row("b", R"({"lr": 0.001})"),
                              row("c", R"({"lr": 0.1})", 0.3), row("d", R"({"lr": "auto"})", 0.1)};
  auto order = [&] {
    std::string s;
    for (const RunRow& r : rows) s += r.run;
    return s;
  };
  sort_rows("validation_hr@10", true, &rows);
  CHECK(order() == "cadb");
  sort_rows("validation_hr@10", false, &rows);
  CHECK(order() == "dacb");
  sort_rows("lr", false, &rows);  // numbers by value, before text
  CHECK(order() == "bacd");
  sort_rows("run", true, &rows);
  CHECK(order() == "dcba");
  sort_rows("nothing", false, &rows);  // stable
  CHECK(order() == "dcba");
}
