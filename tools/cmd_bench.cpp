// barista bench: the runtime's speed on the reference shapes S, M and L
// (src/offline/samples/random_model.cpp, generated deterministically), single thread,
// through the public C++ API as a host calls it — recommend top-10 over the
// catalog, one item scored, open time, file size per quantization, peak RSS
// after open + requests, latency against catalog size, and the machine's
// own peak for scale.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "barista.hpp"
#include "bench_peak.h"
#include "bench_support.h"
#include "cli.h"
#include "commands.h"
#include "common/random.h"
#include "kernels/dispatch.h"
#include "kernels/kernel_list.h"
#include "model/model.h"
#include "samples/random_model.h"
#include "sequence/sequence_encoder.h"
#include "train/sequence_training.h"
#include "writer/model_writer.h"

namespace barista::cli {

namespace {

constexpr uint64_t kSeed = 1;
constexpr size_t kCustomers = 64;

struct RecommendFigures {
  Summary latency_us;
  size_t requests = 0;
  double items_per_second = 0;
};

// Recommend top-10 over the whole catalog until `budget_seconds` have passed
// or `max_requests` were made (at least 5).
Status time_recommend(const Model& model, double budget_seconds, size_t max_requests, RecommendFigures* out,
                      barista_precision precision = BARISTA_PRECISION_EXACT,
                      std::vector<std::vector<uint32_t>>* tops = nullptr, uint32_t history_values = 5) {
  Session session;
  Status status = Session::create(model, &session);
  if (!status) return status;
  XorShift random{0x5EED5EEDULL};
  std::vector<Request> customers;
  if (!make_customers(model, kCustomers, &random, &customers, history_values)) return Status();
  std::vector<barista_recommendation> top;
  RecommendOptions options;
  options.k = 10;
  options.precision = precision;
  std::vector<double> us;
  // One warm-up request: page in the catalog's precomputed halves.
  if (!(status = session.recommend(customers[0], options, &top))) return status;
  const auto start = Clock::now();
  while (us.size() < std::max<size_t>(5, max_requests) &&
         (us.size() < 5 || micros_since(start) < budget_seconds * 1e6)) {
    const auto one = Clock::now();
    if (!(status = session.recommend(customers[us.size() % customers.size()], options, &top))) return status;
    us.push_back(micros_since(one));
    if (tops != nullptr) {
      tops->emplace_back();
      for (const barista_recommendation& r : top) tops->back().push_back(r.item);
    }
  }
  out->latency_us = summarize(us);
  out->requests = us.size();
  out->items_per_second = out->latency_us.mean > 0 ? model.item_count() / (out->latency_us.mean / 1e6) : 0;
  return Status();
}

// New sessions: what a thread's first request costs, and what a session
// holds. Sessions share the model's serving index, so the first call should
// cost what a steady one does and every session the same memory.
struct SessionFigures {
  Summary first_us, first_int8_us;  // the first recommend of a new session
  size_t session_bytes = 0;         // the first session's, after its requests
  size_t last_session_bytes = 0;    // the last one's, all of them alive
  size_t sessions = 0;
  size_t model_bytes = 0;
};

Status time_new_sessions(const Model& model, SessionFigures* out) {
  XorShift random{0xF1257ULL};
  std::vector<Request> customers;
  if (!make_customers(model, kCustomers, &random, &customers)) return Status();
  std::vector<barista_recommendation> top;
  RecommendOptions exact, int8;
  exact.k = int8.k = 10;
  int8.precision = BARISTA_PRECISION_INT8_SHORTLIST;
  std::vector<double> first, first_int8;
  std::vector<Session> sessions(8);
  for (size_t i = 0; i < sessions.size(); ++i) {
    Status status = Session::create(model, &sessions[i]);
    const auto start = Clock::now();
    if (status) status = sessions[i].recommend(customers[i % customers.size()], exact, &top);
    first.push_back(micros_since(start));
    Session fresh;
    if (status) status = Session::create(model, &fresh);
    const auto start_int8 = Clock::now();
    if (status) status = fresh.recommend(customers[i % customers.size()], int8, &top);
    first_int8.push_back(micros_since(start_int8));
    if (status) status = sessions[i].recommend(customers[(i + 1) % customers.size()], int8, &top);
    if (!status) return status;
  }
  out->first_us = summarize(first);
  out->first_int8_us = summarize(first_int8);
  out->session_bytes = sessions.front().memory_bytes();
  out->last_session_bytes = sessions.back().memory_bytes();
  out->sessions = sessions.size();
  out->model_bytes = model.memory_bytes();
  return Status();
}

// Times `call(session, customer, item)` for `repeats` random customers and
// catalog items, one call each.
template <class Call>
Status time_per_item(const Model& model, size_t repeats, Call&& call, Summary* out) {
  Session session;
  Status status = Session::create(model, &session);
  if (!status) return status;
  XorShift random{0xC0FFEEULL};
  std::vector<Request> customers;
  if (!make_customers(model, kCustomers, &random, &customers)) return Status();
  std::vector<double> us;
  for (size_t r = 0; r < repeats; ++r) {
    const uint32_t item = random.below(model.item_count());
    const auto one = Clock::now();
    if (!(status = call(session, customers[r % customers.size()], item))) return status;
    us.push_back(micros_since(one));
  }
  *out = summarize(us);
  return Status();
}

Status time_score_one(const Model& model, Summary* out) {
  std::vector<float> scores;
  return time_per_item(
      model, 20000,
      [&](Session& session, const Request& customer, uint32_t item) {
        return session.score(customer, Span<uint32_t>(&item, 1), &scores);
      },
      out);
}

// barista_session_explain: the slow path (every term named, the MLP run
// forward and backward for 64 points).
Status time_explain_one(const Model& model, Summary* out) {
  barista_explanation e{};
  return time_per_item(
      model, 1000,
      [&](Session& session, const Request& customer, uint32_t item) { return session.explain(customer, item, &e); },
      out);
}

// Median of reopening the file: the mapping and the checks, after the first
// open has faulted in the library's own code.
Status time_open(const std::string& path, double* median_us) {
  std::vector<double> us;
  for (int i = 0; i < 51; ++i) {
    Model model;
    const auto start = Clock::now();
    const Status status = Model::open(path, &model);
    if (!status) return status;
    if (i > 0) us.push_back(micros_since(start));
  }
  *median_us = summarize(us).p50;
  return Status();
}

struct Memory {
  double peak_mib = 0, file_mib = 0, anonymous_mib = 0;
  double model_mib = 0;  // resident pages of the model file's mapping
  size_t requests = 0;
};

// The number of "   1234 kB", as /proc writes sizes (0 when there is none).
uint64_t leading_kib(const char* text) {
  while (*text == ' ' || *text == '\t') ++text;
  uint64_t kib = 0;
  std::from_chars(text, text + std::strlen(text), kib);
  return kib;
}

double status_mib(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  double kib = 0;
  const size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, field, n) == 0 && line[n] == ':') kib = static_cast<double>(leading_kib(line + n + 1));
  }
  std::fclose(f);
  return kib / 1024.0;
}

// Resident pages of the mappings of `path` (the model file), from smaps.
double mapped_mib(const std::string& path) {
  FILE* f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return 0;
  char line[4096];
  bool inside = false;
  double kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    // A mapping's header is "start-end perms offset dev inode [path]"; its
    // fields follow as "Name: value" lines.
    const char* space = std::strchr(line, ' ');
    const char* colon = std::strchr(line, ':');
    const char* dash = std::strchr(line, '-');
    const bool header = space != nullptr && dash != nullptr && dash < space && (colon == nullptr || colon > space);
    if (header) {
      std::string text(line);
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      inside = text.size() >= path.size() && text.compare(text.size() - path.size(), path.size(), path) == 0;
    } else if (inside && std::strncmp(line, "Rss:", 4) == 0) {
      kib += static_cast<double>(leading_kib(line + 4));
    }
  }
  std::fclose(f);
  return kib / 1024.0;
}

// Runs in a fresh process (`barista bench --rss-probe MODEL`), so that the
// benchmark's own allocations do not count: open, `requests` recommendations,
// then the kernel's view of the process.
Exit rss_probe(const std::string& path, uint64_t requests) {
  Model model;
  Status status = Model::open(path, &model);
  if (!status) return fail(status.message());
  RecommendFigures figures;
  if (!(status = time_recommend(model, 1e9, requests, &figures))) return fail(status.message());
  char real[4096];
  const std::string mapped = realpath(path.c_str(), real) != nullptr ? std::string(real) : path;
  std::printf("%zu %.3f %.3f %.3f %.3f\n", figures.requests, status_mib("VmHWM"), status_mib("RssFile"),
              status_mib("RssAnon"), mapped_mib(mapped));
  return Exit::Ok;
}

bool measure_memory(const std::string& path, uint64_t requests, Memory* out) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return false;
  self[n] = '\0';
  const std::string command =
      "'" + std::string(self) + "' bench --rss-probe '" + path + "' --requests " + std::to_string(requests);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return false;
  const int read = std::fscanf(pipe, "%zu %lf %lf %lf %lf", &out->requests, &out->peak_mib, &out->file_mib,
                               &out->anonymous_mib, &out->model_mib);
  return pclose(pipe) == 0 && read == 5;
}

// FLOPs per item of the layers above the first one (the batched part).
double upper_layer_flops(const ModelShape& shape) {
  std::vector<uint32_t> widths = shape.hidden;
  widths.push_back(1);
  double flops = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i) flops += 2.0 * widths[i] * widths[i + 1];
  return flops;
}

std::string describe(const ModelShape& s) {
  std::string layers;
  for (uint32_t h : s.hidden) layers += (layers.empty() ? "" : "-") + std::to_string(h);
  int log2 = 0;
  while ((uint64_t{1} << log2) < s.wide_buckets) ++log2;
  return std::to_string(s.categorical_columns) + " categorical x " + std::to_string(s.embedding_dim) + "-dim + " +
         std::to_string(s.numeric_columns) + " numeric, MLP " + layers + ", 2^" + std::to_string(log2) +
         " wide buckets, " + std::to_string(s.items) + " items";
}

// The shape with `length` recent items per request, with and without a
// one-block sequence encoder over them.
struct SequenceFigures {
  uint32_t length = 0;
  Summary encoder_us;  // the encoder alone, per request
  RecommendFigures with_encoder, without;
};

// The recent items' deep input encoded (one block) or pooled, with room
// for `length` of them.
internal::ModelSpec with_history(internal::ModelSpec spec, uint32_t length, bool encoder) {
  for (internal::DeepInputSpec& d : spec.deep) {
    const internal::ColumnSpec& column = spec.columns[d.column];
    if (column.name != "recent_items") continue;
    spec.inputs[column.input].max_values = std::max(spec.inputs[column.input].max_values, length);
    if (encoder) {
      internal::Random random(kSeed);
      internal::init_sequence_encoder(length, d.dim, 1, &random, &d.sequence);
    }
  }
  return spec;
}

Status time_sequence(const internal::ModelSpec& spec, const std::string& dir, uint32_t length, double budget,
                     uint64_t requests, SequenceFigures* out) {
  out->length = length;
  for (bool encoder : {true, false}) {
    const std::string path = dir + "/bench-sequence.barista";
    const internal::Status written =
        internal::write_model_file(with_history(spec, length, encoder), internal::WriteOptions(), path);
    if (!written.ok()) return Status(BARISTA_STATUS_IO_ERROR, written.message());
    Model model;
    Status status = Model::open(path, &model);
    if (status) {
      status = time_recommend(model, budget, requests, encoder ? &out->with_encoder : &out->without,
                              BARISTA_PRECISION_EXACT, nullptr, length);
    }
    if (status && encoder) {
      // The encoder alone, as the session runs it once per request.
      std::unique_ptr<internal::Model> inner;
      const internal::Status opened = internal::Model::open_file(path.c_str(), internal::OpenOptions(), &inner);
      if (!opened.ok()) return Status(BARISTA_STATUS_IO_ERROR, opened.message());
      const internal::DeepInputInfo* input = nullptr;
      for (const internal::DeepInputInfo& d : inner->deep_inputs()) {
        if (d.sequence >= 0) input = &d;
      }
      if (input == nullptr) return Status(BARISTA_STATUS_INTERNAL, "the bench model has no sequence encoder");
      XorShift random{0x5EEDULL};
      std::vector<uint32_t> ids(length);
      internal::SequenceEncoderRunner runner;
      std::vector<float> output(input->width);
      std::vector<double> us;
      for (int sample = 0; sample < 500; ++sample) {
        for (uint32_t& id : ids) id = random.below(input->embedding.rows);
        const auto start = Clock::now();
        for (int repeat = 0; repeat < 10; ++repeat) {
          runner.encode(inner->sequence_encoders()[static_cast<size_t>(input->sequence)], input->embedding,
                        inner->kernels(), internal::Span<uint32_t>(ids.data(), ids.size()), output.data());
        }
        us.push_back(micros_since(start) / 10.0);
      }
      out->encoder_us = summarize(us);
    }
    std::remove(path.c_str());
    if (!status) return status;
  }
  return Status();
}

struct ShapeFigures {
  ModelShape shape;
  std::string kernels;
  size_t bytes_f32 = 0, bytes_f16 = 0, bytes_int8 = 0;
  double open_us = 0;
  RecommendFigures recommend;
  RecommendFigures recommend_int8;
  double int8_agreement = 0;  // requests whose top-10 equals the exact one
  size_t int8_compared = 0;
  Summary score_one;
  Summary explain_one;
  SessionFigures sessions;
  double upper_gflops = 0;
  Memory memory;
  bool memory_ok = false;
  std::vector<SequenceFigures> sequences;
};

Exit run_shape(const ModelShape& shape, const std::string& dir, const barista_open_params& open, uint64_t requests,
               double budget, uint64_t rss_requests, ShapeFigures* out) {
  out->shape = shape;
  std::fprintf(stderr, "shape %s: generating...\n", shape.name.c_str());
  const internal::ModelSpec spec = make_random_model(shape, kSeed);
  const std::string path = dir + "/bench-" + shape.name + ".barista";
  for (internal::fb::DType dtype :
       {internal::fb::DType::F16, internal::fb::DType::Int8Rowwise, internal::fb::DType::F32}) {
    internal::WriteOptions write;
    write.embedding_dtype = dtype;
    std::vector<uint8_t> bytes;
    internal::Status status = internal::write_model(spec, write, &bytes);
    if (!status.ok()) return fail(status.message());
    (dtype == internal::fb::DType::F32   ? out->bytes_f32
     : dtype == internal::fb::DType::F16 ? out->bytes_f16
                                         : out->bytes_int8) = bytes.size();
    if (dtype == internal::fb::DType::F32 && !(status = internal::write_model_file(spec, write, path)).ok()) {
      return fail(status.message());
    }
  }
  Status status = time_open(path, &out->open_us);
  Model model;
  if (status) status = Model::open(path, &model, &open);
  std::fprintf(stderr, "shape %s: timing...\n", shape.name.c_str());
  if (status) out->kernels = model.info().kernels;
  std::vector<std::vector<uint32_t>> exact_tops, int8_tops;
  if (status) status = time_recommend(model, budget, requests, &out->recommend, BARISTA_PRECISION_EXACT, &exact_tops);
  if (status) {
    status =
        time_recommend(model, budget, requests, &out->recommend_int8, BARISTA_PRECISION_INT8_SHORTLIST, &int8_tops);
  }
  out->int8_compared = std::min(exact_tops.size(), int8_tops.size());
  size_t agree = 0;
  for (size_t i = 0; i < out->int8_compared; ++i) agree += exact_tops[i] == int8_tops[i];
  out->int8_agreement =
      out->int8_compared > 0 ? static_cast<double>(agree) / static_cast<double>(out->int8_compared) : 0;
  if (status) status = time_score_one(model, &out->score_one);
  if (status) status = time_explain_one(model, &out->explain_one);
  if (status) status = time_new_sessions(model, &out->sessions);
  if (!status) return fail(status.message());
  out->upper_gflops = out->recommend.items_per_second * upper_layer_flops(shape) / 1e9;
  out->memory_ok = measure_memory(path, rss_requests, &out->memory);
  std::remove(path.c_str());  // L's is 500 MiB; `barista generate` writes any of them again
  if (shape.name != "L") {
    for (uint32_t length : {10u, 50u}) {
      out->sequences.emplace_back();
      if (!(status = time_sequence(spec, dir, length, budget / 2, requests, &out->sequences.back()))) {
        return fail(status.message());
      }
    }
  }
  return Exit::Ok;
}

double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

Exit run_bench(const Command& command, int argc, char** argv) {
  Args args(command,
            "Measures the runtime on the reference shapes (barista generate --shape), one thread:\n"
            "recommend top-10 over the catalog (p50, p99, items/s), one item scored and explained, reopening the\n"
            "file, file size per embedding quantization, peak RSS of a fresh process after open +\n"
            "requests, recommend latency against catalog size, and the core's measured f32 and\n"
            "int8 peak with the fraction of it the batched layers reach.",
            {{"shape", "S|M|L|all", "which shapes (default: all)"},
             {"requests", "N", "most recommend requests per shape (default: 2000)"},
             {"seconds", "S", "time budget for recommend per shape (default: 3)"},
             {"rss-requests", "N", "requests of the RSS probe (default: 1000; L: 30)"},
             {"sweep", "SHAPE", "shape for the catalog-size sweep 1k..max (default: S; none: skip)"},
             {"sweep-max", "N", "largest catalog of the sweep (default: 1000000)"},
             {"kernels", "ISA", "force a kernel variant: " BARISTA_KERNEL_CHOICES},
             {"dir", "DIR", "where the model files go (default: $TMPDIR or /tmp; removed afterwards)"},
             {"rss-probe", "MODEL", "internal: the RSS probe's child process"},
             {"json", "", "machine-readable output"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  uint64_t requests = 0, rss_requests = 0, sweep_max = 0;
  double seconds = 0;
  std::string which, sweep_shape;
  if (!args.get_uint("requests", 2000, &requests) || !args.get_uint("rss-requests", 1000, &rss_requests) ||
      !args.get_uint("sweep-max", 1000000, &sweep_max) || !args.get_double("seconds", 3.0, &seconds) ||
      !args.get_choice("shape", {"S", "M", "L", "all"}, "all", &which) ||
      !args.get_choice("sweep", {"S", "M", "L", "none"}, "S", &sweep_shape)) {
    return Exit::Usage;
  }
  if (args.has("rss-probe")) return rss_probe(args.get("rss-probe"), requests);

  std::vector<ModelShape> shapes;
  for (const char* name : {"S", "M", "L"}) {
    ModelShape shape;
    if ((which == "all" || which == name) && reference_shape(name, &shape)) shapes.push_back(shape);
  }
  const std::string kernels = args.get("kernels", "auto");
  barista_open_params open = barista_open_default_params();
  open.kernels = kernels.c_str();
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = args.get("dir", tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp");

  const Peak peak = measure_peak();
  std::vector<ShapeFigures> figures(shapes.size());
  std::string isa;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const uint64_t probe = shapes[i].name == "L" && !args.has("rss-requests") ? 30 : rss_requests;
    if ((exit = run_shape(shapes[i], dir, open, requests, seconds, probe, &figures[i])) != Exit::Ok) return exit;
  }

  // Catalog-size sweep, in memory (no files).
  struct SweepPoint {
    uint32_t items;
    size_t bytes;
    RecommendFigures recommend;
  };
  std::vector<SweepPoint> sweep;
  ModelShape base;
  if (sweep_shape != "none") {
    if (!reference_shape(sweep_shape, &base)) return fail("no reference shape '" + sweep_shape + "'");
    for (uint64_t items = 1000; items <= sweep_max; items *= 10) {
      ModelShape shape = base;
      shape.items = static_cast<uint32_t>(items);
      std::fprintf(stderr, "sweep: %s with %llu items...\n", base.name.c_str(), static_cast<unsigned long long>(items));
      std::vector<uint8_t> bytes;
      const internal::Status written = internal::write_model(make_random_model(shape, kSeed), {}, &bytes);
      if (!written.ok()) return fail(written.message());
      Model model;
      Status status = Model::open_buffer(bytes.data(), bytes.size(), &model, &open);
      SweepPoint point{shape.items, bytes.size(), {}};
      if (status) status = time_recommend(model, seconds, requests, &point.recommend);
      if (!status) return fail(status.message());
      sweep.push_back(point);
      if (isa.empty()) isa = model.info().kernels;
    }
  }
  if (isa.empty()) isa = figures[0].kernels;
  // Without a vector int8 product the session ranks the int8 rows exactly.
  const barista::internal::KernelTable* table = nullptr;
  const bool int8_product = barista::internal::select_kernels(isa.c_str(), &table).ok() && table->int8_product;

  if (args.has("json")) {
    JsonWriter j;
    auto put = [&](const char* name, const Summary& s) {
      j.key(name).begin_object().key("mean_us").value(s.mean).key("p50_us").value(s.p50).key("p99_us").value(s.p99);
      j.end_object();
    };
    j.begin_object().key("kernels").value(isa).key("int8_product").value(int8_product);
    j.key("peak").begin_object().key("f32_isa").value(peak.f32_isa).key("f32_gflops").value(peak.f32_gflops);
    j.key("int8_isa").value(peak.int8_isa).key("int8_gops").value(peak.int8_gops).end_object();
    j.key("shapes").begin_array();
    for (const ShapeFigures& f : figures) {
      j.begin_object().key("shape").value(f.shape.name).key("items").value(f.shape.items);
      j.key("bytes_f32").value(static_cast<uint64_t>(f.bytes_f32));
      j.key("bytes_f16").value(static_cast<uint64_t>(f.bytes_f16));
      j.key("bytes_int8").value(static_cast<uint64_t>(f.bytes_int8));
      j.key("open_us").value(f.open_us);
      put("recommend", f.recommend.latency_us);
      j.key("recommend_requests").value(static_cast<uint64_t>(f.recommend.requests));
      j.key("items_per_second").value(f.recommend.items_per_second);
      j.key("upper_layers_gflops").value(f.upper_gflops);
      put("recommend_int8", f.recommend_int8.latency_us);
      j.key("int8_items_per_second").value(f.recommend_int8.items_per_second);
      j.key("int8_top10_agreement").value(f.int8_agreement);
      j.key("int8_requests_compared").value(static_cast<uint64_t>(f.int8_compared));
      put("score_one", f.score_one);
      put("explain_one", f.explain_one);
      j.key("sequence_encoder").begin_array();
      for (const SequenceFigures& q : f.sequences) {
        j.begin_object().key("length").value(static_cast<uint64_t>(q.length));
        put("encoder", q.encoder_us);
        put("recommend_with_encoder", q.with_encoder.latency_us);
        put("recommend_pooled", q.without.latency_us);
        j.end_object();
      }
      j.end_array();
      put("first_recommend", f.sessions.first_us);
      put("first_recommend_int8", f.sessions.first_int8_us);
      j.key("session_bytes").value(static_cast<uint64_t>(f.sessions.session_bytes));
      j.key("sessions").value(static_cast<uint64_t>(f.sessions.sessions));
      j.key("last_session_bytes").value(static_cast<uint64_t>(f.sessions.last_session_bytes));
      j.key("model_bytes").value(static_cast<uint64_t>(f.sessions.model_bytes));
      if (f.memory_ok) {
        j.key("rss").begin_object().key("requests").value(static_cast<uint64_t>(f.memory.requests));
        j.key("peak_mib").value(f.memory.peak_mib).key("file_mib").value(f.memory.file_mib);
        j.key("anonymous_mib").value(f.memory.anonymous_mib).key("model_file_mib").value(f.memory.model_mib);
        j.end_object();
      }
      j.end_object();
    }
    j.end_array().key("sweep").begin_array();
    for (const SweepPoint& p : sweep) {
      j.begin_object().key("shape").value(base.name).key("items").value(p.items);
      j.key("bytes").value(static_cast<uint64_t>(p.bytes));
      put("recommend", p.recommend.latency_us);
      j.key("items_per_second").value(p.recommend.items_per_second).end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }

  std::printf("barista bench: one thread, %s kernels, seed %llu\n", isa.c_str(),
              static_cast<unsigned long long>(kSeed));
  std::printf("this core's peak: f32 %.1f GFLOP/s (%s), int8 %.1f GOP/s (%s)\n\n", peak.f32_gflops,
              peak.f32_isa.c_str(), peak.int8_gops, peak.int8_isa.c_str());
  for (const ShapeFigures& f : figures) {
    std::printf("%s: %s\n", f.shape.name.c_str(), describe(f.shape).c_str());
    std::printf("  file: %.1f MiB f32, %.1f MiB f16, %.1f MiB int8 embeddings; reopen (median of 50): %.0f us\n",
                mib(f.bytes_f32), mib(f.bytes_f16), mib(f.bytes_int8), f.open_us);
    std::printf("  recommend top-10 over %u items: p50 %.3f ms, p99 %.3f ms, %.2f M items/s (%zu requests)\n",
                f.shape.items, f.recommend.latency_us.p50 / 1e3, f.recommend.latency_us.p99 / 1e3,
                f.recommend.items_per_second / 1e6, f.recommend.requests);
    std::printf(
        "  int8 shortlist + exact rescoring: p50 %.3f ms, p99 %.3f ms, %.2f M items/s; top-10 equals the exact "
        "one in %.1f%% of %zu requests\n",
        f.recommend_int8.latency_us.p50 / 1e3, f.recommend_int8.latency_us.p99 / 1e3,
        f.recommend_int8.items_per_second / 1e6, 100.0 * f.int8_agreement, f.int8_compared);
    if (!int8_product) std::printf("    (ranked exactly: the %s kernels have no vector int8 product)\n", isa.c_str());
    std::printf("  batched upper layers: %.1f GFLOP/s over the whole request, %.0f%% of the f32 peak\n", f.upper_gflops,
                peak.f32_gflops > 0 ? 100.0 * f.upper_gflops / peak.f32_gflops : 0.0);
    std::printf("  score one item: p50 %.2f us, p99 %.2f us\n", f.score_one.p50, f.score_one.p99);
    std::printf("  explain one item: p50 %.1f us, p99 %.1f us\n", f.explain_one.p50, f.explain_one.p99);
    for (const SequenceFigures& q : f.sequences) {
      std::printf(
          "  %u recent items through a one-block sequence encoder: the encoder p50 %.1f us, p99 %.1f us; recommend "
          "p50 %.3f ms (pooled instead: %.3f ms)\n",
          q.length, q.encoder_us.p50, q.encoder_us.p99, q.with_encoder.latency_us.p50 / 1e3,
          q.without.latency_us.p50 / 1e3);
    }
    std::printf(
        "  a new session's first recommend: p50 %.3f ms exact, %.3f ms int8 shortlist (%zu sessions)\n"
        "  memory: the first session %.1f KiB, the last of %zu alive %zu bytes (the first: %zu); the model %.2f MiB\n"
        "    (its tables and the serving index every session shares; the mapped file is not counted)\n",
        f.sessions.first_us.p50 / 1e3, f.sessions.first_int8_us.p50 / 1e3, f.sessions.sessions,
        f.sessions.session_bytes / 1024.0, f.sessions.sessions, f.sessions.last_session_bytes, f.sessions.session_bytes,
        mib(f.sessions.model_bytes));
    if (f.memory_ok) {
      std::printf(
          "  fresh process after open + %zu requests: peak RSS %.1f MiB; then %.1f MiB of the model file's pages,\n"
          "    %.1f MiB of other files (the program, its libraries), %.1f MiB anonymous\n",
          f.memory.requests, f.memory.peak_mib, f.memory.model_mib, f.memory.file_mib - f.memory.model_mib,
          f.memory.anonymous_mib);
    }
    std::printf("\n");
  }
  if (!sweep.empty()) {
    std::printf("recommend top-10 against catalog size (shape %s, in memory):\n", base.name.c_str());
    std::printf("  %10s %10s %10s %10s %14s\n", "items", "MiB", "p50 ms", "p99 ms", "M items/s");
    for (const SweepPoint& p : sweep) {
      std::printf("  %10u %10.1f %10.3f %10.3f %14.2f\n", p.items, mib(p.bytes), p.recommend.latency_us.p50 / 1e3,
                  p.recommend.latency_us.p99 / 1e3, p.recommend.items_per_second / 1e6);
    }
  }
  return Exit::Ok;
}

}  // namespace barista::cli
