// Training and evaluation runs as `barista train` and `barista eval` run
// them, for every front end (the command line, the Python package): the
// config's overrides, the refusals made before any data is read, the data,
// training, lineage, the held-out evaluation beside the baselines, the
// model file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/json.h"
#include "config/train_config.h"
#include "data/dataset.h"
#include "eval/baselines.h"
#include "eval/evaluate.h"
#include "train/trainer.h"

namespace barista::internal {

struct TrainJobOptions {
  // Overrides of training.epochs and training.seed, made in the config's
  // JSON so that the model's training_config records them.
  std::optional<uint64_t> epochs, seed;
  // training.threads (0: the config's). Not recorded: the thread count
  // changes nothing that is learned.
  uint32_t threads = 0;
  std::string embeddings;         // "f32", "f16", "int8"; "": the config's output.embeddings
  bool evaluate = false;          // MostPop and the model (f32, int8) on the held-out targets
  std::string config_file;        // named in messages and recorded in the lineage
  std::FILE* progress = nullptr;  // "read ..." and per-epoch lines; nullptr: quiet
};

struct TrainJobResult {
  size_t interactions = 0, users = 0, items = 0, bad_rows = 0;
  TrainingConfig::Holdout holdout = TrainingConfig::Holdout::Last;
  TrainSummary summary;
  EvalOptions eval_options;   // what the rows were measured with
  std::vector<EvalRow> rows;  // with `evaluate`: MostPop, wide & deep (f32), (int8)
};

// Trains the model `config_json` describes (relative paths from
// `base_dir`) and writes it to `out_path`.
Status run_train_job(json::Value config_json, const std::string& base_dir, const std::string& out_path,
                     const TrainJobOptions& options, TrainJobResult* out);

struct EvalJobOptions {
  uint32_t k = 10;
  size_t max_users = 0;   // 0: every user
  bool baselines = true;  // EASE and item-kNN (MostPop always)
  std::vector<double> ease_lambdas = kDefaultEaseLambdas;
  std::vector<double> knn_neighbors = kDefaultKnnNeighbors;
  std::FILE* progress = nullptr;  // "EASE ..." lines; nullptr: quiet
  // Hears each method's per-user outcomes (asks for them to be computed).
  std::function<void(const std::string& method, const Dataset& data, const std::vector<UserResult>&)> per_user;
};

struct EvalJobResult {
  EvalOptions eval_options;
  std::vector<EvalRow> rows;       // MostPop, EASE, item-kNN, then each model
  std::vector<std::string> notes;  // the baselines' choices, or why one is left out
};

// The leave-last-out protocol on the config's data: MostPop, EASE and
// item-kNN (their settings chosen on validation targets) and each model
// file, on the same test targets.
Status run_eval_job(const TrainConfig& config, const std::vector<std::string>& model_paths,
                    const EvalJobOptions& options, EvalJobResult* out);

}  // namespace barista::internal
