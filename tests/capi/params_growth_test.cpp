// Params structs that grow (barista.h, "Parameter structs, and how they
// grow"): a host compiled against an older barista.h, whose structs end
// sooner, a host compiled against a newer one, and a struct_size never set.
//
// An older host is played by a copy of a struct without its last fields,
// followed in memory by a value the library would refuse (or notice) if it
// read past the host's struct_size.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "barista.h"
#include "samples/coffee_model.h"
#include "support/coffee_handle.h"
#include "support/test_models.h"

using namespace barista_test;

namespace {

bool contains(const char* text, const char* part) { return std::string(text).find(part) != std::string::npos; }

// barista_open_params without `kernels`.
struct OlderOpenParams {
  size_t struct_size;
  uint32_t flags;
};
struct OlderOpenHost {
  OlderOpenParams params;
  const char* after;  // where this library's `kernels` is
};
static_assert(offsetof(OlderOpenHost, after) == offsetof(barista_open_params, kernels), "layout");

// barista_recommend_params without `precision`.
struct OlderRecommendParams {
  size_t struct_size;
  size_t k;
  const uint32_t* candidates;
  size_t candidate_count;
  const uint32_t* exclude;
  size_t exclude_count;
  const barista_item* const* extra_items;
  size_t extra_item_count;
};
struct OlderRecommendHost {
  OlderRecommendParams params;
  uint32_t after;  // where this library's `precision` is
};
static_assert(offsetof(OlderRecommendHost, after) == offsetof(barista_recommend_params, precision), "layout");

// barista_overlay_params without `shown_weight` and `flags` (the struct
// without `flags` alone would end in padding where `flags` is).
struct OlderOverlayParams {
  size_t struct_size;
  size_t memory_limit;
  float learning_rate;
  float beta;
  float l1;
  float l2;
};
struct OlderOverlayHost {
  OlderOverlayParams params;
  float after;  // where this library's `shown_weight` is
};
static_assert(offsetof(OlderOverlayHost, after) == offsetof(barista_overlay_params, shown_weight), "layout");

// A host built against a later barista.h, with one more field.
template <class Params>
struct Newer {
  Params params;
  uint64_t added;
};

barista_status open_with(const Coffee& coffee, const void* params, barista_model** model, barista_error* error) {
  return barista_model_open_buffer(coffee.bytes.data(), coffee.bytes.size(),
                                   static_cast<const barista_open_params*>(params), model, error);
}

}  // namespace

TEST_CASE("params: the default params carry the size of the struct the host was compiled with") {
  CHECK(barista_open_default_params().struct_size == sizeof(barista_open_params));
  CHECK(barista_recommend_default_params().struct_size == sizeof(barista_recommend_params));
  CHECK(barista_overlay_default_params().struct_size == sizeof(barista_overlay_params));
  CHECK(barista_recommend_default_params().k == 10);

  // _init writes within the host's struct_size only, zeroes what it does
  // not know, and refuses sizes the library would refuse.
  alignas(barista_recommend_params) unsigned char memory[2 * sizeof(barista_recommend_params)];
  std::memset(memory, 0xab, sizeof memory);
  auto* params = reinterpret_cast<barista_recommend_params*>(memory);
  REQUIRE(barista_recommend_params_init(params, sizeof(OlderRecommendParams)) == BARISTA_STATUS_OK);
  CHECK(params->struct_size == sizeof(OlderRecommendParams));
  CHECK(params->k == 10);
  CHECK(params->candidates == nullptr);
  CHECK(memory[sizeof(OlderRecommendParams)] == 0xab);
  Newer<barista_recommend_params> newer;
  std::memset(&newer, 0xab, sizeof newer);
  REQUIRE(barista_recommend_params_init(&newer.params, sizeof newer) == BARISTA_STATUS_OK);
  CHECK(newer.params.struct_size == sizeof newer);
  CHECK(newer.added == 0);
  CHECK(barista_recommend_params_init(params, 0) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_recommend_params_init(params, sizeof(size_t)) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_recommend_params_init(nullptr, sizeof(barista_recommend_params)) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_open_params open;
  CHECK(barista_open_params_init(&open, BARISTA_PARAMS_MAX_SIZE + 1) == BARISTA_STATUS_INVALID_ARGUMENT);
  barista_overlay_params overlay;
  CHECK(barista_overlay_params_init(&overlay, 4) == BARISTA_STATUS_INVALID_ARGUMENT);
}

TEST_CASE("params: a host compiled against an older barista_open_params gets the default for the missing field") {
  Coffee coffee;
  OlderOpenHost host;
  host.params.struct_size = sizeof host.params;
  host.params.flags = BARISTA_OPEN_VERIFY_FULL;
  host.after = "reference";
  barista_model* model = nullptr;
  barista_error error;
  REQUIRE(open_with(coffee, &host.params, &model, &error) == BARISTA_STATUS_OK);
  barista_model_info info;
  REQUIRE(barista_model_get_info(model, &info) == BARISTA_STATUS_OK);
  // The default, "auto", which is never the reference on the CPUs the
  // tests run on (x86-64 has SSE4.2 at least, 64-bit ARM NEON).
  CHECK(std::string(info.kernels) != "reference");
  barista_model_free(model);

  // The fields it has are read.
  host.params.flags = 0x80;
  CHECK(open_with(coffee, &host.params, &model, &error) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(contains(error.message, "flags"));
}

TEST_CASE("params: a host compiled against an older barista_recommend_params gets the default for the missing field") {
  Coffee coffee;
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_create(coffee.model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, "alice", BARISTA_STRLEN) == BARISTA_STATUS_OK);

  barista_recommend_params current = barista_recommend_default_params();
  current.k = 3;
  barista_recommendation expected[3];
  size_t expected_count = 0;
  REQUIRE(barista_session_recommend(session, request, &current, expected, 3, &expected_count) == BARISTA_STATUS_OK);

  OlderRecommendHost host;
  std::memset(&host, 0, sizeof host);
  host.params.struct_size = sizeof host.params;
  host.params.k = 3;
  host.after = 7;  // not a precision: refused if it were read
  barista_recommendation top[3];
  size_t count = 0;
  REQUIRE(barista_session_recommend(session, request, reinterpret_cast<const barista_recommend_params*>(&host.params),
                                    top, 3, &count) == BARISTA_STATUS_OK);
  REQUIRE(count == expected_count);
  for (size_t i = 0; i < count; ++i) {
    CHECK(top[i].item == expected[i].item);
    CHECK(top[i].score == expected[i].score);
  }

  // Pointer and count are read together, and honoured.
  const uint32_t exclude = expected[0].item;
  host.params.exclude = &exclude;
  host.params.exclude_count = 1;
  REQUIRE(barista_session_recommend(session, request, reinterpret_cast<const barista_recommend_params*>(&host.params),
                                    top, 3, &count) == BARISTA_STATUS_OK);
  CHECK(top[0].item == expected[1].item);

  barista_request_free(request);
  barista_session_free(session);
}

TEST_CASE("params: a host compiled against an older barista_overlay_params gets the defaults for the missing fields") {
  Coffee coffee;
  OlderOverlayHost host;
  std::memset(&host, 0, sizeof host);
  const barista_overlay_params defaults = barista_overlay_default_params();
  host.params.struct_size = sizeof host.params;
  host.params.memory_limit = 64 << 10;
  host.params.learning_rate = defaults.learning_rate;
  host.params.beta = defaults.beta;
  host.params.l1 = defaults.l1;
  host.params.l2 = defaults.l2;
  host.after = -1.0f;  // not a shown_weight: refused if it were read
  barista_overlay* overlay = nullptr;
  barista_error error;
  REQUIRE(barista_overlay_open(coffee.model, nullptr, reinterpret_cast<const barista_overlay_params*>(&host.params),
                               &overlay, &error) == BARISTA_STATUS_OK);
  barista_overlay_stats stats;
  REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
  barista_overlay_free(overlay);

  barista_overlay_params current = defaults;
  current.memory_limit = 64 << 10;
  REQUIRE(barista_overlay_open(coffee.model, nullptr, &current, &overlay, &error) == BARISTA_STATUS_OK);
  barista_overlay_stats expected;
  REQUIRE(barista_overlay_get_stats(overlay, &expected) == BARISTA_STATUS_OK);
  barista_overlay_free(overlay);
  CHECK(stats.capacity == expected.capacity);  // memory_limit was read
  CHECK(stats.capacity < defaults.memory_limit / 67);
}

TEST_CASE("params: a struct_size never set is refused, with a message") {
  Coffee coffee;
  barista_model* model = nullptr;
  barista_error error;
  barista_open_params open = barista_open_default_params();
  for (size_t size : {size_t{0}, sizeof(size_t), size_t{BARISTA_PARAMS_MAX_SIZE + 1}, size_t{0xabababab}}) {
    CAPTURE(size);
    open.struct_size = size;
    CHECK(open_with(coffee, &open, &model, &error) == BARISTA_STATUS_INVALID_ARGUMENT);
    CHECK(contains(error.message, "struct_size"));
    CHECK(contains(error.message, "barista_open_default_params()"));
  }
  CHECK(model == nullptr);

  barista_session* session = nullptr;
  barista_request* request = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_create(coffee.model, &request) == BARISTA_STATUS_OK);
  barista_recommend_params recommend = barista_recommend_default_params();
  recommend.struct_size = 0;
  barista_recommendation top[10];
  size_t count = 99;
  CHECK(barista_session_recommend(session, request, &recommend, top, 10, &count) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(contains(barista_session_last_error(session), "barista_recommend_params.struct_size is 0"));
  CHECK(count == 99);
  recommend.struct_size = sizeof(size_t);  // struct_size alone: not even k
  CHECK(barista_session_recommend(session, request, &recommend, top, 10, &count) == BARISTA_STATUS_INVALID_ARGUMENT);

  barista_overlay* overlay = nullptr;
  barista_overlay_params overlay_params = barista_overlay_default_params();
  overlay_params.struct_size = 0;
  CHECK(barista_overlay_open(coffee.model, nullptr, &overlay_params, &overlay, &error) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(contains(error.message, "barista_overlay_params.struct_size is 0"));
  CHECK(overlay == nullptr);

  barista_request_free(request);
  barista_session_free(session);
}

TEST_CASE("params: a host compiled against a newer barista.h: accepted while the fields it adds are zero") {
  Coffee coffee;
  barista_model* model = nullptr;
  barista_error error;
  Newer<barista_open_params> open;
  REQUIRE(barista_open_params_init(&open.params, sizeof open) == BARISTA_STATUS_OK);
  CHECK(open_with(coffee, &open.params, &model, &error) == BARISTA_STATUS_OK);
  barista_model_free(model);
  model = nullptr;
  open.added = 1;
  CHECK(open_with(coffee, &open.params, &model, &error) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(contains(error.message, "built against a newer barista"));
  CHECK(model == nullptr);

  barista_session* session = nullptr;
  barista_request* request = nullptr;
  REQUIRE(barista_session_create(coffee.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_create(coffee.model, &request) == BARISTA_STATUS_OK);
  Newer<barista_recommend_params> recommend;
  REQUIRE(barista_recommend_params_init(&recommend.params, sizeof recommend) == BARISTA_STATUS_OK);
  recommend.params.k = 3;
  barista_recommendation top[3];
  size_t count = 0;
  CHECK(barista_session_recommend(session, request, &recommend.params, top, 3, &count) == BARISTA_STATUS_OK);
  CHECK(count == 3);
  recommend.added = uint64_t{1} << 63;
  CHECK(barista_session_recommend(session, request, &recommend.params, top, 3, &count) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(contains(barista_session_last_error(session), "built against a newer barista"));

  barista_overlay* overlay = nullptr;
  Newer<barista_overlay_params> overlay_params;
  REQUIRE(barista_overlay_params_init(&overlay_params.params, sizeof overlay_params) == BARISTA_STATUS_OK);
  REQUIRE(barista_overlay_open(coffee.model, nullptr, &overlay_params.params, &overlay, &error) == BARISTA_STATUS_OK);
  barista_overlay_free(overlay);
  overlay = nullptr;
  overlay_params.added = 2;
  CHECK(barista_overlay_open(coffee.model, nullptr, &overlay_params.params, &overlay, &error) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(contains(error.message, "built against a newer barista"));
  CHECK(overlay == nullptr);

  barista_request_free(request);
  barista_session_free(session);
}
