// The learner and the scorer agree on what was learned: a customer's learned
// weights score exactly as if they had been added to the model's own wide
// weights (checked against the independent reference scorer), on the plain,
// catalog and described-item paths, and nobody else's scores move.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "learn/learner.h"
#include "overlay/overlay_store.h"
#include "score/scorer.h"
#include "support/reference_scorer.h"
#include "support/test_models.h"

using namespace barista_test;

namespace {

// `spec` with the customer's learned weights added to the wide weights they
// stand beside.
ModelSpec with_learned(const ModelSpec& spec, const Model& model, const OverlayStore& store, uint64_t user) {
  ModelSpec learned = spec;
  size_t applied = 0;
  store.for_each_of_user(user, [&](const OverlayStore::Entry& e) {
    for (Span<WideTermInfo> terms : {model.wide_request_terms(), model.wide_item_terms(), model.wide_mixed_terms()}) {
      for (const WideTermInfo& term : terms) {
        for (WideTermSpec& t : learned.wide) {
          if (t.column != term.column || e.index < term.offset || e.index - term.offset >= t.weights.size()) continue;
          t.weights[e.index - term.offset] += e.w;
          ++applied;
        }
      }
    }
  });
  CHECK(applied == store.user_entries(user));
  return learned;
}

bool close(double a, double b) { return std::fabs(a - b) <= 2e-5 * (1.0 + std::fabs(b)); }

}  // namespace

TEST_CASE("learned weights score like the model's own wide weights, on every path") {
  for (uint64_t seed : {41, 43}) {
    ModelSpec spec = random_test_model(seed);
    for (WideTermSpec& t : spec.wide) t.learnable = true;  // item-side terms too
    for (size_t a = 0; a < spec.wide.size(); ++a) {
      for (size_t b = a + 1; b < spec.wide.size(); ++b) REQUIRE(spec.wide[a].column != spec.wide[b].column);
    }
    std::vector<uint8_t> storage;
    const auto model = open_spec(spec, &storage);
    OverlayStore store;
    FtrlParams params;
    params.alpha = 0.5f;  // large steps: clearly visible weights
    REQUIRE(OverlayStore::create(1 << 20, params, &store).ok());
    const auto learner_index = serving_index(*model);
    Learner learner(*learner_index, &store);

    Values customer = random_request(spec, seed);
    customer.categorical[kUserId] = {"learning-customer"};
    FeatureBag request(*model, BagRole::Request);
    fill_bag(customer, &request);
    const uint32_t n = model->catalog().count;
    TestRandom random(seed);
    Vec<LearnedState> steps;
    for (int i = 0; i < 40; ++i) {
      uint32_t item = static_cast<uint32_t>(random.below(n));
      float label = random.uniform() < 0.3 ? 1.0f : 0.0f;
      REQUIRE(learner.observe(request, Span<uint32_t>(&item, 1), Span<float>(&label, 1), Span<float>(), &steps).ok());
    }
    uint32_t shown[] = {1, 4, 9, 16, 25};
    REQUIRE(learner.observe_shown(request, Span<uint32_t>(shown, 5), 9, 0.5f, &steps).ok());
    FeatureBag described(*model, BagRole::Item);
    const Values described_values = random_item(spec, seed + 1);
    fill_bag(described_values, &described);
    REQUIRE(learner.observe_described(request, described, 1.0f, 1.0f, &steps).ok());
    uint64_t user = 0;
    REQUIRE(learner.user_of(request, &user));
    REQUIRE(store.user_entries(user) > 0);
    CHECK(steps.size() >= store.user_entries(user));

    const ModelSpec learned_spec = with_learned(spec, *model, store, user);
    const auto index = serving_index(*model);
    Scorer scorer(*index);
    scorer.set_overlay(&store);
    std::vector<uint32_t> all(n);
    for (uint32_t i = 0; i < n; ++i) all[i] = i;
    std::vector<float> fast(n);
    REQUIRE(scorer.prepare(request).ok());
    REQUIRE(scorer.logits_catalog(Span<uint32_t>(all), fast.data()).ok());
    size_t moved = 0;
    for (uint32_t i = 0; i < n; ++i) {
      float plain = 0;
      REQUIRE(scorer.logit_plain(request, ItemRef::catalog(i), &plain).ok());
      const double expected = reference_probability(learned_spec, customer, i);
      CAPTURE(seed);
      CAPTURE(i);
      CHECK(close(sigmoid(plain), expected));
      CHECK(close(sigmoid(fast[i]), expected));
      moved += !close(expected, reference_probability(spec, customer, i));
    }
    CHECK(moved > n / 2);  // the learning did change scores
    const FeatureBag* items[] = {&described};
    float described_logit = 0;
    REQUIRE(scorer.prepare(request).ok());
    REQUIRE(scorer.logits_described(Span<const FeatureBag*>(items, 1), &described_logit).ok());
    CHECK(close(sigmoid(described_logit), reference_probability(learned_spec, customer, -1, &described_values)));

    // Another customer (and an anonymous one) sees the model alone.
    for (const char* other : {"someone-else", ""}) {
      Values stranger = customer;
      if (*other != '\0') {
        stranger.categorical[kUserId] = {other};
      } else {
        stranger.categorical.erase(kUserId);
      }
      FeatureBag stranger_request(*model, BagRole::Request);
      fill_bag(stranger, &stranger_request);
      REQUIRE(scorer.prepare(stranger_request).ok());
      REQUIRE(scorer.logits_catalog(Span<uint32_t>(all), fast.data()).ok());
      for (uint32_t i = 0; i < n; ++i) CHECK(close(sigmoid(fast[i]), reference_probability(spec, stranger, i)));
    }
  }
}

TEST_CASE(
    "a model with a sequence encoder learns on the device as one without: learned weights score as model weights") {
  TestModelOptions options;
  options.sequence_blocks = 1;
  ModelSpec spec = random_test_model(47, options);
  std::vector<uint8_t> storage;
  const auto model = open_spec(spec, &storage);
  REQUIRE(model->sequence_encoders().size() == 1);
  OverlayStore store;
  FtrlParams params;
  params.alpha = 0.5f;
  REQUIRE(OverlayStore::create(1 << 20, params, &store).ok());
  const auto index = serving_index(*model);
  Learner learner(*index, &store);
  Values customer = random_request(spec, 47);
  customer.categorical[kUserId] = {"learning-customer"};
  customer.categorical[kHistory] = {"item-3", "item-8", "item-1", "item-8"};
  FeatureBag request(*model, BagRole::Request);
  fill_bag(customer, &request);
  const uint32_t n = model->catalog().count;
  Vec<LearnedState> steps;
  for (uint32_t item : {2u, 5u, 7u, 11u}) {
    float label = item == 5 ? 1.0f : 0.0f;
    REQUIRE(learner.observe(request, Span<uint32_t>(&item, 1), Span<float>(&label, 1), Span<float>(), &steps).ok());
  }
  uint64_t user = 0;
  REQUIRE(learner.user_of(request, &user));
  REQUIRE(store.user_entries(user) > 0);

  // The learned weights folded into a copy of the model (encoder and all),
  // scored without an overlay, against the original with the overlay.
  std::vector<uint8_t> learned_storage;
  const auto learned_model = open_spec(with_learned(spec, *model, store, user), &learned_storage);
  const auto learned_index = serving_index(*learned_model);
  Scorer with_overlay(*index), folded(*learned_index), alone(*index);
  with_overlay.set_overlay(&store);
  FeatureBag learned_request(*learned_model, BagRole::Request);
  fill_bag(customer, &learned_request);
  std::vector<uint32_t> all(n);
  for (uint32_t i = 0; i < n; ++i) all[i] = i;
  std::vector<float> a(n), b(n), c(n);
  REQUIRE(with_overlay.prepare(request).ok());
  REQUIRE(with_overlay.logits_catalog(Span<uint32_t>(all), a.data()).ok());
  REQUIRE(folded.prepare(learned_request).ok());
  REQUIRE(folded.logits_catalog(Span<uint32_t>(all), b.data()).ok());
  REQUIRE(alone.prepare(request).ok());
  REQUIRE(alone.logits_catalog(Span<uint32_t>(all), c.data()).ok());
  size_t moved = 0;
  for (uint32_t i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(close(a[i], b[i]));
    moved += !close(a[i], c[i]);
  }
  CHECK(moved > n / 2);
}
