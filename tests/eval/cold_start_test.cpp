// The cold-start protocol's customer-memory engine: a replay whose requests
// carry only the customer's id, the overlay's memory supplying the history,
// hits exactly what the replay with the history passed by hand hits (on
// data where every interaction is a purchase of a catalog item).
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "data/requests.h"
#include "data/synth.h"
#include "eval/cold_start.h"
#include "support/temp_dir.h"
#include "train/trainer.h"
#include "writer/model_writer.h"

using namespace barista::internal;
using barista_test::TempDir;

TEST_CASE("cold start: customer memory gives the replay the history it was given by hand") {
  TempDir dir;
  SynthOptions synth;
  synth.users = 300;
  synth.seed = 5;
  SynthSummary summary;
  REQUIRE(write_synthetic_data(synth, dir.path(), &summary).ok());
  TrainConfig config;
  REQUIRE(load_train_config(dir.file("config.json"), &config).ok());
  REQUIRE(config.history.length >= 2);
  config.training.epochs = 1;
  Dataset data;
  REQUIRE(load_dataset(config, &data).ok());
  Split split = make_split(data, config.training.holdout, false);
  const std::vector<uint32_t> held_out = hold_out_users(data, 5, 0, 1, &split);
  ModelSpec spec;
  TrainSummary trained;
  REQUIRE(train_model(config, data, split, nullptr, &spec, &trained).ok());
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(spec, WriteOptions(), &bytes).ok());
  std::unique_ptr<Model> model;
  REQUIRE(Model::open_buffer(bytes.data(), bytes.size(), OpenOptions(), &model).ok());
  RequestBuilder requests;
  REQUIRE(RequestBuilder::create(config, data, *model, &requests).ok());
  ColdStartOptions options;
  std::vector<ColdStartRow> rows;
  REQUIRE(evaluate_cold_start(*model, data, requests, split, held_out, options, &rows).ok());
  REQUIRE(rows.size() == options.steps.size());
  size_t hits = 0;
  for (const ColdStartRow& row : rows) {
    CAPTURE(row.seen);
    CHECK(row.users > 0);
    CHECK(row.memory_hits == row.learning_hits);
    hits += row.learning_hits;
  }
  CHECK(hits > 0);
}
