// barista: one binary, one file per subcommand.
#include <cstdio>
#include <cstring>

#include "barista.h"
#include "commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* summary;
};

// The one list of subcommands.
const Command kCommands[] = {
    {"demo", barista::cli::run_demo, "the quick start: synthetic data, training, evaluation, recommendations"},
    {"synth", barista::cli::run_synth, "write synthetic coffee-shop data and a training config"},
    {"train", barista::cli::run_train, "train a model on an interaction log"},
    {"eval", barista::cli::run_eval, "evaluate models: HR, NDCG, AUC, log-loss vs MostPop, EASE, item-kNN"},
    {"inspect", barista::cli::run_inspect, "describe a model file: features, shapes, sizes, metadata"},
    {"recommend", barista::cli::run_recommend, "top-K items for a customer"},
    {"score", barista::cli::run_score, "probability that a customer takes given items"},
    {"observe", barista::cli::run_observe, "on-device learning: record what a customer took or passed over"},
    {"forget", barista::cli::run_forget, "remove everything learned about one customer"},
    {"export-onnx", barista::cli::run_export_onnx, "write a model as an ONNX graph (and a batch to compare with ONNX Runtime)"},
    {"bench", barista::cli::run_bench, "measure the runtime on the reference shapes S, M, L (and the core's peak)"},
    {"bench-learn", barista::cli::run_bench_learn, "measure on-device learning: observe, sync, recovery, overlay cost"},
    {"generate", barista::cli::run_generate,
     "write an untrained model: a reference shape (XS, S, M, L) or the coffee example"},
};

void usage(std::FILE* out) {
  std::fprintf(out, "barista %s: an embedded wide & deep recommender\n\nusage: barista <command> [options]\n\n",
               barista_version());
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'barista <command> --help' describes a command; 'barista --version' prints the version.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0) {
    std::printf("barista %s (model format %d.%d, reads formats %d to %d; quantization layout %d)\n",
                barista_version(), BARISTA_FORMAT_MAJOR, BARISTA_FORMAT_MINOR, BARISTA_FORMAT_MAJOR_OLDEST,
                BARISTA_FORMAT_MAJOR, BARISTA_QUANTIZATION_VERSION);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(argc - 2, argv + 2);
  }
  std::fprintf(stderr, "error: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
