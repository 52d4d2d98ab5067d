// Small models for tests: a random model that uses every kind of input,
// column, combiner and cross the format has, and helpers to build requests
// and items from plain values.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "features/feature_bag.h"
#include "model/model.h"
#include "score/serving_index.h"
#include "writer/model_writer.h"

namespace barista_test {

using namespace barista::internal;

struct TestModelOptions {
  uint32_t items = 50;
  bool integer_item_ids = false;
  std::vector<uint32_t> hidden = {16, 8};
  fb::DType embedding_dtype = fb::DType::F32;
  fb::DType wide_dtype = fb::DType::F32;
  float weight_scale = 0.5f;
  // Columns at positions of the history (format 2); without them the model
  // is written as format 1.1.
  bool positions = true;
  // Blocks of a sequence encoder over the history (format 3); 0: pooled.
  uint32_t sequence_blocks = 0;
};

// Inputs of the test model, by index.
enum TestInput : uint32_t {
  kUserId,
  kHistory,
  kHour,
  kDevice,  // request side
  kItemId,
  kCategory,
  kTags,
  kPrice  // item side
};

ModelSpec random_test_model(uint64_t seed, const TestModelOptions& options = TestModelOptions());

// Feature values as plain strings and numbers, by input index.
struct Values {
  std::map<uint32_t, std::vector<std::string>> categorical;
  std::map<uint32_t, double> numeric;
};

// A random request (sometimes anonymous, sometimes with empty history).
Values random_request(const ModelSpec& spec, uint64_t seed);
// A random item not in the catalog.
Values random_item(const ModelSpec& spec, uint64_t seed);

// Writes `spec` to memory and opens it; fails the current test on error.
std::unique_ptr<Model> open_spec(const ModelSpec& spec, std::vector<uint8_t>* storage,
                                 const WriteOptions& options = WriteOptions(), const char* kernels = nullptr);

// The serving index of an open model (checked to build).
std::unique_ptr<ServingIndex> serving_index(const Model& model);

void fill_bag(const Values& values, FeatureBag* bag);

// A writable view of an array in a model buffer's payload, for tests that
// corrupt files on purpose.
template <class T>
T* mutable_array(std::vector<uint8_t>* bytes, const fb::Slice* slice) {
  uint8_t* payload = fb::GetMutableModel(bytes->data())->mutable_payload()->data();
  return reinterpret_cast<T*>(payload + slice->offset());
}

// Recomputes the file checksum after a deliberate change.
void reseal_checksum(std::vector<uint8_t>* bytes);

// A tiny xorshift for test data.
struct TestRandom {
  uint64_t state;
  explicit TestRandom(uint64_t seed) : state(seed * 0x9e3779b97f4a7c15ULL + 1) {}
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  float symmetric(float scale) { return static_cast<float>((2.0 * uniform() - 1.0) * static_cast<double>(scale)); }
  uint64_t below(uint64_t n) { return next() % n; }
};

}  // namespace barista_test
