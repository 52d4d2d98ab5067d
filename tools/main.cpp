// barista: one binary, one file per subcommand.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "barista.h"
#include "commands.h"

namespace barista::cli {
namespace {

// The one list of subcommands: dispatch, `barista --help` and the
// suggestions for a mistyped name all come from it.
const Command kCommands[] = {
    {"demo", "the quick start: synthetic data, training, evaluation, recommendations", "[--dir DIR] [--users N]",
     run_demo},
    {"synth", "write synthetic coffee-shop data and a training config",
     "--out DIR [--users N] [--sessions N] [--seed N]", run_synth},
    {"train", "train a model on an interaction log",
     "CONFIG --out MODEL [--embeddings f32|f16|int8] [--epochs N] [--seed N] [--threads N] [--eval] [--json]",
     run_train},
    {"tune", "search a config's hyperparameters on validation targets; the best evaluated on test",
     "CONFIG --space SPACE [--trials N] [--out DIR] [--parallel P] [--budget-minutes M] [--seed N] [--startup N] "
     "[--min-epochs N] [--eta N] [--final-seeds N] [--report FILE] [--json]",
     run_tune},
    {"eval", "evaluate models: HR, NDCG, AUC, log-loss vs MostPop, EASE, item-kNN",
     "CONFIG (--model MODEL [--model MODEL ...] | --cold-start [--folds N]) [--k N] [--per-user FILE] [--json]",
     run_eval},
    {"inspect", "describe a model file: features, shapes, sizes, metadata, lineage",
     "MODEL [--json] [--verify] [--repeat N] [--kernels NAME]", run_inspect},
    {"runs", "compare trained models and tuning trials: the settings that differ, the metrics",
     "PATH... [--sort KEY] [--desc|--asc] [--json]", run_runs},
    {"recommend", "top-K items for a customer",
     "MODEL [--user ID] [--feature INPUT=VALUE ...] [--k N] [--exclude ID,...] [--candidates ID,...] "
     "[--precision exact|int8] [--overlay PATH] [--catalog PATH] [--explain] [--json] | MODEL --all-users CONFIG "
     "--out FILE.csv|.jsonl [--users FILE] [--threads N] [--k N]",
     run_recommend},
    {"score", "probability that a customer takes given items",
     "MODEL [--user ID] [--feature INPUT=VALUE ...] (--item ID,... | --describe INPUT=VALUE ...) [--overlay PATH] "
     "[--explain] [--json]",
     run_score},
    {"observe", "on-device learning: record what a customer took or passed over",
     "MODEL --overlay PATH --user ID [--feature INPUT=VALUE ...] (--item ID [--label L] [--weight W] | "
     "--shown ID,... [--taken ID])",
     run_observe},
    {"forget", "remove everything learned about one customer", "MODEL --overlay PATH --user ID", run_forget},
    {"catalog", "catalog changes without retraining: items unavailable, items added by their features",
     "MODEL --changes PATH [--unavailable ID,...] [--available ID,...] [--add ID --describe INPUT=VALUE ...] "
     "[--remove ID,...] [--json]",
     run_catalog},
    {"export-onnx", "write a model as an ONNX graph (and a batch to compare with ONNX Runtime)",
     "MODEL --out FILE [--batch-dir DIR] [--batch N]", run_export_onnx},
    {"bench", "measure the runtime on the reference shapes S, M, L (and the core's peak)",
     "[--shape S|M|L|all] [--requests N] [--seconds S] [--sweep SHAPE|none] [--sweep-max N] [--kernels ISA] [--json]",
     run_bench},
    {"bench-learn", "measure on-device learning: observe, sync, recovery, overlay cost",
     "MODEL [--observations N] [--customers N] [--shown N] [--memory BYTES] [--dir DIR] [--json]", run_bench_learn},
    {"generate", "write an untrained model: a reference shape (XS, S, M, L) or the coffee example",
     "--shape XS|S|M|L|coffee --out PATH [--items N] [--seed N] [--embeddings f32|f16|int8]", run_generate},
};

void usage(std::FILE* out) {
  std::fprintf(out, "barista %s: an embedded wide & deep recommender\n\nusage: barista <command> [options]\n\n",
               barista_version());
  int width = 0;
  for (const Command& c : kCommands) width = std::max(width, static_cast<int>(std::strlen(c.name)));
  for (const Command& c : kCommands) std::fprintf(out, "  %-*s  %s\n", width, c.name, c.summary);
  std::fprintf(out,
               "\n'barista <command> --help' describes a command; 'barista --version' prints the version.\n"
               "\nexit codes: 0 done; 1 the work failed (a file missing or not a model, an id the model\n"
               "does not know, a write that did not happen); 2 a usage error (an unknown command or\n"
               "option, a missing or malformed argument).\n");
}

Exit run(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return Exit::Usage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return Exit::Ok;
  }
  if (name == "--version" || name == "version") {
    std::printf("barista %s (model format %d.%d, reads formats %d to %d; quantization layout %d)\n", barista_version(),
                BARISTA_FORMAT_MAJOR, BARISTA_FORMAT_MINOR, BARISTA_FORMAT_MAJOR_OLDEST, BARISTA_FORMAT_MAJOR,
                BARISTA_QUANTIZATION_VERSION);
    return Exit::Ok;
  }
  std::vector<std::string> names;
  for (const Command& c : kCommands) {
    if (name == c.name) return c.run(c, argc - 2, argv + 2);
    names.push_back(c.name);
  }
  const std::string guess = closest(name, names);
  if (!guess.empty()) {
    std::fprintf(stderr, "error: unknown command '%s' (did you mean '%s'?)\n", name.c_str(), guess.c_str());
  } else {
    std::fprintf(stderr, "error: unknown command '%s'\n\n", name.c_str());
    usage(stderr);
  }
  return Exit::Usage;
}

}  // namespace
}  // namespace barista::cli

// Exit's values are the exit codes; this is the one place they leave.
int main(int argc, char** argv) { return static_cast<int>(barista::cli::run(argc, argv)); }
