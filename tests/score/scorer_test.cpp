// Scoring: the runtime against an independent implementation, the fast path
// against the plain forward pass, and top-K against a full sort.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/dispatch.h"
#include "score/scorer.h"
#include "support/ranking.h"
#include "support/reference_scorer.h"
#include "support/test_models.h"

using namespace barista::internal;
using namespace barista_test;

namespace {

// The fast path must agree with the plain forward pass to 1e-5 relative
// error in f32; so must the runtime with the double-precision
// reference on an f32 model.
constexpr double kRelative = 1e-5;

bool close(double a, double b) { return std::fabs(a - b) <= kRelative * std::max(1.0, std::fabs(b)); }

// Removes the deep inputs for which `drop(index)` holds, with their rows of
// the first layer.
// `spec` with two more wide crosses, history x tags and user x tags: a
// request column with an item column that has several values per item.
ModelSpec add_item_multivalued_crosses(ModelSpec spec) {
  auto find = [&](const char* name) {
    for (uint32_t c = 0; c < spec.columns.size(); ++c) {
      if (spec.columns[c].name == name) return c;
    }
    FAIL("no column " << name);
    return 0u;
  };
  const uint32_t history = find("history"), user = find("user_id"), tags = find("tags");
  TestRandom random(57);
  for (auto [request_column, buckets] : {std::pair{history, 10007u}, std::pair{user, 37u}}) {
    const uint32_t c =
        spec.add_column(spec.columns[request_column].name + "_x_tags", fb::ColumnKind::Crossed, 0, buckets);
    spec.columns[c].crossed = {request_column, tags};
    WideTermSpec term;
    term.column = c;
    term.weights.resize(buckets);
    for (float& w : term.weights) w = random.symmetric(0.5f);
    spec.wide.push_back(term);
  }
  return spec;
}

ModelSpec drop_deep_inputs(ModelSpec spec, bool drop_item_side) {
  DenseSpec& first = spec.layers[0];
  std::vector<float> kept_rows;
  std::vector<DeepInputSpec> kept;
  uint32_t row = 0;
  for (const DeepInputSpec& in : spec.deep) {
    const ColumnSpec& column = spec.columns[in.column];
    const uint32_t width = column.kind == fb::ColumnKind::Numeric ? 1 : in.dim;
    bool item_side = false;
    if (column.kind == fb::ColumnKind::Crossed) {
      item_side = spec.inputs[spec.columns[column.crossed[0]].input].source == fb::Source::Item;
    } else {
      item_side = spec.inputs[column.input].source == fb::Source::Item;
    }
    if (item_side != drop_item_side) {
      kept.push_back(in);
      kept_rows.insert(kept_rows.end(), first.weights.begin() + size_t{row} * first.out,
                       first.weights.begin() + size_t{row + width} * first.out);
    }
    row += width;
  }
  spec.deep = kept;
  first.weights = kept_rows;
  first.in = static_cast<uint32_t>(kept_rows.size() / first.out);
  return spec;
}

struct Scored2 {
  double logit;
  uint32_t item;
};

// All catalog logits by the fast path.
std::vector<float> all_logits(Scorer& scorer, const FeatureBag& request) {
  const uint32_t n = scorer.model().catalog().count;
  std::vector<uint32_t> items(n);
  std::iota(items.begin(), items.end(), 0u);
  std::vector<float> logits(n);
  REQUIRE(scorer.prepare(request).ok());
  REQUIRE(scorer.logits_catalog(Span<uint32_t>(items), logits.data()).ok());
  return logits;
}

void check_fast_equals_plain(const ModelSpec& spec, const WriteOptions& options, const char* kernels) {
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage, options, kernels);
  const auto index = serving_index(*model);
  Scorer scorer(*index);
  for (uint64_t r = 0; r < 12; ++r) {
    FeatureBag request(*model, BagRole::Request);
    fill_bag(random_request(spec, r), &request);
    const std::vector<float> fast = all_logits(scorer, request);
    for (uint32_t i = 0; i < model->catalog().count; ++i) {
      float plain = 0;
      REQUIRE(scorer.logit_plain(request, ItemRef::catalog(i), &plain).ok());
      CAPTURE(r);
      CAPTURE(i);
      CHECK(close(sigmoid(fast[i]), sigmoid(plain)));
      CHECK(std::fabs(static_cast<double>(fast[i] - plain)) <=
            kRelative * (1.0 + std::fabs(static_cast<double>(plain))));
    }
    // Items described by features: the fast path computes their item half
    // on the fly.
    std::vector<FeatureBag> items;
    for (uint64_t j = 0; j < 5; ++j) {
      items.emplace_back(*model, BagRole::Item);
      fill_bag(random_item(spec, r * 10 + j), &items.back());
    }
    std::vector<const FeatureBag*> pointers;
    for (const FeatureBag& item : items) pointers.push_back(&item);
    std::vector<float> described(items.size());
    REQUIRE(scorer.prepare(request).ok());
    REQUIRE(scorer.logits_described(Span<const FeatureBag*>(pointers), described.data()).ok());
    for (size_t j = 0; j < items.size(); ++j) {
      float plain = 0;
      REQUIRE(scorer.logit_plain(request, ItemRef::described(items[j]), &plain).ok());
      CHECK(std::fabs(static_cast<double>(described[j] - plain)) <=
            kRelative * (1.0 + std::fabs(static_cast<double>(plain))));
    }
  }
}

}  // namespace

TEST_CASE("scores match an independent straightforward implementation (f32 model)") {
  for (uint64_t seed : {41, 42, 43}) {
    TestModelOptions options;
    options.integer_item_ids = seed == 43;
    const ModelSpec spec = random_test_model(seed, options);
    std::vector<uint8_t> storage;
    const auto model = open_spec(spec, &storage);
    const auto index = serving_index(*model);
    Scorer scorer(*index);
    for (uint64_t r = 0; r < 20; ++r) {
      const Values request_values = random_request(spec, seed * 100 + r);
      FeatureBag request(*model, BagRole::Request);
      fill_bag(request_values, &request);
      for (uint32_t i = 0; i < spec.catalog.size(); ++i) {
        float logit = 0;
        REQUIRE(scorer.logit_plain(request, ItemRef::catalog(i), &logit).ok());
        const double expected = reference_probability(spec, request_values, i);
        CAPTURE(seed);
        CAPTURE(r);
        CAPTURE(i);
        CHECK(close(sigmoid(logit), expected));
      }
      const Values item_values = random_item(spec, r);
      FeatureBag item(*model, BagRole::Item);
      fill_bag(item_values, &item);
      float logit = 0;
      REQUIRE(scorer.logit_plain(request, ItemRef::described(item), &logit).ok());
      CHECK(close(sigmoid(logit), reference_probability(spec, request_values, -1, &item_values)));
    }
  }
}

TEST_CASE("fast path equals the plain forward pass") {
  const ModelSpec spec = random_test_model(51);
  SUBCASE("f32") { check_fast_equals_plain(spec, WriteOptions(), nullptr); }
  SUBCASE("f16 embeddings and wide weights") {
    WriteOptions options;
    options.embedding_dtype = fb::DType::F16;
    options.wide_dtype = fb::DType::F16;
    check_fast_equals_plain(spec, options, nullptr);
  }
  SUBCASE("int8 row-wise embeddings") {
    WriteOptions options;
    options.embedding_dtype = fb::DType::Int8Rowwise;
    check_fast_equals_plain(spec, options, nullptr);
  }
  SUBCASE("one layer (logistic deep part)") {
    TestModelOptions options;
    options.hidden = {};
    check_fast_equals_plain(random_test_model(52, options), WriteOptions(), nullptr);
  }
  SUBCASE("wide first layer, many items (several blocks)") {
    TestModelOptions options;
    options.hidden = {40, 3};
    options.items = 300;
    check_fast_equals_plain(random_test_model(53, options), WriteOptions(), nullptr);
  }
  SUBCASE("crosses of request columns with a multi-valued item column (several blocks)") {
    // Catalog items have zero to several tags: the per-item hash cache is a
    // CSR, and the crosses' indices take the general path. 10007 buckets
    // (above 2^13) and 37 take the vector remainder's one- and two-round
    // forms.
    TestModelOptions options;
    options.items = 300;
    check_fast_equals_plain(add_item_multivalued_crosses(random_test_model(56, options)), WriteOptions(), nullptr);
  }
  SUBCASE("no item inputs in the deep part") {
    check_fast_equals_plain(drop_deep_inputs(spec, true), WriteOptions(), nullptr);
  }
  SUBCASE("no request inputs in the deep part") {
    check_fast_equals_plain(drop_deep_inputs(spec, false), WriteOptions(), nullptr);
  }
}

TEST_CASE("fast path equals the plain forward pass with every kernel variant this CPU runs") {
  const ModelSpec spec = random_test_model(54);
  const CpuFeatures cpu = detect_cpu_features();
  for (const KernelTable* table : all_kernel_tables()) {
    if (!cpu_supports(cpu, table->isa)) continue;
    INFO("kernels: " << std::string(table->isa));
    check_fast_equals_plain(spec, WriteOptions(), table->isa);
  }
}

TEST_CASE("recommend returns the top of a full sort, with exclusions, candidates and extra items") {
  const ModelSpec spec = random_test_model(61, TestModelOptions{150, false, {16, 8}});
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage);
  const auto index = serving_index(*model);
  Scorer scorer(*index);
  const uint32_t n = model->catalog().count;
  for (uint64_t r = 0; r < 10; ++r) {
    FeatureBag request(*model, BagRole::Request);
    fill_bag(random_request(spec, 500 + r), &request);
    const std::vector<float> logits = all_logits(scorer, request);

    TestRandom random(r);
    std::vector<uint32_t> exclude, candidates;
    for (int i = 0; i < 20; ++i) exclude.push_back(static_cast<uint32_t>(random.below(n)));
    for (int i = 0; i < 60; ++i) candidates.push_back(static_cast<uint32_t>(random.below(n)));  // duplicates too
    const bool restrict = r % 2 == 1;

    std::vector<Scored> expected;
    for (uint32_t i = 0; i < n; ++i) {
      if (std::find(exclude.begin(), exclude.end(), i) != exclude.end()) continue;
      if (restrict && std::find(candidates.begin(), candidates.end(), i) == candidates.end()) continue;
      expected.push_back(Scored{logits[i], i});
    }
    std::sort(expected.begin(), expected.end(), ranks_before);

    for (size_t k : {size_t{0}, size_t{1}, size_t{10}, size_t{1000}}) {
      RecommendQuery query;
      query.k = k;
      query.exclude = exclude;
      query.whole_catalog = !restrict;
      query.candidates = candidates;
      Vec<Scored> top;
      REQUIRE(scorer.recommend(request, query, &top).ok());
      REQUIRE(top.size() == std::min(k, expected.size()));
      for (size_t i = 0; i < top.size(); ++i) {
        CHECK(top[i].item == expected[i].item);
        CHECK(top[i].logit == expected[i].logit);
      }
    }

    // Extra items rank alongside the catalog, numbered n + position.
    FeatureBag extra(*model, BagRole::Item);
    fill_bag(random_item(spec, r), &extra);
    const FeatureBag* extras[] = {&extra};
    float extra_logit = 0;
    REQUIRE(scorer.prepare(request).ok());
    REQUIRE(scorer.logits_described(Span<const FeatureBag*>(extras, 1), &extra_logit).ok());
    RecommendQuery query;
    query.k = n + 1;
    query.extra_items = Span<const FeatureBag*>(extras, 1);
    Vec<Scored> top;
    REQUIRE(scorer.recommend(request, query, &top).ok());
    REQUIRE(top.size() == n + 1);
    const auto found = std::find_if(top.begin(), top.end(), [&](const Scored& s) { return s.item == n; });
    REQUIRE(found != top.end());
    CHECK(found->logit == extra_logit);
    CHECK(std::is_sorted(top.begin(), top.end(), ranks_before));
  }
}

TEST_CASE("int8 shortlist: exact scores for what it returns, the exact top-k nearly always") {
  // 400 items, hidden 32-16-8: the int8 layers only choose a shortlist of
  // max(4k, k + 50); everything returned is rescored exactly.
  const ModelSpec spec = random_test_model(71, TestModelOptions{400, false, {32, 16, 8}});
  std::vector<uint8_t> storage;
  for (const KernelTable* table : all_kernel_tables()) {
    if (!cpu_supports(detect_cpu_features(), table->isa)) continue;
    INFO("kernels: " << std::string(table->isa));
    const auto model = open_spec(spec, &storage, WriteOptions(), table->isa);
    const auto index = serving_index(*model);
    Scorer scorer(*index);
    REQUIRE(scorer.int8_layers_available());
    const uint32_t n = model->catalog().count;
    int same = 0, requests = 0;
    for (uint64_t r = 0; r < 40; ++r) {
      FeatureBag request(*model, BagRole::Request);
      fill_bag(random_request(spec, 900 + r), &request);
      const std::vector<float> logits = all_logits(scorer, request);
      for (size_t k : {size_t{1}, size_t{10}, size_t{60}}) {
        RecommendQuery exact, int8;
        exact.k = int8.k = k;
        int8.int8_layers = true;
        Vec<Scored> top_exact, top_int8;
        REQUIRE(scorer.recommend(request, exact, &top_exact).ok());
        REQUIRE(scorer.recommend(request, int8, &top_int8).ok());
        REQUIRE(top_int8.size() == std::min<size_t>(k, n));
        CHECK(std::is_sorted(top_int8.begin(), top_int8.end(), ranks_before));
        for (const Scored& s : top_int8) CHECK(s.logit == logits[s.item]);  // exact, not int8
        bool equal = top_exact.size() == top_int8.size();
        for (size_t i = 0; equal && i < top_exact.size(); ++i) equal = top_exact[i].item == top_int8[i].item;
        same += equal;
        ++requests;
      }
    }
    MESSAGE(std::string(table->isa) << ": int8 top-k equals the exact one in " << same << " of " << requests);
    CHECK(same >= requests * 95 / 100);
  }
}

TEST_CASE("int8 shortlist falls back to exact ranking when a hidden layer has no ReLU") {
  ModelSpec spec = random_test_model(72, TestModelOptions{100, false, {16, 8}});
  spec.layers[1].relu = false;
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage);
  const auto index = serving_index(*model);
  Scorer scorer(*index);
  CHECK_FALSE(scorer.int8_layers_available());
  FeatureBag request(*model, BagRole::Request);
  fill_bag(random_request(spec, 5), &request);
  RecommendQuery exact, int8;
  int8.int8_layers = true;
  Vec<Scored> a, b;
  REQUIRE(scorer.recommend(request, exact, &a).ok());
  REQUIRE(scorer.recommend(request, int8, &b).ok());
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].item == b[i].item);
    CHECK(a[i].logit == b[i].logit);
  }
}

TEST_CASE("ties keep catalog order; out-of-range indices are refused") {
  ModelSpec spec = random_test_model(71);
  for (WideTermSpec& term : spec.wide) std::fill(term.weights.begin(), term.weights.end(), 0.0f);
  for (DenseSpec& layer : spec.layers) std::fill(layer.weights.begin(), layer.weights.end(), 0.0f);
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage);
  const auto index = serving_index(*model);
  Scorer scorer(*index);
  FeatureBag request(*model, BagRole::Request);
  RecommendQuery query;
  query.k = 5;
  Vec<Scored> top;
  REQUIRE(scorer.recommend(request, query, &top).ok());
  REQUIRE(top.size() == 5);
  for (uint32_t i = 0; i < 5; ++i) CHECK(top[i].item == i);

  const uint32_t bad[] = {3, 50};
  query.exclude = Span<uint32_t>(bad, 2);
  Status s = scorer.recommend(request, query, &top);
  CHECK(s.code() == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(s.message().find("50") != std::string::npos);
  query.exclude = Span<uint32_t>();
  query.whole_catalog = false;
  query.candidates = Span<uint32_t>(bad, 2);
  CHECK(scorer.recommend(request, query, &top).code() == BARISTA_STATUS_INVALID_ARGUMENT);
}

TEST_CASE("non-finite weights never crash: NaN scores rank last") {
  const ModelSpec spec = random_test_model(81);
  std::vector<uint8_t> storage;
  REQUIRE(write_model(spec, WriteOptions(), &storage).ok());
  // Corrupt the precomputed wide sums of items 2 and 7 (as a bad file could).
  float* item_wide = mutable_array<float>(&storage, fb::GetModel(storage.data())->catalog()->item_wide());
  item_wide[2] = std::nanf("");
  item_wide[7] = -std::numeric_limits<float>::infinity();
  std::unique_ptr<Model> model;
  REQUIRE(Model::open_buffer(storage.data(), storage.size(), OpenOptions(), &model).ok());
  const auto index = serving_index(*model);
  Scorer scorer(*index);
  FeatureBag request(*model, BagRole::Request);
  RecommendQuery query;
  query.k = model->catalog().count;
  Vec<Scored> top;
  REQUIRE(scorer.recommend(request, query, &top).ok());
  REQUIRE(top.size() == model->catalog().count);
  CHECK(top.back().item == 2);
  CHECK(std::isnan(top.back().logit));
  CHECK(top[top.size() - 2].item == 7);
}
