// barista export-onnx MODEL --out FILE: the model as an ONNX graph
// (src/offline/export/onnx_export.h). With --batch-dir, also one request against
// the first N catalog items, encoded as the graph's inputs, barista's own
// scores for them, and barista's speed on that batch — the barista half of
// tools/bench/onnx.sh, which runs ONNX Runtime on the same files.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "cli.h"
#include "commands.h"
#include "export/onnx_export.h"
#include "features/encoder.h"
#include "features/feature_bag.h"
#include "kernels/kernel_list.h"
#include "model/model.h"
#include "platform/file_io.h"
#include "score/scorer.h"
#include "score/serving_index.h"

namespace barista::cli {

namespace {

using internal::FeatureBag;
using internal::OnnxTensor;

// Errors name the OS reason; a failed write leaves no stray file.
internal::Status write_file(const std::string& path, const void* data, size_t size) {
  return internal::replace_file_durably(path, static_cast<const uint8_t*>(data), size);
}

// A made-up customer, as `barista bench` makes them: a user id, catalog
// items in multi-valent inputs, values in the others.
internal::Status make_request(const internal::Model& model, FeatureBag* request) {
  XorShift random{0x0DDBA11ULL};
  const uint32_t items = model.catalog().count;
  for (uint32_t i = 0; i < model.inputs().size(); ++i) {
    const internal::InputInfo& input = model.inputs()[i];
    if (input.is_item_side()) continue;
    internal::Status status;
    if (static_cast<int32_t>(i) == model.user_id_input()) {
      status = request->set_user("bench-customer-0");
    } else if (input.kind == internal::fb::ValueKind::Numeric) {
      status = request->set_number(i, 4.0 * random.uniform() - 2.0);
    } else if (input.multivalent) {
      for (uint32_t v = 0; v < std::min<uint32_t>(5, input.max_values) && status.ok() && items > 0; ++v) {
        status = request->add_string(input.name, "item-" + std::to_string(random.below(items)));
      }
    } else {
      status = request->add_string(input.name, "value-" + std::to_string(random.below(1000)));
    }
    if (!status.ok()) return status;
  }
  return internal::Status();
}

// The plain forward pass over a batch from the graph's inputs, with
// barista's kernels: what ONNX Runtime computes, computed here (gathers,
// pooling, concat, the layers as batched matrix products, the wide sum).
class PlainBatch {
 public:
  PlainBatch(const internal::Model& model, const std::vector<OnnxTensor>& inputs)
      : model_(model), inputs_(inputs), order_(internal::deep_inputs_in_order(model)) {}

  void run(size_t first, size_t rows, float* scores) {
    const internal::KernelTable& k = model_.kernels();
    const size_t width = model_.deep_width();
    x_.assign(rows * width, 0.0f);
    size_t t = 0;
    for (const internal::DeepInputInfo* in : order_) {
      if (!in->has_embedding) {
        const OnnxTensor& num = inputs_[t++];
        for (size_t r = 0; r < rows; ++r) x_[r * width + in->offset] = num.float_values[first + r];
        continue;
      }
      const OnnxTensor& ids = inputs_[t++];
      const OnnxTensor& weights = inputs_[t++];
      const size_t len = static_cast<size_t>(ids.dims[1]);
      const float* table = in->embedding.f32;
      for (size_t r = 0; r < rows; ++r) {
        float* slice = x_.data() + r * width + in->offset;
        for (size_t j = 0; j < len; ++j) {
          const float w = weights.float_values[(first + r) * len + j];
          if (w != 0.0f) k.axpy_f32(w, table + ids.int64_values[(first + r) * len + j] * in->width, slice, in->width);
        }
      }
    }
    const float* in = x_.data();
    std::vector<float>* out = &a_;
    for (const internal::LayerInfo& layer : model_.layers()) {
      out->resize(rows * layer.out);
      k.dense_f32(in, rows, layer.in, layer.weights, layer.bias, layer.out, layer.relu, out->data());
      in = out->data();
      out = out == &a_ ? &b_ : &a_;
    }
    const OnnxTensor& wide_ids = inputs_[t];
    const OnnxTensor& wide_scales = inputs_[t + 1];
    const size_t wide_len = static_cast<size_t>(wide_ids.dims[1]);
    const float* wide = model_.wide_weights().f32;
    for (size_t r = 0; r < rows; ++r) {
      float sum = model_.wide_bias();
      for (size_t j = 0; j < wide_len; ++j) {
        sum += wide[wide_ids.int64_values[(first + r) * wide_len + j]] *
               wide_scales.float_values[(first + r) * wide_len + j];
      }
      scores[r] = internal::sigmoid(in[r] + sum);
    }
  }

 private:
  const internal::Model& model_;
  const std::vector<OnnxTensor>& inputs_;
  const std::vector<const internal::DeepInputInfo*> order_;  // the graph's input order
  std::vector<float> x_, a_, b_;
};

}  // namespace

Exit run_export_onnx(const Command& command, int argc, char** argv) {
  Args args(command,
            "Writes MODEL as an ONNX graph of its plain forward pass (opset 13; inputs are encoded\n"
            "ids, combiner scales and standardized numbers; output: score [batch, 1]). With\n"
            "--batch-dir, also writes one request against the first N catalog items as the\n"
            "graph's inputs (raw little-endian files and manifest.json), barista's scores for\n"
            "them, and barista's speed on that batch (one thread).",
            {{"out", "FILE", "the .onnx file to write", Use::Required},
             {"batch-dir", "DIR", "where the batch goes (an existing directory)"},
             {"batch", "N", "items in the batch (default: 10000, at most the catalog)"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  uint64_t batch = 0;
  if (!args.get_uint("batch", 10000, &batch)) return Exit::Usage;
  std::unique_ptr<internal::Model> model;
  internal::Status status = internal::Model::open_file(args.positional()[0].c_str(), {}, &model);
  if (!status.ok()) return fail(args.positional()[0] + ": " + status.message());
  std::vector<uint8_t> onnx;
  if (!(status = internal::export_onnx(*model, &onnx)).ok()) return fail(status.message());
  if (!(status = write_file(args.get("out"), onnx.data(), onnx.size())).ok()) return fail(status.message());
  std::printf("wrote %s (%.1f MiB)\n", args.get("out").c_str(), static_cast<double>(onnx.size()) / (1 << 20));
  if (!args.has("batch-dir")) return Exit::Ok;

  // The plain pass below reads f32 tables directly.
  bool f32 = model->wide_weights().dtype == internal::fb::DType::F32;
  for (const internal::DeepInputInfo& in : model->deep_inputs()) {
    f32 = f32 && (!in.has_embedding || in.embedding.dtype == internal::fb::DType::F32);
  }
  if (!f32) return fail("--batch-dir compares the f32 forward pass: use a model with f32 embeddings and wide weights");
  const std::string dir = args.get("batch-dir");
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(batch, model->catalog().count));
  if (n == 0) return fail("the model has no catalog");
  std::vector<uint32_t> items(n);
  for (uint32_t i = 0; i < n; ++i) items[i] = i;
  FeatureBag request(*model, internal::BagRole::Request);
  if (!(status = make_request(*model, &request)).ok()) return fail(status.message());
  std::vector<OnnxTensor> inputs;
  if (!(status = internal::encode_onnx_batch(*model, request, items, &inputs)).ok()) return fail(status.message());

  // barista's scores (the fast path, as recommend computes them).
  std::unique_ptr<internal::ServingIndex> index;
  if (!(status = internal::ServingIndex::build(*model, &index)).ok()) return fail(status.message());
  internal::Scorer scorer(*index);
  std::vector<float> logits(n), expected(n);
  auto fast = [&] {
    internal::Status s = scorer.prepare(request);
    if (s.ok()) s = scorer.logits_catalog(items, logits.data());
    return s;
  };
  if (!(status = fast()).ok()) return fail(status.message());
  for (uint32_t i = 0; i < n; ++i) expected[i] = internal::sigmoid(logits[i]);

  JsonWriter manifest;
  manifest.begin_object().key("batch").value(n).key("inputs").begin_array();
  for (const OnnxTensor& t : inputs) {
    const std::string file = t.name + ".bin";
    status = t.is_int64 ? write_file(dir + "/" + file, t.int64_values.data(), t.int64_values.size() * 8)
                        : write_file(dir + "/" + file, t.float_values.data(), t.float_values.size() * 4);
    if (!status.ok()) return fail(status.message());
    manifest.begin_object().key("name").value(t.name).key("type").value(t.is_int64 ? "int64" : "float32");
    manifest.key("file").value(file).key("dims").begin_array();
    for (int64_t d : t.dims) manifest.value(d);
    manifest.end_array().end_object();
  }
  manifest.end_array();
  if (!(status = write_file(dir + "/expected.bin", expected.data(), expected.size() * 4)).ok()) {
    return fail(status.message());
  }
  manifest.key("expected").value("expected.bin");

  // barista's speed on the same batch, one thread.
  const double kBudget = 2e6;  // us per measurement
  auto rate = [&](auto&& once, size_t per_call) {
    std::vector<double> us;
    const auto start = Clock::now();
    while (us.size() < 3 || (micros_since(start) < kBudget && us.size() < 10000)) {
      const auto one = Clock::now();
      once();
      us.push_back(micros_since(one));
    }
    const Summary s = summarize(us);
    return std::pair<double, Summary>(static_cast<double>(per_call) / (s.p50 / 1e6), s);
  };
  const auto [fast_rate, fast_us] = rate([&] { (void)fast(); }, n);
  PlainBatch plain(*model, inputs);
  std::vector<float> plain_scores(n);
  plain.run(0, n, plain_scores.data());
  float plain_diff = 0.0f;
  for (uint32_t i = 0; i < n; ++i) plain_diff = std::max(plain_diff, std::fabs(plain_scores[i] - expected[i]));
  const auto [plain_rate, plain_us] = rate([&] { plain.run(0, n, plain_scores.data()); }, n);
  float one_score = 0.0f;
  const auto [one_rate, one_us] = rate([&] { plain.run(0, 1, &one_score); }, 1);
  (void)one_rate;
  manifest.key("barista").begin_object();
  manifest.key("kernels").value(model->kernels().isa);
  manifest.key("fast_path_items_per_second").value(fast_rate).key("fast_path_p50_us").value(fast_us.p50);
  manifest.key("plain_examples_per_second").value(plain_rate).key("plain_p50_us").value(plain_us.p50);
  manifest.key("plain_batch1_p50_us").value(one_us.p50);
  manifest.key("plain_vs_fast_max_abs_diff").value(plain_diff);
  manifest.end_object().end_object();
  const std::string text = manifest.str() + "\n";
  if (!(status = write_file(dir + "/manifest.json", text.data(), text.size())).ok()) return fail(status.message());
  std::printf("wrote a batch of %u items to %s/\n", n, dir.c_str());
  std::printf("barista, one thread (%s kernels), same request and items:\n", model->kernels().isa);
  std::printf("  fast path (precomputed item halves):   %10.0f items/s     (p50 %.3f ms per batch)\n", fast_rate,
              fast_us.p50 / 1e3);
  std::printf("  plain forward pass from these inputs:  %10.0f examples/s  (p50 %.3f ms per batch; max |diff| %.1e)\n",
              plain_rate, plain_us.p50 / 1e3, static_cast<double>(plain_diff));
  std::printf("  plain forward pass, batch 1:           %10.2f us\n", one_us.p50);
  return Exit::Ok;
}

}  // namespace barista::cli
