#include "export/onnx_export.h"

#include <algorithm>
#include <cctype>

#include "common/parse_number.h"
#include "export/protobuf_writer.h"
#include "features/encoder.h"

namespace barista::internal {

namespace {

// What the file declares: ONNX IR version 7 and the default domain's opset 13.
constexpr int64_t kIrVersionWritten = 7;
constexpr int64_t kOpsetVersion = 13;
constexpr int kFloat = 1, kInt64 = 7;  // TensorProto.DataType
constexpr int kAttributeInt = 2;       // AttributeProto.AttributeType

// onnx.proto's field numbers of the fields written here, per message.
struct ModelProto {
  static constexpr uint32_t kIrVersion = 1, kProducerName = 2, kGraph = 7, kOpsetImport = 8;
};
struct OperatorSetIdProto {
  static constexpr uint32_t kDomain = 1, kVersion = 2;
};
struct GraphProto {
  static constexpr uint32_t kNode = 1, kName = 2, kInitializer = 5, kInput = 11, kOutput = 12;
};
struct NodeProto {
  static constexpr uint32_t kInput = 1, kOutput = 2, kName = 3, kOpType = 4, kAttribute = 5;
};
struct AttributeProto {
  static constexpr uint32_t kName = 1, kI = 3, kType = 20;
};
struct TensorProto {
  static constexpr uint32_t kDims = 1, kDataType = 2, kName = 8, kRawData = 9;
};
struct ValueInfoProto {
  static constexpr uint32_t kName = 1, kType = 2, kDocString = 3;
};
struct TypeProto {
  static constexpr uint32_t kTensorType = 1;
  struct Tensor {
    static constexpr uint32_t kElemType = 1, kShape = 2;
  };
};
struct TensorShapeProto {
  static constexpr uint32_t kDim = 1;
  struct Dimension {
    static constexpr uint32_t kDimValue = 1, kDimParam = 2;
  };
};

ProtoWriter tensor(const std::string& name, int data_type, const std::vector<int64_t>& dims, const void* data,
                   size_t bytes) {
  ProtoWriter t;
  t.packed_int64_field(TensorProto::kDims, dims);
  t.int_field(TensorProto::kDataType, static_cast<uint64_t>(data_type));
  t.string_field(TensorProto::kName, name);
  t.bytes_field(TensorProto::kRawData, data, bytes);
  return t;
}

// A tensor's type: element type and dims, a dim given as a name is dynamic.
ProtoWriter value_info(const std::string& name, int elem_type, const std::vector<std::string>& dims,
                       const std::string& doc = "") {
  ProtoWriter shape;
  for (const std::string& d : dims) {
    ProtoWriter dim;
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0]))) {
      int64_t value = 0;
      parse_int64(d, &value);  // a digit first: a size written in this file
      dim.int_field(TensorShapeProto::Dimension::kDimValue, static_cast<uint64_t>(value));
    } else {
      dim.string_field(TensorShapeProto::Dimension::kDimParam, d);
    }
    shape.message_field(TensorShapeProto::kDim, dim);
  }
  ProtoWriter tensor_type;
  tensor_type.int_field(TypeProto::Tensor::kElemType, static_cast<uint64_t>(elem_type));
  tensor_type.message_field(TypeProto::Tensor::kShape, shape);
  ProtoWriter type;
  type.message_field(TypeProto::kTensorType, tensor_type);
  ProtoWriter info;
  info.string_field(ValueInfoProto::kName, name);
  info.message_field(ValueInfoProto::kType, type);
  if (!doc.empty()) info.string_field(ValueInfoProto::kDocString, doc);
  return info;
}

class GraphBuilder {
 public:
  void node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
            const std::vector<std::pair<std::string, int64_t>>& int_attributes = {}) {
    ProtoWriter n;
    for (const std::string& in : inputs) n.string_field(NodeProto::kInput, in);
    n.string_field(NodeProto::kOutput, output);
    n.string_field(NodeProto::kName, output);  // node name: its output's
    n.string_field(NodeProto::kOpType, op);
    for (const auto& [name, value] : int_attributes) {
      ProtoWriter a;
      a.string_field(AttributeProto::kName, name);
      a.int_field(AttributeProto::kI, static_cast<uint64_t>(value));
      a.int_field(AttributeProto::kType, kAttributeInt);
      n.message_field(NodeProto::kAttribute, a);
    }
    graph_.message_field(GraphProto::kNode, n);
  }
  void initializer_f32(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
    graph_.message_field(GraphProto::kInitializer,
                         tensor(name, kFloat, dims, values.data(), values.size() * sizeof(float)));
  }
  void initializer_i64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values) {
    graph_.message_field(GraphProto::kInitializer,
                         tensor(name, kInt64, dims, values.data(), values.size() * sizeof(int64_t)));
  }
  void input(const ProtoWriter& info) { inputs_.push_back(info); }
  void output(const ProtoWriter& info) { outputs_.push_back(info); }

  ProtoWriter finish(const std::string& name) {
    graph_.string_field(GraphProto::kName, name);
    for (const ProtoWriter& in : inputs_) graph_.message_field(GraphProto::kInput, in);
    for (const ProtoWriter& out : outputs_) graph_.message_field(GraphProto::kOutput, out);
    return std::move(graph_);
  }

 private:
  ProtoWriter graph_;
  std::vector<ProtoWriter> inputs_, outputs_;
};

}  // namespace

std::vector<const DeepInputInfo*> deep_inputs_in_order(const Model& model) {
  std::vector<const DeepInputInfo*> inputs;
  for (const DeepInputInfo& in : model.deep_inputs()) inputs.push_back(&in);
  std::sort(inputs.begin(), inputs.end(),
            [](const DeepInputInfo* a, const DeepInputInfo* b) { return a->offset < b->offset; });
  return inputs;
}

Status export_onnx(const Model& model, std::vector<uint8_t>* out) {
  for (const DeepInputInfo& in : model.deep_inputs()) {
    if (in.sequence >= 0) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "the ONNX export does not cover sequence encoders (deep input '%s')",
                        model.columns()[in.column].name);
    }
  }
  GraphBuilder g;
  g.initializer_i64("axes_1", {1}, {1});
  std::vector<std::string> parts;
  const std::vector<const DeepInputInfo*> inputs = deep_inputs_in_order(model);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const DeepInputInfo& in = *inputs[k];
    const std::string id = std::to_string(k);
    const std::string column = model.columns()[in.column].name;
    if (!in.has_embedding) {
      g.input(value_info("num_" + id, kFloat, {"batch", "1"}, column + " (standardized)"));
      parts.push_back("num_" + id);
      continue;
    }
    const TensorView& table = in.embedding;
    std::vector<float> values(table.rows * table.cols);
    for (uint64_t r = 0; r < table.rows; ++r) {
      for (uint32_t c = 0; c < table.cols; ++c) values[r * table.cols + c] = table.at(r, c);
    }
    g.initializer_f32("table_" + id, {static_cast<int64_t>(table.rows), table.cols}, values);
    g.input(value_info("ids_" + id, kInt64, {"batch", "len_" + id}, column + " ids"));
    g.input(value_info("weights_" + id, kFloat, {"batch", "len_" + id, "1"}, column + " combiner scales, 0 pads"));
    g.node("Gather", {"table_" + id, "ids_" + id}, "rows_" + id);
    g.node("Mul", {"rows_" + id, "weights_" + id}, "scaled_" + id);
    g.node("ReduceSum", {"scaled_" + id, "axes_1"}, "pooled_" + id, {{"keepdims", 0}});
    parts.push_back("pooled_" + id);
  }
  g.node("Concat", parts, "x", {{"axis", 1}});

  std::string h = "x";
  const Span<LayerInfo> layers = model.layers();
  for (size_t l = 0; l < layers.size(); ++l) {
    const LayerInfo& layer = layers[l];
    const std::string id = std::to_string(l);
    g.initializer_f32("W_" + id, {layer.in, layer.out},
                      std::vector<float>(layer.weights, layer.weights + size_t{layer.in} * layer.out));
    g.initializer_f32("b_" + id, {layer.out}, std::vector<float>(layer.bias, layer.bias + layer.out));
    const std::string z = l + 1 == layers.size() ? "deep_logit" : "z_" + id;
    g.node("Gemm", {h, "W_" + id, "b_" + id}, z);
    h = z;
    if (layer.relu) {
      g.node("Relu", {z}, "h_" + id);
      h = "h_" + id;
    }
  }

  const TensorView& wide = model.wide_weights();
  std::vector<float> wide_values(wide.rows);
  for (uint64_t r = 0; r < wide.rows; ++r) wide_values[r] = wide.at(r, 0);
  g.initializer_f32("wide_weights", {static_cast<int64_t>(wide.rows)}, wide_values);
  g.initializer_f32("wide_bias", {1}, {model.wide_bias()});
  g.input(value_info("wide_ids", kInt64, {"batch", "wide_len"}, "wide weight indices of every term, 0 pads"));
  g.input(value_info("wide_scales", kFloat, {"batch", "wide_len"}, "combiner scale or numeric value, 0 pads"));
  g.node("Gather", {"wide_weights", "wide_ids"}, "wide_rows");
  g.node("Mul", {"wide_rows", "wide_scales"}, "wide_scaled");
  g.node("ReduceSum", {"wide_scaled", "axes_1"}, "wide_sum", {{"keepdims", 1}});
  g.node("Add", {"wide_sum", "wide_bias"}, "wide_logit");
  g.node("Add", {h, "wide_logit"}, "logit");
  g.node("Sigmoid", {"logit"}, "score");
  g.output(value_info("score", kFloat, {"batch", "1"}, "p(interaction)"));

  ProtoWriter opset;
  opset.string_field(OperatorSetIdProto::kDomain, "");
  opset.int_field(OperatorSetIdProto::kVersion, kOpsetVersion);
  ProtoWriter onnx;
  onnx.int_field(ModelProto::kIrVersion, kIrVersionWritten);
  onnx.string_field(ModelProto::kProducerName, "barista");
  onnx.message_field(ModelProto::kOpsetImport, opset);
  onnx.message_field(ModelProto::kGraph, g.finish("barista"));
  *out = onnx.take();
  return Status();
}

Status encode_onnx_batch(const Model& model, const FeatureBag& request, Span<uint32_t> items,
                         std::vector<OnnxTensor>* out) {
  out->clear();
  Encoder encoder(model);
  const int64_t n = static_cast<int64_t>(items.size());
  Vec<uint32_t> ids;
  const std::vector<const DeepInputInfo*> inputs = deep_inputs_in_order(model);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const DeepInputInfo& in = *inputs[k];
    const std::string id = std::to_string(k);
    if (!in.has_embedding) {
      OnnxTensor t;
      t.name = "num_" + id;
      t.dims = {n, 1};
      for (uint32_t item : items) {
        t.float_values.push_back(encoder.numeric_value(Example{&request, ItemRef::catalog(item)}, in.column));
      }
      out->push_back(std::move(t));
      continue;
    }
    std::vector<std::vector<uint32_t>> per_item(items.size());
    size_t len = 1;
    for (size_t i = 0; i < items.size(); ++i) {
      ids.clear();
      BARISTA_RETURN_IF_ERROR(encoder.column_ids(Example{&request, ItemRef::catalog(items[i])}, in.column, &ids));
      per_item[i].assign(ids.begin(), ids.end());
      len = std::max(len, per_item[i].size());
    }
    OnnxTensor t_ids, t_weights;
    t_ids.name = "ids_" + id;
    t_ids.is_int64 = true;
    t_ids.dims = {n, static_cast<int64_t>(len)};
    t_weights.name = "weights_" + id;
    t_weights.dims = {n, static_cast<int64_t>(len), 1};
    for (const std::vector<uint32_t>& item_ids : per_item) {
      const float scale = combiner_scale(in.combiner, item_ids.size());
      for (size_t j = 0; j < len; ++j) {
        t_ids.int64_values.push_back(j < item_ids.size() ? item_ids[j] : 0);
        t_weights.float_values.push_back(j < item_ids.size() ? scale : 0.0f);
      }
    }
    out->push_back(std::move(t_ids));
    out->push_back(std::move(t_weights));
  }

  std::vector<std::vector<std::pair<uint32_t, float>>> wide(items.size());
  size_t wide_len = 1;
  for (size_t i = 0; i < items.size(); ++i) {
    const Example example{&request, ItemRef::catalog(items[i])};
    for (Span<WideTermInfo> terms : {model.wide_request_terms(), model.wide_item_terms(), model.wide_mixed_terms()}) {
      for (const WideTermInfo& term : terms) {
        if (!model.columns()[term.column].is_categorical()) {
          wide[i].push_back({term.offset, encoder.numeric_value(example, term.column)});
          continue;
        }
        ids.clear();
        BARISTA_RETURN_IF_ERROR(encoder.column_ids(example, term.column, &ids));
        const float scale = combiner_scale(term.combiner, ids.size());
        for (uint32_t id : ids) wide[i].push_back({term.offset + id, scale});
      }
    }
    wide_len = std::max(wide_len, wide[i].size());
  }
  OnnxTensor t_ids, t_scales;
  t_ids.name = "wide_ids";
  t_ids.is_int64 = true;
  t_ids.dims = {n, static_cast<int64_t>(wide_len)};
  t_scales.name = "wide_scales";
  t_scales.dims = t_ids.dims;
  for (const auto& entries : wide) {
    for (size_t j = 0; j < wide_len; ++j) {
      t_ids.int64_values.push_back(j < entries.size() ? entries[j].first : 0);
      t_scales.float_values.push_back(j < entries.size() ? entries[j].second : 0.0f);
    }
  }
  out->push_back(std::move(t_ids));
  out->push_back(std::move(t_scales));
  return Status();
}

}  // namespace barista::internal
