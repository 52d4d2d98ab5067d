// barista train CONFIG --out MODEL: learns a wide & deep model from an
// interaction log (see README.md for the config format), with progress per
// epoch and a summary; --eval adds the evaluation table (MostPop, the model
// at f32 and at int8) on the held-out last interactions.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli.h"
#include "commands.h"
#include "common/parse_number.h"
#include "config/config_edit.h"
#include "eval_report.h"
#include "platform/file_io.h"
#include "train/lineage.h"
#include "train/size_estimate.h"
#include "train/trainer.h"
#include "writer/model_writer.h"

namespace barista::cli {

using namespace barista::internal;

namespace {

bool parse_dtype(const std::string& name, fb::DType* out) {
  if (name == "f32")
    *out = fb::DType::F32;
  else if (name == "f16")
    *out = fb::DType::F16;
  else if (name == "int8")
    *out = fb::DType::Int8Rowwise;
  else
    return false;
  return true;
}

}  // namespace

Exit run_train(const Command& command, int argc, char** argv) {
  Args args(command,
            "Trains a wide & deep model on the interaction log a config describes and writes\n"
            "the model file. With the default holdout (\"last\"), each user's last interaction\n"
            "is kept out of training, for `barista eval` (or --eval).",
            {{"out", "MODEL", "output model file", Use::Required},
             {"embeddings", "TYPE", "f32, f16 or int8 (default: the config's output.embeddings)"},
             {"epochs", "N", "override training.epochs"},
             {"seed", "N", "override training.seed"},
             {"threads", "N", "override training.threads"},
             {"eval", "", "evaluate on the held-out interactions afterwards"},
             {"quiet", "", "no progress lines"},
             {"json", "", "machine-readable summary on stdout"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  uint64_t epochs = 0, seed = 0, threads = 0;
  std::string embeddings;
  if (!args.get_uint("epochs", 0, &epochs) || !args.get_uint("seed", 0, &seed) ||
      !args.get_uint("threads", 0, &threads) ||
      !args.get_choice("embeddings", {"f32", "f16", "int8"}, "", &embeddings)) {
    return Exit::Usage;
  }
  // --epochs and --seed edit the config's JSON, so that the model's
  // training_config is the configuration it was trained with, checked like
  // the file's own values. --threads does not: the thread count changes
  // nothing that is learned (a seed gives the same bytes on one thread or
  // two), and recorded in the file it would.
  const std::string& config_path = args.positional()[0];
  json::Value config_json;
  std::string base_dir;
  Status status = load_train_config_json(config_path, &config_json, &base_dir);
  if (!status.ok()) return fail(status.message());
  const std::pair<const char*, uint64_t> overrides[] = {{"epochs", std::max<uint64_t>(1, epochs)}, {"seed", seed}};
  for (const auto& [option, value] : overrides) {
    if (!args.has(option)) continue;
    const std::string key = std::string("training.") + option;
    if (!(status = json::set_path(&config_json, key, json::number(static_cast<double>(value)))).ok()) {
      return fail(config_path + ": " + status.message());
    }
  }
  TrainConfig config;
  if (!(status = parse_train_config(config_json, base_dir, &config)).ok()) {
    return fail(config_path + ": " + status.message());
  }
  if (args.has("threads")) config.training.threads = static_cast<uint32_t>(std::max<uint64_t>(1, threads));
  WriteOptions write;
  if (!parse_dtype(args.has("embeddings") ? embeddings : config.embeddings, &write.embedding_dtype)) {
    return fail("output.embeddings wants f32, f16 or int8, not '" + config.embeddings + "'");
  }
  const bool quiet = args.has("quiet") || args.has("json");
  // Progress goes to stderr so that --json keeps stdout clean.
  std::FILE* progress = stderr;

  // What cannot be trained or written is refused before the data is read:
  // a model too large for the format or the memory, an output path that is
  // a folder or in a folder that takes no files.
  if (!(status = check_trainable(config)).ok()) return fail(status.message());
  if (!(status = check_replaceable(args.get("out"))).ok()) return fail(status.message());

  const auto t0 = std::chrono::steady_clock::now();
  Dataset data;
  if (!(status = load_dataset(config, &data)).ok()) return fail(status.message());
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!quiet) {
    std::fprintf(progress, "read %zu interactions: %zu users, %zu items (%.1f s)\n", data.interactions.size(),
                 data.user_count(), data.item_count(), load_seconds);
    if (data.bad_rows > 0) {
      std::fprintf(progress, "skipped %zu bad rows, first: %s\n", data.bad_rows, data.bad_row_messages[0].c_str());
    }
  }
  const Split split = make_split(data, config.training.holdout, config.training.patience > 0);
  ModelSpec trained;
  TrainSummary summary;
  status = train_model(
      config, data, split,
      [&](const EpochReport& r) {
        if (quiet) return;
        std::fprintf(progress, "epoch %u/%u: loss %.4f, %.0f examples/s, %.1f s", r.epoch, config.training.epochs,
                     r.loss, static_cast<double>(r.examples) / r.seconds, r.seconds);
        if (r.validation_hr >= 0)
          std::fprintf(progress, ", validation HR@10 %.4f%s", r.validation_hr, r.best ? " (best)" : "");
        std::fprintf(progress, "\n");
      },
      &trained, &summary);
  if (!status.ok()) return fail(status.message());

  // The model records what it learned from, not when or how fast, so the
  // same data, config and seed give the same file; set SOURCE_DATE_EPOCH
  // (the reproducible-builds convention) to fix the creation time too.
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    int64_t seconds = 0;
    if (!parse_int64(epoch, &seconds)) return fail("SOURCE_DATE_EPOCH is not a number of seconds");
    trained.metadata.created_unix = seconds;
  }
  Lineage lineage;
  lineage.config_file = config_path;
  record_lineage(config, summary, split, lineage, &trained.metadata);

  std::vector<EvalRow> rows;
  EvalOptions eval_options;
  eval_options.seed = config.training.seed;
  eval_options.negatives = std::max(1u, config.training.negatives);
  if (args.has("eval")) {
    if (config.training.holdout == TrainingConfig::Holdout::None) {
      return fail("--eval needs held-out targets (training.holdout \"last\" or \"last_new\")");
    }
    // The protocol's training data is everything before each test item
    // (validation items included), for MostPop as for the requests.
    const Split protocol = make_split(data, config.training.holdout, false);
    rows.push_back({"MostPop", evaluate_most_popular(data, protocol, protocol.test, eval_options)});
    for (fb::DType dtype : {fb::DType::F32, fb::DType::Int8Rowwise}) {
      WriteOptions options = write;
      options.embedding_dtype = dtype;
      std::vector<uint8_t> bytes;
      if (!(status = write_model(trained, options, &bytes)).ok()) return fail(status.message());
      EvalRow row;
      row.name = std::string("wide & deep (") + (dtype == fb::DType::F32 ? "f32" : "int8") + ")";
      if (!(status = evaluate_bytes(config, data, split, bytes, eval_options, &row.metrics)).ok()) {
        return fail(status.message());
      }
      rows.push_back(row);
    }
    const EvalMetrics& f32 = rows[1].metrics;
    trained.metadata.metrics.emplace_back("test_hr@10", f32.hit_rate);
    trained.metadata.metrics.emplace_back("test_ndcg@10", f32.ndcg);
    trained.metadata.metrics.emplace_back("test_auc", f32.auc);
    trained.metadata.metrics.emplace_back("test_logloss", f32.logloss);
    trained.metadata.metrics.emplace_back("mostpop_hr@10", rows[0].metrics.hit_rate);
  }
  if (!(status = write_model_file(trained, write, args.get("out"))).ok()) return fail(status.message());

  if (args.has("json")) {
    JsonWriter j;
    j.begin_object()
        .key("model")
        .value(args.get("out"))
        .key("interactions")
        .value(static_cast<uint64_t>(data.interactions.size()));
    j.key("users")
        .value(static_cast<uint64_t>(data.user_count()))
        .key("items")
        .value(static_cast<uint64_t>(data.item_count()));
    j.key("bad_rows").value(static_cast<uint64_t>(data.bad_rows)).key("epochs").value(summary.epochs);
    j.key("best_epoch").value(summary.best_epoch).key("validation_hr").value(summary.best_validation_hr);
    j.key("training_seconds").value(summary.seconds).key("examples_per_second").value(summary.examples_per_second);
    if (!rows.empty()) {
      j.key("eval");
      json_eval_rows(rows, eval_options.k, &j);
    }
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }
  std::printf("trained %u epochs (best: %u) in %.1f s, %.0f examples/s; wrote %s\n", summary.epochs, summary.best_epoch,
              summary.seconds, summary.examples_per_second, args.get("out").c_str());
  if (!rows.empty()) {
    std::printf("\nleave-%s-out evaluation, %zu users (each ranks every item not had before)\n",
                config.training.holdout == TrainingConfig::Holdout::LastNew ? "last-new-item" : "last",
                rows[0].metrics.users);
    print_eval_table(rows, eval_options.k);
  }
  return Exit::Ok;
}

}  // namespace barista::cli
