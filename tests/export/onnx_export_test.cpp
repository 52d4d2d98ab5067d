// The ONNX export: the file is decoded here with a protobuf reader of the
// test's own and the graph run by a small interpreter of the operators it
// uses (ONNX semantics, numpy broadcasting); the graph's scores on the
// encoded inputs must equal barista's. ONNX Runtime itself is run by
// tools/bench/onnx.sh (it needs npm), where the scores agreed to 9e-8.
#include "export/onnx_export.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "score/scorer.h"
#include "support/test_models.h"

using namespace barista::internal;
using namespace barista_test;

namespace {

// --- A protobuf reader: enough of the wire format for onnx.proto. ---------

struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t value = 0;             // varint or fixed32
  const uint8_t* data = nullptr;  // length-delimited
  size_t size = 0;
};

std::vector<Field> parse(const uint8_t* p, size_t n) {
  std::vector<Field> fields;
  const uint8_t* end = p + n;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0; p < end; shift += 7) {
      const uint8_t b = *p++;
      v |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) break;
    }
    return v;
  };
  while (p < end) {
    Field f;
    const uint64_t key = varint();
    f.number = static_cast<uint32_t>(key >> 3);
    f.wire = static_cast<uint32_t>(key & 7);
    if (f.wire == 0) {
      f.value = varint();
    } else if (f.wire == 2) {
      f.size = varint();
      f.data = p;
      p += f.size;
    } else if (f.wire == 5) {
      uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v |= uint32_t{*p++} << (8 * i);
      f.value = v;
    } else {
      FAIL("unexpected wire type ", f.wire);
    }
    REQUIRE(p <= end);
    fields.push_back(f);
  }
  return fields;
}
std::vector<Field> parse(const Field& f) { return parse(f.data, f.size); }
std::string text(const Field& f) { return std::string(reinterpret_cast<const char*>(f.data), f.size); }

// --- Tensors and the interpreter. ------------------------------------------

struct Tensor {
  std::vector<int64_t> dims;
  std::vector<double> values;  // int64 ids are exact in a double here
  size_t size() const {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    return n;
  }
};

Tensor decode_tensor(const Field& message) {
  Tensor t;
  int type = 0;
  for (const Field& f : parse(message)) {
    if (f.number == 1 && f.wire == 2) {
      // dims: packed varints
      const uint8_t* q = f.data;
      const uint8_t* e = f.data + f.size;
      while (q < e) {
        uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
          const uint8_t b = *q++;
          v |= uint64_t{b & 0x7Fu} << shift;
          if (!(b & 0x80)) break;
        }
        t.dims.push_back(static_cast<int64_t>(v));
      }
    }
    if (f.number == 2) type = static_cast<int>(f.value);
    if (f.number == 9) {
      if (type == 1) {
        std::vector<float> v(f.size / 4);
        std::memcpy(v.data(), f.data, f.size);
        t.values.assign(v.begin(), v.end());
      } else {
        std::vector<int64_t> v(f.size / 8);
        std::memcpy(v.data(), f.data, f.size);
        t.values.assign(v.begin(), v.end());
      }
    }
  }
  return t;
}

// Strides of `dims` broadcast to `out` (numpy rules: align on the right).
std::vector<size_t> broadcast_strides(const std::vector<int64_t>& dims, const std::vector<int64_t>& out) {
  std::vector<size_t> strides(out.size(), 0);
  size_t stride = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    const size_t d = dims.size() - 1 - i, o = out.size() - 1 - i;
    strides[o] = dims[d] == 1 ? 0 : stride;
    stride *= static_cast<size_t>(dims[d]);
  }
  return strides;
}

Tensor elementwise(const Tensor& a, const Tensor& b, double (*op)(double, double)) {
  Tensor out;
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  out.dims.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.dims.size() ? 1 : a.dims[i - (rank - a.dims.size())];
    const int64_t db = i < rank - b.dims.size() ? 1 : b.dims[i - (rank - b.dims.size())];
    REQUIRE((da == db || da == 1 || db == 1));
    out.dims[i] = std::max(da, db);
  }
  const std::vector<size_t> sa = broadcast_strides(a.dims, out.dims), sb = broadcast_strides(b.dims, out.dims);
  out.values.resize(out.size());
  std::vector<int64_t> index(rank, 0);
  for (size_t flat = 0; flat < out.values.size(); ++flat) {
    size_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia += static_cast<size_t>(index[d]) * sa[d];
      ib += static_cast<size_t>(index[d]) * sb[d];
    }
    out.values[flat] = op(a.values[ia], b.values[ib]);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.dims[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor run_node(const std::string& op, const std::vector<const Tensor*>& in,
                const std::map<std::string, int64_t>& attr) {
  Tensor out;
  if (op == "Gather") {  // axis 0
    const Tensor& data = *in[0];
    const Tensor& ids = *in[1];
    size_t row = 1;
    for (size_t d = 1; d < data.dims.size(); ++d) row *= static_cast<size_t>(data.dims[d]);
    out.dims = ids.dims;
    out.dims.insert(out.dims.end(), data.dims.begin() + 1, data.dims.end());
    for (double id : ids.values) {
      REQUIRE(id >= 0);
      REQUIRE(id < data.dims[0]);
      const size_t at = static_cast<size_t>(id) * row;
      out.values.insert(out.values.end(), data.values.begin() + at, data.values.begin() + at + row);
    }
  } else if (op == "Mul") {
    out = elementwise(*in[0], *in[1], [](double a, double b) { return a * b; });
  } else if (op == "Add") {
    out = elementwise(*in[0], *in[1], [](double a, double b) { return a + b; });
  } else if (op == "ReduceSum") {  // one axis given as an input
    const Tensor& x = *in[0];
    REQUIRE(in[1]->values.size() == 1);
    const size_t axis = static_cast<size_t>(in[1]->values[0]);
    size_t outer = 1, inner = 1;
    for (size_t d = 0; d < axis; ++d) outer *= static_cast<size_t>(x.dims[d]);
    for (size_t d = axis + 1; d < x.dims.size(); ++d) inner *= static_cast<size_t>(x.dims[d]);
    const size_t n = static_cast<size_t>(x.dims[axis]);
    out.dims = x.dims;
    if (attr.count("keepdims") && attr.at("keepdims") == 0) {
      out.dims.erase(out.dims.begin() + static_cast<long>(axis));
    } else {
      out.dims[axis] = 1;
    }
    out.values.assign(outer * inner, 0.0);
    for (size_t o = 0; o < outer; ++o) {
      for (size_t j = 0; j < n; ++j) {
        for (size_t i = 0; i < inner; ++i) out.values[o * inner + i] += x.values[(o * n + j) * inner + i];
      }
    }
  } else if (op == "Concat") {  // axis 1 of rank-2 tensors
    REQUIRE(attr.at("axis") == 1);
    const int64_t rows = in[0]->dims[0];
    int64_t width = 0;
    for (const Tensor* t : in) {
      REQUIRE(t->dims.size() == 2);
      REQUIRE(t->dims[0] == rows);
      width += t->dims[1];
    }
    out.dims = {rows, width};
    for (int64_t r = 0; r < rows; ++r) {
      for (const Tensor* t : in) {
        const size_t w = static_cast<size_t>(t->dims[1]);
        out.values.insert(out.values.end(), t->values.begin() + static_cast<long>(r * w),
                          t->values.begin() + static_cast<long>((r + 1) * w));
      }
    }
  } else if (op == "Gemm") {  // A [n, k] * B [k, m] + C [m]
    const Tensor &a = *in[0], &b = *in[1], &c = *in[2];
    const size_t n = static_cast<size_t>(a.dims[0]), k = static_cast<size_t>(a.dims[1]);
    const size_t m = static_cast<size_t>(b.dims[1]);
    REQUIRE(static_cast<size_t>(b.dims[0]) == k);
    out.dims = {a.dims[0], b.dims[1]};
    out.values.assign(n * m, 0.0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < m; ++j) {
        double sum = c.values[j];
        for (size_t t = 0; t < k; ++t) sum += a.values[i * k + t] * b.values[t * m + j];
        out.values[i * m + j] = sum;
      }
    }
  } else if (op == "Relu") {
    out = *in[0];
    for (double& v : out.values) v = std::max(v, 0.0);
  } else if (op == "Sigmoid") {
    out = *in[0];
    for (double& v : out.values) v = 1.0 / (1.0 + std::exp(-v));
  } else {
    FAIL("operator the interpreter does not know: ", op);
  }
  return out;
}

// Runs the ONNX model in `bytes` on `feeds`; returns output "score".
Tensor run_onnx(const std::vector<uint8_t>& bytes, std::map<std::string, Tensor> values,
                std::vector<std::string>* input_names) {
  const Field* graph = nullptr;
  const std::vector<Field> model = parse(bytes.data(), bytes.size());
  int64_t opset = 0;
  for (const Field& f : model) {
    if (f.number == 7) graph = &f;
    if (f.number == 8) {
      for (const Field& g : parse(f)) {
        if (g.number == 2) opset = static_cast<int64_t>(g.value);
      }
    }
  }
  CHECK(opset == 13);
  REQUIRE(graph != nullptr);
  const std::vector<Field> fields = parse(*graph);
  for (const Field& f : fields) {
    if (f.number == 5) {  // initializer
      for (const Field& t : parse(f)) {
        if (t.number == 8) values[text(t)] = decode_tensor(f);
      }
    }
    if (f.number == 11) {  // input
      for (const Field& t : parse(f)) {
        if (t.number == 1) input_names->push_back(text(t));
      }
    }
  }
  for (const Field& f : fields) {
    if (f.number != 1) continue;  // nodes, in topological order
    std::vector<const Tensor*> in;
    std::string output, op;
    std::map<std::string, int64_t> attr;
    for (const Field& n : parse(f)) {
      if (n.number == 1) {
        const auto it = values.find(text(n));
        REQUIRE_MESSAGE(it != values.end(), "no value for ", text(n));
        in.push_back(&it->second);
      }
      if (n.number == 2) output = text(n);
      if (n.number == 4) op = text(n);
      if (n.number == 5) {
        std::string name;
        int64_t value = 0;
        for (const Field& a : parse(n)) {
          if (a.number == 1) name = text(a);
          if (a.number == 3) value = static_cast<int64_t>(a.value);
        }
        attr[name] = value;
      }
    }
    values[output] = run_node(op, in, attr);
  }
  return values.at("score");
}

}  // namespace

TEST_CASE("the exported ONNX graph computes barista's scores") {
  for (fb::DType embeddings : {fb::DType::F32, fb::DType::F16, fb::DType::Int8Rowwise}) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      CAPTURE(seed);
      CAPTURE(static_cast<int>(embeddings));
      TestModelOptions options;
      options.items = 12;
      WriteOptions write;
      write.embedding_dtype = embeddings;
      std::vector<uint8_t> storage;
      const ModelSpec spec = random_test_model(seed, options);
      std::unique_ptr<Model> model = open_spec(spec, &storage, write);
      std::vector<uint8_t> onnx;
      REQUIRE(export_onnx(*model, &onnx).ok());

      FeatureBag request(*model, BagRole::Request);
      fill_bag(random_request(spec, seed * 7), &request);
      std::vector<uint32_t> items(model->catalog().count);
      for (uint32_t i = 0; i < items.size(); ++i) items[i] = i;
      std::vector<OnnxTensor> batch;
      REQUIRE(encode_onnx_batch(*model, request, items, &batch).ok());
      std::map<std::string, Tensor> feeds;
      for (const OnnxTensor& t : batch) {
        Tensor& v = feeds[t.name];
        v.dims = t.dims;
        if (t.is_int64) {
          v.values.assign(t.int64_values.begin(), t.int64_values.end());
        } else {
          v.values.assign(t.float_values.begin(), t.float_values.end());
        }
        REQUIRE(v.values.size() == v.size());
      }
      std::vector<std::string> input_names;
      const Tensor scores = run_onnx(onnx, feeds, &input_names);
      // Every graph input is fed, and nothing else.
      CHECK(input_names.size() == batch.size());
      for (size_t i = 0; i < batch.size() && i < input_names.size(); ++i) CHECK(input_names[i] == batch[i].name);

      const auto index = serving_index(*model);
      Scorer scorer(*index);
      std::vector<float> logits(items.size());
      REQUIRE(scorer.prepare(request).ok());
      REQUIRE(scorer.logits_catalog(items, logits.data()).ok());
      REQUIRE(scores.values.size() == items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        CHECK(std::fabs(scores.values[i] - static_cast<double>(sigmoid(logits[i]))) <= 1e-5);
      }
    }
  }
}
