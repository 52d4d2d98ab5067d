// barista eval CONFIG --model MODEL [...]: the leave-last-out protocol on the
// config's data — MostPop and each model side by side.
#include <cstdio>
#include <fstream>
#include <iterator>

#include "cli.h"
#include "commands.h"
#include "eval_report.h"

namespace barista::cli {

using namespace barista::internal;

int run_eval(int argc, char** argv) {
  Args args("eval", "CONFIG --model MODEL [--model MODEL ...] [--k N] [--max-users N] [--json]",
            "Evaluates models trained on the config's data with its holdout \"last\": each user's\n"
            "last interaction is ranked against every catalog item the user had not seen\n"
            "(HR@K, NDCG@K); AUC and log-loss come from the same targets plus sampled negatives.\n"
            "MostPop is printed beside the models.",
            {{"model", "MODEL", "a model file", true},
             {"k", "N", "cut-off for HR and NDCG (default: 10)", false},
             {"max-users", "N", "evaluate at most N users, spread evenly (default: all)", false},
             {"json", "", "machine-readable output", false}});
  int exit_code = 0;
  if (!args.parse(argc, argv, &exit_code)) return exit_code;
  if (args.positional().size() != 1 || !args.has("model")) {
    args.print_help(stderr);
    return 2;
  }
  TrainConfig config;
  Status status = load_train_config(args.positional()[0], &config);
  if (!status.ok()) return fail(status.message());
  EvalOptions options;
  uint64_t k = 10, max_users = 0;
  if (!args.get_uint("k", 10, &k) || !args.get_uint("max-users", 0, &max_users)) return 2;
  options.k = static_cast<uint32_t>(std::max<uint64_t>(1, k));
  options.max_users = max_users;
  options.seed = config.training.seed;
  options.negatives = std::max(1u, config.training.negatives);
  Dataset data;
  if (!(status = load_dataset(config, &data)).ok()) return fail(status.message());
  // Each user's last interaction is the test item; everything before it is
  // training history (for MostPop's counts and the requests' histories).
  const Split split = make_split(data, TrainingConfig::Holdout::Last, false);
  std::vector<EvalRow> rows;
  rows.push_back({"MostPop", evaluate_most_popular(data, split, split.test, options)});
  for (const std::string& path : args.all("model")) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read '" + path + "'");
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EvalRow row;
    row.name = path;
    if (!(status = evaluate_bytes(config, data, split, bytes, options, &row.metrics)).ok()) {
      return fail(path + ": " + status.message());
    }
    rows.push_back(row);
  }
  if (args.has("json")) {
    Json j;
    j.begin_object().key("rows");
    json_eval_rows(rows, options.k, &j);
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }
  std::printf("leave-last-out evaluation, %zu users (each ranks every item not seen before)\n", rows[0].metrics.users);
  print_eval_table(rows, options.k);
  return 0;
}

}  // namespace barista::cli
