// The subcommands of the barista CLI, one file each; main.cpp holds the one
// table of them (name, summary, usage), from which dispatch, `barista --help`
// and suggestions for a mistyped command come.
#pragma once

#include "cli.h"

namespace barista::cli {

Exit run_demo(const Command& command, int argc, char** argv);
Exit run_synth(const Command& command, int argc, char** argv);
Exit run_train(const Command& command, int argc, char** argv);
Exit run_tune(const Command& command, int argc, char** argv);
Exit run_eval(const Command& command, int argc, char** argv);
Exit run_inspect(const Command& command, int argc, char** argv);
Exit run_runs(const Command& command, int argc, char** argv);
Exit run_recommend(const Command& command, int argc, char** argv);
Exit run_score(const Command& command, int argc, char** argv);
Exit run_observe(const Command& command, int argc, char** argv);
Exit run_forget(const Command& command, int argc, char** argv);
Exit run_catalog(const Command& command, int argc, char** argv);
Exit run_export_onnx(const Command& command, int argc, char** argv);
Exit run_bench(const Command& command, int argc, char** argv);
Exit run_bench_learn(const Command& command, int argc, char** argv);
Exit run_generate(const Command& command, int argc, char** argv);

}  // namespace barista::cli
