#include "jobs/train_job.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "common/parse_number.h"
#include "config/config_edit.h"
#include "data/dataset.h"
#include "eval/baselines.h"
#include "platform/file_io.h"
#include "train/lineage.h"
#include "train/size_estimate.h"
#include "writer/model_writer.h"

namespace barista::internal {

Status run_train_job(json::Value config_json, const std::string& base_dir, const std::string& out_path,
                     const TrainJobOptions& options, TrainJobResult* out) {
  const std::string where = options.config_file.empty() ? "config" : options.config_file;
  const std::pair<const char*, std::optional<uint64_t>> overrides[] = {
      {"training.epochs",
       options.epochs ? std::optional<uint64_t>(std::max<uint64_t>(1, *options.epochs)) : std::nullopt},
      {"training.seed", options.seed}};
  Status status;
  for (const auto& [key, value] : overrides) {
    if (!value) continue;
    if (!(status = json::set_path(&config_json, key, json::number(static_cast<double>(*value)))).ok()) {
      return Status(BARISTA_STATUS_INVALID_ARGUMENT, where + ": " + status.message());
    }
  }
  TrainConfig config;
  if (!(status = parse_train_config(config_json, base_dir, &config)).ok()) {
    return Status(status.code(), where + ": " + status.message());
  }
  if (options.threads > 0) config.training.threads = options.threads;
  out->holdout = config.training.holdout;
  WriteOptions write;
  const std::string& embeddings = options.embeddings.empty() ? config.embeddings : options.embeddings;
  if (!parse_embedding_dtype(embeddings, &write.embedding_dtype)) {
    return Status(BARISTA_STATUS_INVALID_ARGUMENT,
                  "output.embeddings wants f32, f16 or int8, not '" + embeddings + "'");
  }
  if (options.evaluate && config.training.holdout == TrainingConfig::Holdout::None) {
    return Status(BARISTA_STATUS_INVALID_ARGUMENT,
                  "evaluation needs held-out targets (training.holdout \"last\" or \"last_new\")");
  }
  // What cannot be trained or written is refused before the data is read:
  // a model too large for the format or the memory, an output path that is
  // a folder or in a folder that takes no files.
  if (!(status = check_trainable(config)).ok()) return status;
  if (!(status = check_replaceable(out_path)).ok()) return status;

  const auto t0 = std::chrono::steady_clock::now();
  Dataset data;
  if (!(status = load_dataset(config, &data)).ok()) return status;
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out->interactions = data.interactions.size();
  out->users = data.user_count();
  out->items = data.item_count();
  out->bad_rows = data.bad_rows;
  if (options.progress != nullptr) {
    std::fprintf(options.progress, "read %zu interactions: %zu users, %zu items (%.1f s)\n", data.interactions.size(),
                 data.user_count(), data.item_count(), load_seconds);
    if (data.bad_rows > 0) {
      std::fprintf(options.progress, "skipped %zu bad rows, first: %s\n", data.bad_rows,
                   data.bad_row_messages[0].c_str());
    }
  }
  const Split split = make_split(data, config.training.holdout, config.training.patience > 0);
  ModelSpec trained;
  status = train_model(
      config, data, split,
      [&](const EpochReport& r) {
        if (options.progress == nullptr) return;
        std::fprintf(options.progress, "epoch %u/%u: loss %.4f, %.0f examples/s, %.1f s", r.epoch,
                     config.training.epochs, r.loss, static_cast<double>(r.examples) / r.seconds, r.seconds);
        if (r.validation_hr >= 0) {
          std::fprintf(options.progress, ", validation HR@10 %.4f%s", r.validation_hr, r.best ? " (best)" : "");
        }
        std::fprintf(options.progress, "\n");
      },
      &trained, &out->summary);
  if (!status.ok()) return status;

  // The model records what it learned from, not when or how fast, so the
  // same data, config and seed give the same file; set SOURCE_DATE_EPOCH
  // (the reproducible-builds convention) to fix the creation time too.
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    int64_t seconds = 0;
    if (!parse_int64(epoch, &seconds)) {
      return Status(BARISTA_STATUS_INVALID_ARGUMENT, "SOURCE_DATE_EPOCH is not a number of seconds");
    }
    trained.metadata.created_unix = seconds;
  }
  Lineage lineage;
  lineage.config_file = options.config_file;
  record_lineage(config, out->summary, split, lineage, &trained.metadata);

  EvalOptions& eval_options = out->eval_options;
  eval_options.seed = config.training.seed;
  eval_options.negatives = std::max(1u, config.training.negatives);
  if (options.evaluate) {
    // The protocol's training data is everything before each test item
    // (validation items included), for MostPop as for the requests.
    const Split protocol = make_split(data, config.training.holdout, false);
    out->rows.push_back({"MostPop", evaluate_most_popular(data, protocol, protocol.test, eval_options)});
    for (fb::DType dtype : {fb::DType::F32, fb::DType::Int8Rowwise}) {
      WriteOptions variant = write;
      variant.embedding_dtype = dtype;
      std::vector<uint8_t> bytes;
      if (!(status = write_model(trained, variant, &bytes)).ok()) return status;
      EvalRow row;
      row.name = std::string("wide & deep (") + (dtype == fb::DType::F32 ? "f32" : "int8") + ")";
      if (!(status = evaluate_bytes(config, data, split, bytes, eval_options, &row.metrics)).ok()) return status;
      out->rows.push_back(row);
    }
    const EvalMetrics& f32 = out->rows[1].metrics;
    trained.metadata.metrics.emplace_back("test_hr@10", f32.hit_rate);
    trained.metadata.metrics.emplace_back("test_ndcg@10", f32.ndcg);
    trained.metadata.metrics.emplace_back("test_auc", f32.auc);
    trained.metadata.metrics.emplace_back("test_logloss", f32.logloss);
    trained.metadata.metrics.emplace_back("mostpop_hr@10", out->rows[0].metrics.hit_rate);
  }
  return write_model_file(trained, write, out_path);
}

Status run_eval_job(const TrainConfig& config, const std::vector<std::string>& model_paths,
                    const EvalJobOptions& options, EvalJobResult* out) {
  if (config.training.holdout == TrainingConfig::Holdout::None) {
    return Status(BARISTA_STATUS_INVALID_ARGUMENT,
                  "training.holdout is \"none\": there are no held-out targets to evaluate on");
  }
  EvalOptions& eval = out->eval_options;
  eval.k = std::max(1u, options.k);
  eval.max_users = options.max_users;
  eval.seed = config.training.seed;
  eval.threads = std::max(1u, config.training.threads);
  eval.negatives = std::max(1u, config.training.negatives);
  std::vector<UserResult> results;
  std::vector<UserResult>* results_out = options.per_user ? &results : nullptr;
  Dataset data;
  Status status = load_dataset(config, &data);
  if (!status.ok()) return status;
  // The test targets; everything before each is training history (for the
  // baselines' counts and the requests' histories).
  const Split split = make_split(data, config.training.holdout, false);
  out->rows.push_back({"MostPop", evaluate_most_popular(data, split, split.test, eval, results_out)});
  if (options.per_user) options.per_user("MostPop", data, results);
  if (options.baselines) {
    // Settings chosen on validation targets: each user's target before the
    // test target, with training cut before it.
    const Split validation = make_split(data, config.training.holdout, true);
    for (int which = 0; which < 2; ++which) {
      if (options.progress) std::fprintf(options.progress, "%s ...\n", which == 0 ? "EASE" : "item-kNN");
      BaselineResult result = which == 0 ? select_ease(data, validation, split, options.ease_lambdas, eval)
                                         : select_item_knn(data, validation, split, options.knn_neighbors, eval);
      if (!result.error.empty()) {
        out->notes.push_back(result.name + " left out: " + result.error);
        continue;
      }
      std::string tried;
      for (size_t t = 0; t < result.tried.size(); ++t) {
        char text[64];
        std::snprintf(text, sizeof text, "%s%g: %.4f", t == 0 ? "" : ", ", result.tried[t], result.validation_hr[t]);
        tried += text;
      }
      out->notes.push_back(result.name + " chosen by validation HR@" + std::to_string(eval.k) + " (" + tried + ")");
      if (options.per_user) options.per_user(result.name, data, result.per_user);
      out->rows.push_back({result.name, result.metrics});
    }
  }
  for (const std::string& path : model_paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(BARISTA_STATUS_IO_ERROR, "cannot read '" + path + "': " + std::strerror(errno));
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EvalRow row;
    row.name = path;
    results.clear();
    if (!(status = evaluate_bytes(config, data, split, bytes, eval, &row.metrics, results_out)).ok()) {
      return Status(status.code(), path + ": " + status.message());
    }
    if (options.per_user) options.per_user(path, data, results);
    out->rows.push_back(row);
  }
  return Status();
}

}  // namespace barista::internal
