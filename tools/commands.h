// The subcommands of the barista CLI; main.cpp holds the one table of them.
#pragma once

namespace barista::cli {

int run_demo(int argc, char** argv);
int run_inspect(int argc, char** argv);
int run_recommend(int argc, char** argv);
int run_score(int argc, char** argv);
int run_generate(int argc, char** argv);
int run_train(int argc, char** argv);
int run_eval(int argc, char** argv);
int run_synth(int argc, char** argv);
int run_observe(int argc, char** argv);
int run_forget(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_export_onnx(int argc, char** argv);
int run_bench_learn(int argc, char** argv);

}  // namespace barista::cli
