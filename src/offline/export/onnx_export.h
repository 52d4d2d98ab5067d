// A barista model as an ONNX graph, for serving the same model elsewhere
// (a server, another runtime) and for benchmarking against ONNX Runtime.
//
// The graph is the plain forward pass from encoded inputs — feature hashing
// and vocabulary lookups have no ONNX equivalent, so barista encodes and the
// graph computes (opset 13; `batch` and the list lengths are dynamic):
//
//   per embedding input i:  ids_i int64 [batch, len_i], weights_i float
//                           [batch, len_i, 1] (the combiner's scale; 0 pads)
//                           -> Gather(table_i) * weights_i -> ReduceSum(1)
//   per numeric input i:    num_i float [batch, 1] (already standardized)
//   Concat -> Gemm (+ Relu) per layer -> deep logit [batch, 1]
//   wide_ids int64 [batch, wide_len], wide_scales float [batch, wide_len]
//                           -> Gather(wide weights) * scales -> ReduceSum(1)
//                           + bias -> wide logit [batch, 1]
//   score = Sigmoid(deep logit + wide logit)           float [batch, 1]
//
// Quantized tables are written dequantized (f32).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/span.h"
#include "common/status.h"
#include "features/feature_bag.h"
#include "model/model.h"

namespace barista::internal {

Status export_onnx(const Model& model, std::vector<uint8_t>* out);

// The deep inputs in the order of their slices (the graph's input order).
std::vector<const DeepInputInfo*> deep_inputs_in_order(const Model& model);

// One graph input's values for a batch.
struct OnnxTensor {
  std::string name;
  bool is_int64 = false;
  std::vector<int64_t> dims;
  std::vector<int64_t> int64_values;
  std::vector<float> float_values;
};

// The graph's inputs for `request` against each of `items` (catalog
// indices), in the graph's input order.
Status encode_onnx_batch(const Model& model, const FeatureBag& request, Span<uint32_t> items,
                         std::vector<OnnxTensor>* out);

}  // namespace barista::internal
