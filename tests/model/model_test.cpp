// Opening models: the schema round trip, and everything a hostile or broken
// file can be — each gets a status and a message, never a crash.
#include <doctest/doctest.h>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/half.h"
#include "common/limits.h"
#include "features/encoder.h"
#include "hash/fingerprint.h"
#include "samples/coffee_model.h"
#include "score/scorer.h"
#include "support/test_models.h"

using namespace barista::internal;
using namespace barista_test;

namespace {

Status open_bytes(const std::vector<uint8_t>& bytes, std::unique_ptr<Model>* model, bool verify_full = false) {
  OpenOptions options;
  options.verify_full = verify_full;
  return Model::open_buffer(bytes.data(), bytes.size(), options, model);
}

// Exercises a model that opened: every public view, one recommendation, and
// a plain-path score. Statuses are fine; crashes are not.
void exercise(const Model& model) {
  // The serving index reads the catalog's crossed and learnable values; a
  // flip there is refused as opening through the C API would refuse it.
  std::unique_ptr<ServingIndex> index;
  const Status indexed = ServingIndex::build(model, &index);
  if (!indexed.ok()) {
    CHECK(indexed.code() == BARISTA_STATUS_CORRUPT_MODEL);
    CHECK(!indexed.message().empty());
    return;
  }
  Scorer scorer(*index);
  FeatureBag request(model, BagRole::Request);
  (void)request.add_string("user_id", "user-1");
  (void)request.add_string("history", "item-3");
  RecommendQuery query;
  query.k = 5;
  Vec<Scored> top;
  (void)scorer.recommend(request, query, &top);
  if (model.catalog().count > 0) {
    float logit = 0;
    (void)scorer.logit_plain(request, ItemRef::catalog(model.catalog().count - 1), &logit);
    std::string id;
    (void)model.item_id(0, &id);
  }
  FeatureBag item(model, BagRole::Item);
  (void)item.add_string("category", "tea");
  const FeatureBag* items[] = {&item};
  if (scorer.prepare(request).ok()) {
    float logit = 0;
    (void)scorer.logits_described(Span<const FeatureBag*>(items, 1), &logit);
  }
}

std::vector<uint8_t> small_model_bytes() {
  TestModelOptions options;
  options.items = 6;
  options.hidden = {4};
  std::vector<uint8_t> bytes;
  const Status s = write_model(random_test_model(3, options), WriteOptions(), &bytes);
  REQUIRE(s.ok());
  return bytes;
}

// The coffee-shop model: its buffer ends in padding that no table reaches,
// so before Model.file_size its last 1 to 3 bytes could be cut.
std::vector<uint8_t> coffee_model_bytes() {
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(barista::cli::make_coffee_model(), WriteOptions(), &bytes).ok());
  return bytes;
}

}  // namespace

TEST_CASE("schema round trip: what the writer writes, the loader reads back") {
  const ModelSpec spec = random_test_model(11);
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage);

  const fb::Metadata* meta = model->root().metadata();
  REQUIRE(meta != nullptr);
  CHECK(meta->name()->str() == "test-model");
  CHECK(meta->version()->str() == "7");
  CHECK(meta->created_unix() == 1700000000);
  CHECK(meta->producer()->str() == "barista " BARISTA_VERSION_STRING);
  CHECK(meta->training_config()->str() == "{\"epochs\": 3}");
  CHECK(meta->data_fingerprint()->str() == "abc123");
  REQUIRE(meta->metrics()->size() == 2);
  CHECK(meta->metrics()->Get(1)->name()->str() == "hr@10");
  CHECK(meta->metrics()->Get(1)->value() == 0.125);
  CHECK(meta->properties()->Get(0)->key()->str() == "owner");
  CHECK(model->root().format_major() == 2);  // the test model has positional columns
  CHECK(model->root().format_minor() == 1);
  CHECK(model->root().file_size() == storage.size());
  CHECK(model->root().quantization_version() == BARISTA_QUANTIZATION_VERSION);

  REQUIRE(model->inputs().size() == spec.inputs.size());
  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    CHECK(std::string(model->inputs()[i].name) == spec.inputs[i].name);
    CHECK(model->inputs()[i].source == spec.inputs[i].source);
    CHECK(model->inputs()[i].multivalent == spec.inputs[i].multivalent);
    CHECK(model->find_input(spec.inputs[i].name) == static_cast<int32_t>(i));
  }
  CHECK(model->find_input("nope") == -1);
  REQUIRE(model->columns().size() == spec.columns.size());
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    CHECK(model->columns()[c].kind == spec.columns[c].kind);
    CHECK(model->columns()[c].cardinality == spec.columns[c].cardinality());
  }
  CHECK(model->wide_bias() == spec.wide_bias);
  // Wide weights: terms laid out back to back, bit for bit in F32.
  size_t offset = 0;
  for (const WideTermSpec& term : spec.wide) {
    for (size_t i = 0; i < term.weights.size(); ++i) CHECK(model->wide_weights().at(offset + i, 0) == term.weights[i]);
    offset += term.weights.size();
  }
  CHECK(model->wide_weights().rows == offset);
  REQUIRE(model->deep_inputs().size() == spec.deep.size());
  for (size_t i = 0; i < spec.deep.size(); ++i) {
    const DeepInputInfo& d = model->deep_inputs()[i];
    if (spec.deep[i].embedding.empty()) continue;
    CHECK(d.embedding.cols == spec.deep[i].dim);
    for (size_t j = 0; j < spec.deep[i].embedding.size(); j += 7) {
      CHECK(d.embedding.at(j / d.width, static_cast<uint32_t>(j % d.width)) == spec.deep[i].embedding[j]);
    }
  }
  REQUIRE(model->layers().size() == spec.layers.size());
  CHECK(std::memcmp(model->layers()[0].weights, spec.layers[0].weights.data(), spec.layers[0].weights.size() * 4) == 0);
  CHECK(model->catalog().count == spec.catalog.size());
  for (uint32_t i = 0; i < spec.catalog.size(); ++i) {
    std::string id;
    REQUIRE(model->item_id(i, &id));
    CHECK(id == spec.catalog.ids[i]);
    CHECK(model->find_item(fingerprint64(id)) == i);
  }
  CHECK(model->find_item(fingerprint64("not-an-item")) == -1);
  CHECK(model->verify_full().ok());
}

TEST_CASE("integer item ids: stored as int64, found by their decimal form") {
  TestModelOptions options;
  options.integer_item_ids = true;
  const ModelSpec spec = random_test_model(12, options);
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage);
  CHECK(model->catalog().key_type == fb::KeyType::Int64);
  for (uint32_t i = 0; i < spec.catalog.size(); ++i) {
    std::string id;
    REQUIRE(model->item_id(i, &id));
    CHECK(id == std::to_string(spec.catalog.int_ids[i]));
    CHECK(model->find_item(fingerprint64_of_int(spec.catalog.int_ids[i])) == i);
  }
}

TEST_CASE("quantized tables: f16 and int8 row-wise embeddings, f16 wide weights") {
  const ModelSpec spec = random_test_model(13);
  for (fb::DType dtype : {fb::DType::F16, fb::DType::Int8Rowwise}) {
    WriteOptions options;
    options.embedding_dtype = dtype;
    options.wide_dtype = fb::DType::F16;
    std::vector<uint8_t> storage;
    const auto model = open_spec(spec, &storage, options);
    CHECK(model->wide_weights().dtype == fb::DType::F16);
    CHECK(model->wide_weights().at(0, 0) == half_to_float(float_to_half(spec.wide[0].weights[0])));
    for (size_t i = 0; i < spec.deep.size(); ++i) {
      const DeepInputInfo& d = model->deep_inputs()[i];
      if (!d.has_embedding) continue;
      CHECK(d.embedding.dtype == dtype);
      const float step = dtype == fb::DType::F16 ? 1e-3f : 1.0f / 255.0f;  // weights are within +-0.5
      for (size_t j = 0; j < spec.deep[i].embedding.size(); ++j) {
        CHECK(std::fabs(d.embedding.at(j / d.width, static_cast<uint32_t>(j % d.width)) - spec.deep[i].embedding[j]) <=
              step);
      }
    }
  }
}

TEST_CASE("bytes that are not a model give NOT_A_MODEL") {
  std::unique_ptr<Model> model;
  const uint8_t nothing = 0;
  CHECK(Model::open_buffer(&nothing, 0, OpenOptions(), &model).code() == BARISTA_STATUS_NOT_A_MODEL);
  std::vector<uint8_t> bytes = {1, 2, 3, 4};
  CHECK(open_bytes(bytes, &model).code() == BARISTA_STATUS_NOT_A_MODEL);
  bytes = small_model_bytes();
  std::memcpy(bytes.data() + 4, "XXXX", 4);
  const Status s = open_bytes(bytes, &model);
  CHECK(s.code() == BARISTA_STATUS_NOT_A_MODEL);
  CHECK(s.message().find("identifier") != std::string::npos);
  CHECK(model == nullptr);
}

TEST_CASE("a model with a sequence encoder is format 3, and its encoder is checked like the rest of the file") {
  TestModelOptions options;
  options.sequence_blocks = 2;
  const ModelSpec spec = random_test_model(5, options);
  std::vector<uint8_t> bytes;
  std::unique_ptr<Model> model = open_spec(spec, &bytes);
  REQUIRE(model != nullptr);
  // Readers of formats 1 and 2 refuse major 3 by their version check (the
  // same check as the next test's, one format up) instead of pooling what
  // should be encoded.
  CHECK(model->root().format_major() == 3);
  REQUIRE(model->sequence_encoders().size() == 1);
  CHECK(model->sequence_encoders()[0].blocks.size() == 2);
  CHECK(model->verify_full().ok());
  // Without the encoder the same model stays format 2, which they read.
  std::vector<uint8_t> plain_bytes;
  CHECK(open_spec(random_test_model(5), &plain_bytes)->root().format_major() == 2);

  // A sequence encoder in a file that says format 2.
  std::vector<uint8_t> patched = bytes;
  REQUIRE(fb::GetMutableModel(patched.data())->mutate_format_major(2));
  std::unique_ptr<Model> refused;
  Status s = Model::open_buffer(patched.data(), patched.size(), OpenOptions(), &refused);
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  CHECK(s.message().find("sequence encoder, which format 2 files cannot have") != std::string::npos);

  // A NaN among the encoder's positions: full verification finds it.
  patched = bytes;
  const fb::DeepInput* history = nullptr;
  for (const fb::DeepInput* in : *fb::GetModel(patched.data())->deep()->inputs()) {
    if (in->sequence() != nullptr) history = in;
  }
  REQUIRE(history != nullptr);
  mutable_array<float>(&patched, history->sequence()->positions()->data())[3] = NAN;
  reseal_checksum(&patched);
  OpenOptions full;
  full.verify_full = true;
  s = Model::open_buffer(patched.data(), patched.size(), full, &refused);
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  CHECK(s.message() == "a sequence encoder holds a NaN or infinite number");

  // A length past the limit: refused before anything is read or allocated
  // for it.
  patched = bytes;
  REQUIRE(fb::GetMutableModel(patched.data())
              ->mutable_deep()
              ->mutable_inputs()
              ->GetMutableObject(1)
              ->mutable_sequence()
              ->mutate_length(limits::kMaxSequenceLength + 1));
  s = Model::open_buffer(patched.data(), patched.size(), OpenOptions(), &refused);
  CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(s.message().find("length 1025 x dimension 5 is outside the limits") != std::string::npos);

  // A block whose query is not d x d (with as many elements).
  patched = bytes;
  fb::Tensor* query = fb::GetMutableModel(patched.data())
                          ->mutable_deep()
                          ->mutable_inputs()
                          ->GetMutableObject(1)
                          ->mutable_sequence()
                          ->mutable_blocks()
                          ->GetMutableObject(1)
                          ->mutable_query()
                          ->mutable_weights();
  REQUIRE(query->mutate_rows(25));
  REQUIRE(query->mutate_cols(1));
  s = Model::open_buffer(patched.data(), patched.size(), OpenOptions(), &refused);
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  INFO(s.message());
  CHECK(s.message().find("block 1 query must be F32, 5 x 5") != std::string::npos);
}

TEST_CASE("a future format or quantization version is refused as such") {
  std::vector<uint8_t> bytes = small_model_bytes();
  fb::Model* root = fb::GetMutableModel(bytes.data());
  REQUIRE(root->mutate_format_major(BARISTA_FORMAT_MAJOR + 1));
  std::unique_ptr<Model> model;
  Status s = open_bytes(bytes, &model);
  CHECK(s.code() == BARISTA_STATUS_UNSUPPORTED_VERSION);
  CHECK(s.message() == "model file format 4 is not supported (this library reads formats 1 to 3)");

  bytes = small_model_bytes();
  REQUIRE(fb::GetMutableModel(bytes.data())->mutate_quantization_version(9));
  s = open_bytes(bytes, &model);
  CHECK(s.code() == BARISTA_STATUS_UNSUPPORTED_VERSION);
  CHECK(s.message().find("quantization") != std::string::npos);
}

TEST_CASE("format 2 only where a model uses it: positional columns; format 1.2 otherwise, for older readers") {
  TestModelOptions options;
  options.items = 6;
  options.positions = false;
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(random_test_model(3, options), WriteOptions(), &bytes).ok());
  std::unique_ptr<Model> model;
  REQUIRE(open_bytes(bytes, &model).ok());
  CHECK(model->root().format_major() == 1);
  CHECK(model->root().format_minor() == 2);
  // A library that reads format 1 only refuses a format-2 file by its
  // major, before anything else (the check every release has made).
  options.positions = true;
  REQUIRE(write_model(random_test_model(3, options), WriteOptions(), &bytes).ok());
  REQUIRE(open_bytes(bytes, &model).ok());
  CHECK(model->root().format_major() == 2);
  // A format-1 file with a position is corrupt: a format-1 reader would
  // have read every value of the input.
  REQUIRE(fb::GetMutableModel(bytes.data())->mutate_format_major(1));
  const Status s = open_bytes(bytes, &model);
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  CHECK(s.message() == "column 'last_item': a position needs format 2 (the file says 1)");
}

TEST_CASE("every truncation of a model file gives a status, never a crash") {
  const std::vector<uint8_t> bytes = small_model_bytes();
  std::unique_ptr<Model> model;
  REQUIRE(open_bytes(bytes, &model).ok());
  size_t refused = 0;
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(length));
    model.reset();
    const Status s = open_bytes(prefix, &model);
    if (!s.ok()) {
      ++refused;
      CHECK(!s.message().empty());
    } else {
      exercise(*model);  // FlatBuffers offsets point backwards; a prefix cannot pass
    }
  }
  CHECK(refused == bytes.size());
}

TEST_CASE("a file of another size than the model was written as is refused: cut short by a byte, or bytes after it") {
  // The FlatBuffers verifier reads only what the tables reach, so without
  // the recorded file size the last padding bytes could be cut, and bytes
  // appended, unnoticed.
  const std::vector<uint8_t> bytes = coffee_model_bytes();
  std::unique_ptr<Model> model;
  REQUIRE(open_bytes(bytes, &model).ok());
  for (size_t cut = 1; cut <= 8; ++cut) {
    CAPTURE(cut);
    const std::vector<uint8_t> shorter(bytes.begin(), bytes.end() - static_cast<ptrdiff_t>(cut));
    const Status s = open_bytes(shorter, &model);
    CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  }
  for (size_t extra : {1, 8, 64}) {
    CAPTURE(extra);
    std::vector<uint8_t> longer = bytes;
    longer.resize(bytes.size() + extra, 0);
    const Status s = open_bytes(longer, &model);
    CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
    CHECK(s.message().find("bytes after it") != std::string::npos);
  }
  std::vector<uint8_t> shorter(bytes.begin(), bytes.end() - 1);
  const Status s = open_bytes(shorter, &model);
  CHECK_MESSAGE(s.message().find("cut short") != std::string::npos, s.message());
}

TEST_CASE("random bit flips give a status or a working model, never a crash; full verification catches payload flips") {
  const std::vector<uint8_t> original = small_model_bytes();
  TestRandom random(2024);
  size_t opened = 0, verified = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> bytes = original;
    const int flips = 1 + static_cast<int>(random.below(3));
    for (int f = 0; f < flips; ++f) bytes[random.below(bytes.size())] ^= static_cast<uint8_t>(1u << random.below(8));
    std::unique_ptr<Model> model;
    const Status s = open_bytes(bytes, &model);
    if (!s.ok()) {
      CHECK(!s.message().empty());
      continue;
    }
    ++opened;
    exercise(*model);
    if (model->verify_full().ok()) ++verified;
  }
  MESSAGE(opened << " of 3000 flipped files opened, " << verified << " also passed full verification");
  CHECK(opened > 0);     // flips in weights are undetectable without the full check
  CHECK(verified == 0);  // the checksum covers every byte but its own
}

TEST_CASE("full verification: payload checksum and finiteness") {
  std::vector<uint8_t> bytes = small_model_bytes();
  const fb::Model* root = fb::GetModel(bytes.data());
  float* weights = mutable_array<float>(&bytes, root->deep()->layers()->Get(0)->weights()->data());
  weights[1] += 0.5f;
  std::unique_ptr<Model> model;
  REQUIRE(open_bytes(bytes, &model).ok());  // the default open does not read weights
  Status s = model->verify_full();
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  CHECK(s.message().find("checksum") != std::string::npos);
  CHECK(open_bytes(bytes, &model, /*verify_full=*/true).code() == BARISTA_STATUS_CORRUPT_MODEL);

  // A NaN with a matching checksum: the finiteness check names it.
  weights[1] = std::nanf("");
  reseal_checksum(&bytes);
  REQUIRE(open_bytes(bytes, &model).ok());
  s = model->verify_full();
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  CHECK(s.message().find("NaN") != std::string::npos);
}

TEST_CASE(
    "catalog offsets out of order or out of range: refused by full verification, by the serving index or by "
    "every call that reads them, again and again") {
  // Each item's values and id are slices between neighbouring offsets,
  // checked where they are read: by the serving index (the items' crossed
  // and learnable values), or else by the calls that read them.
  const std::vector<uint8_t> original = small_model_bytes();
  const fb::Catalog* catalog = fb::GetModel(original.data())->catalog();
  const uint32_t offsets = static_cast<uint32_t>(catalog->value_offsets()->count());
  REQUIRE(offsets > 3);
  int refused_by_index = 0, refused_by_calls = 0;
  auto refused = [&](std::vector<uint8_t> bytes) {
    reseal_checksum(&bytes);  // only the range checks can see it
    std::unique_ptr<Model> model;
    REQUIRE(open_bytes(bytes, &model).ok());
    const Status full = model->verify_full();
    CAPTURE(full.message());
    CHECK(full.code() == BARISTA_STATUS_CORRUPT_MODEL);
    CHECK(full.message().find("out of range") != std::string::npos);
    std::unique_ptr<ServingIndex> index;
    const Status indexed = ServingIndex::build(*model, &index);
    if (!indexed.ok()) {
      CHECK(indexed.code() == BARISTA_STATUS_CORRUPT_MODEL);
      CHECK(indexed.message().find("out of range") != std::string::npos);
      CHECK(ServingIndex::build(*model, &index).message() == indexed.message());
      ++refused_by_index;
      return;
    }
    Scorer scorer(*index);
    FeatureBag request(*model, BagRole::Request);
    REQUIRE(request.add_string("user_id", "user-1").ok());
    // The plain pass reads every value of its item: some items fail, each
    // the same way every time.
    size_t failed = 0;
    for (uint32_t item = 0; item < model->catalog().count; ++item) {
      float logit = 0.0f;
      const Status first = scorer.logit_plain(request, ItemRef::catalog(item), &logit);
      CHECK(scorer.logit_plain(request, ItemRef::catalog(item), &logit).code() == first.code());
      if (first.ok()) continue;
      ++failed;
      CHECK(first.code() == BARISTA_STATUS_CORRUPT_MODEL);
      CHECK(first.message().find("out of range") != std::string::npos);
    }
    CHECK(failed > 0);
    ++refused_by_calls;
    // Recommend: the same status on every call.
    RecommendQuery query;
    Vec<Scored> top;
    const Status first = scorer.recommend(request, query, &top);
    for (int call = 0; call < 2; ++call) CHECK(scorer.recommend(request, query, &top).code() == first.code());
  };
  for (uint32_t at : {0u, 1u, offsets / 2, offsets - 1}) {
    CAPTURE(at);
    std::vector<uint8_t> bytes = original;
    mutable_array<uint32_t>(&bytes, catalog->value_offsets())[at] = 0xfffffff0u;  // past the values
    refused(bytes);
  }
  {
    std::vector<uint8_t> bytes = original;
    uint32_t* values = mutable_array<uint32_t>(&bytes, catalog->value_offsets());
    std::swap(values[1], values[offsets - 2]);  // in range, out of order
    REQUIRE(values[1] != values[offsets - 2]);
    refused(bytes);
  }
  // Both ways are taken: damage among the indexed values, and elsewhere.
  CHECK(refused_by_index > 0);
  CHECK(refused_by_calls > 0);
  const fb::Slice* id_offsets = catalog->keys()->strings()->offsets();
  for (uint64_t at : {uint64_t{0}, uint64_t{2}, id_offsets->count() - 1}) {
    CAPTURE(at);
    std::vector<uint8_t> bytes = original;
    mutable_array<uint32_t>(&bytes, id_offsets)[at] = 1u << 30;
    reseal_checksum(&bytes);
    std::unique_ptr<Model> model;
    REQUIRE(open_bytes(bytes, &model).ok());
    CHECK(model->verify_full().code() == BARISTA_STATUS_CORRUPT_MODEL);
    std::string id;
    const uint32_t item = at == 0 ? 0 : static_cast<uint32_t>(at - 1);
    CHECK(!model->item_id(item, &id));
    CHECK(!model->item_id(item, &id));
  }
}

TEST_CASE("an unaligned caller buffer is copied; an aligned one is used in place") {
  const std::vector<uint8_t> bytes = small_model_bytes();
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  std::unique_ptr<Model> model;
  REQUIRE(Model::open_buffer(shifted.data() + 1, bytes.size(), OpenOptions(), &model).ok());
  CHECK(model->data() != shifted.data() + 1);
  REQUIRE(Model::open_buffer(bytes.data(), bytes.size(), OpenOptions(), &model).ok());
  CHECK(model->data() == bytes.data());
}

TEST_CASE("opening files: memory-mapped models, and the errors of missing, empty and odd paths") {
  const std::vector<uint8_t> bytes = small_model_bytes();
  char path[] = "/tmp/barista-model-test-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  close(fd);
  std::unique_ptr<Model> model;
  REQUIRE(Model::open_file(path, OpenOptions(), &model).ok());
  CHECK(model->size() == bytes.size());
  exercise(*model);
  model.reset();
  unlink(path);

  Status s = Model::open_file("/nonexistent/model.barista", OpenOptions(), &model);
  CHECK(s.code() == BARISTA_STATUS_IO_ERROR);
  CHECK(s.message().find("/nonexistent/model.barista") != std::string::npos);
  CHECK(Model::open_file("/tmp", OpenOptions(), &model).code() == BARISTA_STATUS_IO_ERROR);
  CHECK(Model::open_file("/dev/null", OpenOptions(), &model).code() == BARISTA_STATUS_IO_ERROR);
  CHECK(Model::open_file(nullptr, OpenOptions(), &model).code() == BARISTA_STATUS_INVALID_ARGUMENT);
  char empty[] = "/tmp/barista-empty-XXXXXX";
  close(mkstemp(empty));
  CHECK(Model::open_file(empty, OpenOptions(), &model).code() == BARISTA_STATUS_NOT_A_MODEL);
  unlink(empty);

  // Over FlatBuffers' 2 GiB - 1: refused from its size before anything is
  // mapped (a sparse file: no disk space used).
  char huge[] = "/tmp/barista-huge-XXXXXX";
  const int huge_fd = mkstemp(huge);
  REQUIRE(huge_fd >= 0);
  REQUIRE(ftruncate(huge_fd, (off_t{1} << 31) + 8) == 0);
  close(huge_fd);
  s = Model::open_file(huge, OpenOptions(), &model);
  CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(s.message().find("more than the 2147483647") != std::string::npos);
  unlink(huge);
}

TEST_CASE("semantic checks name what is wrong") {
  auto refused = [](ModelSpec spec, const char* expected) {
    std::vector<uint8_t> bytes;
    const Status s = write_model(spec, WriteOptions(), &bytes);
    CAPTURE(s.message());
    CHECK(!s.ok());
    CHECK(s.message().find(expected) != std::string::npos);
  };
  const ModelSpec good = random_test_model(21);
  {
    ModelSpec spec = good;  // an item deep input before a request one
    std::swap(spec.deep[0], spec.deep.back());
    refused(spec, "request inputs must come first");
  }
  {
    ModelSpec spec = good;
    spec.layers.back().out = 2;
    spec.layers.back().weights.resize(spec.layers.back().in * 2);
    spec.layers.back().bias.resize(2);
    refused(spec, "last layer");
  }
  {
    ModelSpec spec = good;
    spec.layers[1].in += 1;
    spec.layers[1].weights.resize(size_t{spec.layers[1].in} * spec.layers[1].out);
    refused(spec, "layer 1 weights");
  }
  {
    ModelSpec spec = good;
    spec.columns[10].crossed = {0, 2};  // crossing a numeric column
    refused(spec, "must be hashed, vocabulary or bucketized");
  }
  {
    ModelSpec spec = good;
    spec.catalog.categorical.erase(kTags);
    refused(spec, "catalog has no values for item input 'tags'");
  }
  {
    ModelSpec spec = good;
    spec.catalog.ids[3] = spec.catalog.ids[4];
    refused(spec, "appears twice");
  }
  {
    ModelSpec spec = good;
    spec.inputs[kDevice].name = "user_id";
    refused(spec, "appears twice");
  }
  {
    ModelSpec spec = good;
    spec.wide[0].weights[2] = std::nanf("");
    refused(spec, "not finite");
  }
  {
    ModelSpec spec = good;
    spec.columns[1].buckets = 0;  // hashed into no buckets
    spec.wide[1].weights.clear();
    spec.deep[1].embedding.clear();
    refused(spec, "buckets");
  }
  {
    ModelSpec spec = good;
    spec.columns[3].boundaries = {6.0f, 11.0f, 18.0f, 14.0f};
    refused(spec, "boundaries");
  }
  // Finite but degenerate standardizations: every score would be NaN.
  size_t numeric = good.columns.size();
  for (size_t c = 0; c < good.columns.size(); ++c) {
    if (good.columns[c].kind == fb::ColumnKind::Numeric) numeric = c;
  }
  REQUIRE(numeric < good.columns.size());
  {
    ModelSpec spec = good;
    spec.columns[numeric].stddev = 1e-45f;
    refused(spec, "standardize beyond float's range");
  }
  {
    ModelSpec spec = good;
    spec.columns[numeric].mean = -3e38f;
    spec.columns[numeric].stddev = 1e-30f;
    refused(spec, "standardize beyond float's range");
  }
}

TEST_CASE("wide terms that repeat a column or share weights are refused at open") {
  // The writer never makes them; a file that repeats one expensive cross
  // thousands of times would multiply the work of every request.
  ModelSpec spec = random_test_model(3);
  spec.wide.push_back(spec.wide.back());  // the writer places it on weights of its own
  std::vector<uint8_t> bytes;
  Status s = write_model(spec, WriteOptions(), &bytes);  // the writer opens what it writes
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  CHECK(s.message().find("both read column") != std::string::npos);
  std::unique_ptr<Model> model;

  // Two terms on different columns whose weight ranges overlap.
  bytes = small_model_bytes();
  const auto* terms = fb::GetModel(bytes.data())->wide()->terms();
  REQUIRE(terms->size() >= 2);
  const_cast<fb::WideTerm*>(terms->Get(1))->mutate_offset(terms->Get(0)->offset());
  reseal_checksum(&bytes);
  s = open_bytes(bytes, &model);
  CHECK(s.code() == BARISTA_STATUS_CORRUPT_MODEL);
  CHECK(s.message().find("share the wide weights") != std::string::npos);
}

TEST_CASE("crosses are capped per item across all wide terms and per request over its items, before any is scored") {
  // Many crossed terms over a big basket x the item id, each within the
  // per-cross limit, would otherwise make one recommendation take 46 s and
  // 1.7 GB. Here 1,000 distinct crosses (distinct hash keys): a request
  // with 100 basket values would make 100,000 combinations per item.
  TestModelOptions options;
  options.items = 2000;
  ModelSpec spec = random_test_model(4, options);
  const uint32_t basket = spec.add_categorical_input("basket", fb::Source::Context, 4096);
  const uint32_t basket_column = spec.add_column("basket", fb::ColumnKind::Hashed, basket, 64);
  uint32_t item_id_column = 0;
  for (uint32_t c = 0; c < spec.columns.size(); ++c) {
    if (spec.columns[c].kind != fb::ColumnKind::Crossed && spec.columns[c].input == spec.item_id_input) {
      item_id_column = c;
    }
  }
  for (int i = 0; i < 1000; ++i) {
    const uint32_t c = spec.add_column("basket_x_item_" + std::to_string(i), fb::ColumnKind::Crossed, 0, 97);
    spec.columns[c].crossed = {basket_column, item_id_column};
    spec.columns[c].hash_key = kDefaultCrossHashKey + static_cast<uint64_t>(i);
    WideTermSpec term;
    term.column = c;
    term.weights.assign(97, 0.01f);
    spec.wide.push_back(term);
  }
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage);
  const auto index = serving_index(*model);
  Scorer scorer(*index);
  RecommendQuery query;
  Vec<Scored> top;
  for (const int values : {100, 50}) {
    FeatureBag request(*model, BagRole::Request);
    for (int v = 0; v < values; ++v) REQUIRE(request.add_string("basket", "product-" + std::to_string(v)).ok());
    CAPTURE(values);
    const Status s = scorer.recommend(request, query, &top);
    if (values == 100) {
      CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
      CHECK(s.message().find("combinations for one item") != std::string::npos);
      float logit = 0.0f;
      CHECK(scorer.logit_plain(request, ItemRef::catalog(0), &logit).code() == BARISTA_STATUS_LIMIT_EXCEEDED);
    } else {
      // 50,000 combinations per item are within the limit per item, but
      // not over 2,000 items (limit 2^26 per request): 100 candidates are.
      CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
      CHECK(s.message().find("for 2000 items (limit 67108864 per request)") != std::string::npos);
      std::vector<uint32_t> candidates(100);
      for (uint32_t i = 0; i < 100; ++i) candidates[i] = i * 20;
      RecommendQuery some;
      some.whole_catalog = false;
      some.candidates = Span<uint32_t>(candidates.data(), candidates.size());
      CHECK(scorer.recommend(request, some, &top).ok());
      CHECK(top.size() == some.k);
    }
  }
}
