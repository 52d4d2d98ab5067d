// barista train CONFIG --out MODEL: learns a wide & deep model from an
// interaction log (see README.md for the config format), with progress per
// epoch and a summary; --eval adds the evaluation table (MostPop, the model
// at f32 and at int8) on the held-out last interactions.
#include <algorithm>
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "eval_report.h"
#include "jobs/train_job.h"

namespace barista::cli {

using namespace barista::internal;

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
  const std::string& config_path = args.positional()[0];
  json::Value config_json;
  std::string base_dir;
  Status status = load_train_config_json(config_path, &config_json, &base_dir);
  if (!status.ok()) return fail(status.message());
  TrainJobOptions options;
  if (args.has("epochs")) options.epochs = epochs;
  if (args.has("seed")) options.seed = seed;
  if (args.has("threads")) options.threads = static_cast<uint32_t>(std::max<uint64_t>(1, threads));
  options.embeddings = embeddings;
  options.evaluate = args.has("eval");
  options.config_file = config_path;
  // Progress goes to stderr so that --json keeps stdout clean.
  if (!args.has("quiet") && !args.has("json")) options.progress = stderr;
  TrainJobResult result;
  if (!(status = run_train_job(std::move(config_json), base_dir, args.get("out"), options, &result)).ok()) {
    return fail(status.message());
  }
  const TrainSummary& summary = result.summary;
  const std::vector<EvalRow>& rows = result.rows;
  const EvalOptions& eval_options = result.eval_options;

  if (args.has("json")) {
    JsonWriter j;
    j.begin_object()
        .key("model")
        .value(args.get("out"))
        .key("interactions")
        .value(static_cast<uint64_t>(result.interactions));
    j.key("users").value(static_cast<uint64_t>(result.users)).key("items").value(static_cast<uint64_t>(result.items));
    j.key("bad_rows").value(static_cast<uint64_t>(result.bad_rows)).key("epochs").value(summary.epochs);
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
                result.holdout == TrainingConfig::Holdout::LastNew ? "last-new-item" : "last", rows[0].metrics.users);
    print_eval_table(rows, eval_options.k);
  }
  return Exit::Ok;
}

}  // namespace barista::cli
