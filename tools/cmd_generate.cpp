// barista generate --shape S|M|L --out PATH: a deterministic random model of a
// reference shape, for benchmarks and open-time measurements.
#include <chrono>
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "samples/coffee_model.h"
#include "samples/random_model.h"
#include "writer/model_writer.h"

namespace barista::cli {

Exit run_generate(const Command& command, int argc, char** argv) {
  Args args(command,
            "Writes a model of a reference shape with seeded random weights:\n"
            "  S: 4 categorical x 16-dim + 4 numeric, MLP 64-32, 2^18 wide buckets, 1k items\n"
            "  M: 8 x 32-dim + 8 numeric, MLP 256-128-64, 2^20 wide buckets, 10k items\n"
            "  L: 16 x 64-dim + 16 numeric, MLP 1024-512-256, 2^22 wide buckets, 100k items\n"
            "  XS: a few hundred weights, 4 items (tests and fuzz seeds)\n"
            "  coffee: a hand-set coffee-shop model with readable tastes (examples and tests)",
            {{"shape", "XS|S|M|L|coffee", "reference shape (default: S)"},
             {"out", "PATH", "output file", Use::Required},
             {"items", "N", "catalog size (default: the shape's)"},
             {"seed", "N", "random seed (default: 1)"},
             {"embeddings", "TYPE", "f32 (default), f16 or int8"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  std::string shape_name, embeddings;
  uint64_t items = 0, seed = 1;
  if (!args.get_choice("shape", {"XS", "S", "M", "L", "coffee"}, "S", &shape_name) ||
      !args.get_choice("embeddings", {"f32", "f16", "int8"}, "f32", &embeddings) || !args.get_uint("seed", 1, &seed) ||
      !args.get_uint("items", 0, &items)) {
    return Exit::Usage;
  }
  if (shape_name == "coffee") {
    const internal::Status written =
        internal::write_model_file(make_coffee_model(), internal::WriteOptions(), args.get("out"));
    if (!written.ok()) return fail(written.message());
    std::printf("wrote %s (the hand-set coffee-shop model)\n", args.get("out").c_str());
    return Exit::Ok;
  }
  ModelShape shape;
  if (!reference_shape(shape_name, &shape)) return fail("no reference shape '" + shape_name + "'");
  if (args.has("items")) shape.items = static_cast<uint32_t>(items);
  internal::WriteOptions options;
  if (embeddings == "f16") {
    options.embedding_dtype = internal::fb::DType::F16;
  } else if (embeddings == "int8") {
    options.embedding_dtype = internal::fb::DType::Int8Rowwise;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const internal::Status status = internal::write_model_file(make_random_model(shape, seed), options, args.get("out"));
  if (!status.ok()) return fail(status.message());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %s (shape %s, %u items, %s embeddings) in %.1f s\n", args.get("out").c_str(), shape.name.c_str(),
              shape.items, embeddings.c_str(), seconds);
  return Exit::Ok;
}

}  // namespace barista::cli
