// barista generate --shape S|M|L --out PATH: a deterministic random model of a
// reference shape, for benchmarks and open-time measurements.
#include <chrono>
#include <cstdio>

#include "cli.h"
#include "samples/coffee_model.h"
#include "commands.h"
#include "samples/random_model.h"
#include "writer/model_writer.h"

namespace barista::cli {

int run_generate(int argc, char** argv) {
  Args args("generate", "--shape XS|S|M|L|coffee --out PATH [--items N] [--seed N] [--embeddings f32|f16|int8]",
            "Writes a model of a reference shape with seeded random weights:\n"
            "  S: 4 categorical x 16-dim + 4 numeric, MLP 64-32, 2^18 wide buckets, 1k items\n"
            "  M: 8 x 32-dim + 8 numeric, MLP 256-128-64, 2^20 wide buckets, 10k items\n"
            "  L: 16 x 64-dim + 16 numeric, MLP 1024-512-256, 2^22 wide buckets, 100k items\n"
            "  XS: a few hundred weights, 4 items (tests and fuzz seeds)\n"
            "  coffee: a hand-set coffee-shop model with readable tastes (examples and tests)",
            {{"shape", "XS|S|M|L|coffee", "reference shape", false},
             {"out", "PATH", "output file", false},
             {"items", "N", "catalog size (default: the shape's)", false},
             {"seed", "N", "random seed (default: 1)", false},
             {"embeddings", "TYPE", "f32 (default), f16 or int8", false}});
  int exit_code = 0;
  if (!args.parse(argc, argv, &exit_code)) return exit_code;
  if (!args.has("out")) return fail("--out is required");
  if (args.get("shape") == "coffee") {
    const internal::Status written =
        internal::write_model_file(make_coffee_model(), internal::WriteOptions(), args.get("out"));
    if (!written.ok()) return fail(written.message());
    std::printf("wrote %s (the hand-set coffee-shop model)\n", args.get("out").c_str());
    return 0;
  }
  ModelShape shape;
  if (!reference_shape(args.get("shape", "S"), &shape)) return fail("--shape wants XS, S, M, L or coffee");
  uint64_t items = 0, seed = 1;
  if (!args.get_uint("items", shape.items, &items) || !args.get_uint("seed", 1, &seed)) return 2;
  shape.items = static_cast<uint32_t>(items);
  internal::WriteOptions options;
  const std::string embeddings = args.get("embeddings", "f32");
  if (embeddings == "f16") {
    options.embedding_dtype = internal::fb::DType::F16;
  } else if (embeddings == "int8") {
    options.embedding_dtype = internal::fb::DType::Int8Rowwise;
  } else if (embeddings != "f32") {
    return fail("--embeddings wants f32, f16 or int8");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const internal::Status status = internal::write_model_file(make_random_model(shape, seed), options, args.get("out"));
  if (!status.ok()) return fail(status.message());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %s (shape %s, %u items, %s embeddings) in %.1f s\n", args.get("out").c_str(), shape.name.c_str(),
              shape.items, embeddings.c_str(), seconds);
  return 0;
}

}  // namespace barista::cli
