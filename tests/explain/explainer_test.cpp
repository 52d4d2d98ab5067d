// Explanations through the C API: the parts add up to the logit the session
// scores, on every model kind the tests build, with and without an overlay;
// integrated gradients are exact where the deep part is linear; the values
// that fired are named; misuse gets a status.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "barista.h"
#include "samples/coffee_model.h"
#include "support/coffee_handle.h"
#include "support/test_models.h"
#include "writer/model_writer.h"

using namespace barista_test;

namespace {

struct Opened {
  std::vector<uint8_t> bytes;
  barista_model* model = nullptr;
  barista_session* session = nullptr;
  Opened(const ModelSpec& spec, const WriteOptions& options) {
    REQUIRE(write_model(spec, options, &bytes).ok());
    REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
    REQUIRE(barista_session_create(model, &session) == BARISTA_STATUS_OK);
  }
  ~Opened() {
    barista_session_free(session);
    barista_model_free(model);
  }
  Opened(const Opened&) = delete;
  Opened& operator=(const Opened&) = delete;
};

barista_request* make_request(const ModelSpec& spec, barista_model* model, const Values& values) {
  barista_request* request = nullptr;
  REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  for (const auto& [input, list] : values.categorical) {
    for (const std::string& v : list) {
      REQUIRE(barista_request_add_string(request, spec.inputs[input].name.c_str(), v.c_str(), v.size()) ==
              BARISTA_STATUS_OK);
    }
  }
  for (const auto& [input, v] : values.numeric) {
    REQUIRE(barista_request_set_number(request, spec.inputs[input].name.c_str(), v) == BARISTA_STATUS_OK);
  }
  return request;
}

barista_item* make_item(const ModelSpec& spec, barista_model* model, const Values& values) {
  barista_item* item = nullptr;
  REQUIRE(barista_item_create(model, &item) == BARISTA_STATUS_OK);
  for (const auto& [input, list] : values.categorical) {
    for (const std::string& v : list) {
      REQUIRE(barista_item_add_string(item, spec.inputs[input].name.c_str(), v.c_str(), v.size()) ==
              BARISTA_STATUS_OK);
    }
  }
  for (const auto& [input, v] : values.numeric) {
    REQUIRE(barista_item_set_number(item, spec.inputs[input].name.c_str(), v) == BARISTA_STATUS_OK);
  }
  return item;
}

barista_explanation explanation() {
  barista_explanation e{};
  e.struct_size = sizeof e;
  return e;
}

float logit_of(float score) { return std::log(score / (1.0f - score)); }

// The checks every explanation must pass against the session's own score.
void check_adds_up(const barista_explanation& e, float score) {
  double wide = 0, learned = 0, attributed = 0;
  for (size_t i = 0; i < e.wide_term_count; ++i) {
    wide += static_cast<double>(e.wide_terms[i].model);
    learned += static_cast<double>(e.wide_terms[i].learned);
    CHECK(e.wide_terms[i].term[0] != '\0');
    CHECK(e.wide_terms[i].value[0] != '\0');
    if (i > 0) {
      CHECK(std::fabs(e.wide_terms[i - 1].model + e.wide_terms[i - 1].learned) >=
            std::fabs(e.wide_terms[i].model + e.wide_terms[i].learned));
    }
  }
  for (size_t i = 0; i < e.deep_input_count; ++i) attributed += static_cast<double>(e.deep_inputs[i].attribution);
  CHECK(wide == doctest::Approx(e.wide).epsilon(1e-5).scale(1.0));
  CHECK(learned == doctest::Approx(e.learned).epsilon(1e-5).scale(1.0));
  CHECK(e.logit == doctest::Approx(e.bias + e.wide + e.learned + e.deep).epsilon(1e-6).scale(1.0));
  // The parts add up to the logit the session scores.
  CHECK(e.logit == doctest::Approx(logit_of(score)).epsilon(2e-4).scale(1.0));
  // Integrated gradients: complete up to the reported integration error,
  // which 64 midpoints keep small.
  CHECK(attributed + static_cast<double>(e.integration_error) ==
        doctest::Approx(static_cast<double>(e.deep - e.deep_baseline)).epsilon(1e-4).scale(1.0));
  CHECK(std::fabs(e.integration_error) <= 0.02f * (std::fabs(e.deep - e.deep_baseline) + 0.05f));
}

void explain_many(const ModelSpec& spec, const WriteOptions& options, bool learn) {
  Opened o(spec, options);
  barista_model_info info;
  barista_model_get_info(o.model, &info);
  barista_overlay* overlay = nullptr;
  if (learn) {
    REQUIRE(barista_overlay_open(o.model, nullptr, nullptr, &overlay, nullptr) == BARISTA_STATUS_OK);
    REQUIRE(barista_session_set_overlay(o.session, overlay) == BARISTA_STATUS_OK);
  }
  bool some_learned = false;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    barista_request* request = make_request(spec, o.model, random_request(spec, seed));
    if (learn) {
      // Learning needs a user id; anonymous requests just score.
      for (uint32_t item = 0; item < 3; ++item) {
        const barista_status s = barista_overlay_observe(overlay, request, item, 1.0f, 1.0f);
        CHECK((s == BARISTA_STATUS_OK || s == BARISTA_STATUS_INVALID_ARGUMENT));
      }
    }
    for (uint32_t item : {0u, 1u, static_cast<uint32_t>(info.item_count - 1)}) {
      CAPTURE(seed);
      CAPTURE(item);
      float score = 0;
      REQUIRE(barista_session_score(o.session, request, &item, 1, &score, 1) == BARISTA_STATUS_OK);
      barista_explanation e = explanation();
      REQUIRE(barista_session_explain(o.session, request, item, &e) == BARISTA_STATUS_OK);
      check_adds_up(e, score);
      some_learned = some_learned || e.learned != 0.0f;
    }
    barista_item* described = make_item(spec, o.model, random_item(spec, seed));
    float score = 0;
    REQUIRE(barista_session_score_items(o.session, request, &described, 1, &score, 1) == BARISTA_STATUS_OK);
    barista_explanation e = explanation();
    REQUIRE(barista_session_explain_item(o.session, request, described, &e) == BARISTA_STATUS_OK);
    check_adds_up(e, score);
    barista_item_free(described);
    barista_request_free(request);
  }
  CHECK(some_learned == learn);
  if (overlay != nullptr) barista_overlay_free(overlay);
}

}  // namespace

TEST_CASE("explanations add up to the session's logit on every test model kind, with and without learning") {
  for (bool learn : {false, true}) {
    CAPTURE(learn);
    explain_many(random_test_model(3), WriteOptions(), learn);
    TestModelOptions int_ids;
    int_ids.integer_item_ids = true;
    int_ids.positions = false;
    explain_many(random_test_model(4, int_ids), WriteOptions(), learn);
    TestModelOptions quantized;
    quantized.embedding_dtype = fb::DType::Int8Rowwise;
    quantized.wide_dtype = fb::DType::F16;
    WriteOptions int8;
    int8.embedding_dtype = fb::DType::Int8Rowwise;
    explain_many(random_test_model(5, quantized), int8, learn);
    TestModelOptions deeper;
    deeper.hidden = {32, 16, 8};
    explain_many(random_test_model(6, deeper), WriteOptions(), learn);
    // The history's slice comes from a sequence encoder: integrated
    // gradients attribute its output like any other slice.
    TestModelOptions sequence;
    sequence.sequence_blocks = 2;
    explain_many(random_test_model(7, sequence), WriteOptions(), learn);
  }
}

TEST_CASE("integrated gradients are exact when the deep part is linear") {
  TestModelOptions linear;
  linear.hidden = {};
  const ModelSpec spec = random_test_model(9, linear);
  Opened o(spec, WriteOptions());
  for (uint64_t seed = 0; seed < 8; ++seed) {
    barista_request* request = make_request(spec, o.model, random_request(spec, seed));
    barista_explanation e = explanation();
    REQUIRE(barista_session_explain(o.session, request, 2, &e) == BARISTA_STATUS_OK);
    CHECK(std::fabs(e.integration_error) <= 1e-5f * (1.0f + std::fabs(e.deep)));
    barista_request_free(request);
  }
}

TEST_CASE("explanations name what fired: items, crosses, buckets, the customer, numbers") {
  Coffee coffee;
  barista_session* session = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  barista_request* request = nullptr;
  REQUIRE(barista_request_create(coffee.model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, "alice", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_add_string(request, "basket", "croissant", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_number(request, "hour", 9) == BARISTA_STATUS_OK);
  const uint32_t cappuccino = coffee.item("cappuccino");
  barista_explanation e = explanation();
  REQUIRE(barista_session_explain(session, request, cappuccino, &e) == BARISTA_STATUS_OK);
  auto has = [&](const std::string& term, const std::string& value) {
    for (size_t i = 0; i < e.wide_term_count; ++i) {
      if (term == e.wide_terms[i].term && value == e.wide_terms[i].value) return true;
    }
    return false;
  };
  // The coffee model's terms, each with what fired it for alice, a
  // croissant in her basket, at 9:00 (hour buckets at 11, 14, 17).
  CHECK(e.wide_term_count == 6);
  CHECK(has("basket_x_item", "croissant \u00d7 cappuccino"));
  CHECK(has("hour_x_category", "hour < 11 \u00d7 espresso"));
  CHECK(has("category", "espresso"));
  CHECK(has("price", "price = 3.2"));
  CHECK(has("user_x_category", "this customer \u00d7 espresso"));
  CHECK(has("user_x_flavor", "this customer \u00d7 milky"));
  float score = 0;
  REQUIRE(barista_session_score(session, request, &cappuccino, 1, &score, 1) == BARISTA_STATUS_OK);
  check_adds_up(e, score);

  // Misuse.
  barista_explanation unset{};
  CHECK(barista_session_explain(session, request, cappuccino, &unset) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("struct_size") != std::string::npos);
  CHECK(barista_session_explain(session, request, cappuccino, nullptr) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_explain(session, request, static_cast<uint32_t>(coffee.items()), &e) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("out of range") != std::string::npos);
  CHECK(barista_session_explain(session, nullptr, cappuccino, &e) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_explain_item(session, request, nullptr, &e) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_explain(nullptr, request, cappuccino, &e) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_request_free(request);
  barista_session_free(session);
}
