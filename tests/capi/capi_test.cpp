// The C API's contract: statuses, messages, ownership and misuse.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>

#include "barista.h"
#include "kernels/dispatch.h"
#include "samples/coffee_model.h"
#include "samples/random_model.h"
#include "support/coffee_handle.h"
#include "support/test_models.h"

using namespace barista_test;

TEST_CASE("versions and status names") {
  CHECK(std::string(barista_version()) == BARISTA_VERSION_STRING);
  CHECK(barista_version_number() == BARISTA_VERSION_NUMBER);
  std::set<std::string> names;
  int count = 0;
  for (int s = 0; barista_status_name(static_cast<barista_status>(s)) != nullptr; ++s, ++count) {
    const std::string name = barista_status_name(static_cast<barista_status>(s));
    CHECK(name.rfind("BARISTA_STATUS_", 0) == 0);
    names.insert(name);
    CHECK(std::strlen(barista_status_describe(static_cast<barista_status>(s))) > 0);
  }
  CHECK(count == BARISTA_STATUS_WRONG_MODEL + 1);
  CHECK(names.size() == static_cast<size_t>(count));
  CHECK(std::string(barista_status_name(BARISTA_STATUS_CORRUPT_MODEL)) == "BARISTA_STATUS_CORRUPT_MODEL");
  CHECK(barista_status_name(static_cast<barista_status>(-1)) == nullptr);
  CHECK(std::string(barista_status_describe(static_cast<barista_status>(999))) == "unknown status");
}

TEST_CASE("opening: bad arguments and bad bytes give a status and a message; outputs stay untouched") {
  barista_model* model = reinterpret_cast<barista_model*>(0x1);  // sentinel: must not change
  barista_error error;
  CHECK(barista_model_open_file(nullptr, nullptr, &model, &error) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(error.status == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(error.message).find("NULL") != std::string::npos);
  CHECK(barista_model_open_file("/does/not/exist", nullptr, &model, &error) == BARISTA_STATUS_IO_ERROR);
  CHECK(std::string(error.message).find("/does/not/exist") != std::string::npos);
  const char junk[] = "definitely not a model file";
  CHECK(barista_model_open_buffer(junk, sizeof junk, nullptr, &model, nullptr) == BARISTA_STATUS_NOT_A_MODEL);
  CHECK(barista_model_open_buffer(nullptr, 10, nullptr, &model, &error) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_model_open_buffer(junk, sizeof junk, nullptr, nullptr, &error) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(model == reinterpret_cast<barista_model*>(0x1));

  Coffee demo;
  barista_open_params params = barista_open_default_params();
  params.kernels = "reference";
  params.flags = BARISTA_OPEN_VERIFY_FULL;
  barista_model* forced = nullptr;
  REQUIRE(barista_model_open_buffer(demo.bytes.data(), demo.bytes.size(), &params, &forced, &error) ==
          BARISTA_STATUS_OK);
  barista_model_info info;
  REQUIRE(barista_model_get_info(forced, &info) == BARISTA_STATUS_OK);
  CHECK(std::string(info.kernels) == "reference");
  barista_model_free(forced);
  params.kernels = "warp-drive";
  CHECK(barista_model_open_buffer(demo.bytes.data(), demo.bytes.size(), &params, &forced, &error) ==
        BARISTA_STATUS_UNSUPPORTED);
  CHECK(std::string(error.message).find("warp-drive") != std::string::npos);
  CHECK(barista_model_verify(demo.model, &error) == BARISTA_STATUS_OK);
}

TEST_CASE("looking into a model: info, inputs, items") {
  Coffee demo;
  barista_model_info info;
  REQUIRE(barista_model_get_info(demo.model, &info) == BARISTA_STATUS_OK);
  CHECK(std::string(info.name) == "coffee-shop-demo");
  CHECK(info.item_count == 22);
  CHECK(info.input_count == 7);
  CHECK(info.format_major == 1);  // the coffee model uses nothing of format 2
  CHECK(info.file_size == demo.bytes.size());
  CHECK(std::string(barista_model_user_input(demo.model)) == "user_id");
  barista_input_info input;
  REQUIRE(barista_model_get_input(demo.model, 1, &input) == BARISTA_STATUS_OK);
  CHECK(std::string(input.name) == "basket");
  CHECK(input.multivalent == 1);
  CHECK(input.max_values == 20);
  CHECK(barista_model_get_input(demo.model, 7, &input) == BARISTA_STATUS_INVALID_ARGUMENT);

  uint32_t index = 99;
  CHECK(barista_model_find_item(demo.model, "latte", BARISTA_STRLEN, &index) == BARISTA_STATUS_OK);
  CHECK(index == 3);
  CHECK(barista_model_find_item(demo.model, "latte macchiato", 5, &index) == BARISTA_STATUS_OK);  // "latte"
  CHECK(barista_model_find_item(demo.model, "tea", BARISTA_STRLEN, &index) == BARISTA_STATUS_NOT_FOUND);
  CHECK(barista_model_find_item_int64(demo.model, 42, &index) == BARISTA_STATUS_NOT_FOUND);
  CHECK(barista_model_find_item(demo.model, nullptr, 3, &index) == BARISTA_STATUS_INVALID_ARGUMENT);

  char buffer[64];
  size_t length = 0;
  REQUIRE(barista_model_get_item_id(demo.model, 5, buffer, sizeof buffer, &length) == BARISTA_STATUS_OK);
  CHECK(std::string(buffer) == "dark chocolate mocha");
  CHECK(length == 20);
  CHECK(barista_model_get_item_id(demo.model, 5, buffer, 20, &length) == BARISTA_STATUS_BUFFER_TOO_SMALL);
  CHECK(length == 20);
  CHECK(barista_model_get_item_id(demo.model, 5, nullptr, 0, &length) == BARISTA_STATUS_BUFFER_TOO_SMALL);
  CHECK(barista_model_get_item_id(demo.model, 22, buffer, sizeof buffer, &length) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_model_get_item_id(demo.model, 5, nullptr, 10, &length) == BARISTA_STATUS_INVALID_ARGUMENT);
}

TEST_CASE("integer catalogs are searched by number and by decimal text") {
  TestModelOptions options;
  options.integer_item_ids = true;
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(random_test_model(5, options), WriteOptions(), &bytes).ok());
  barista_model* model = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
  uint32_t index = 0;
  CHECK(barista_model_find_item_int64(model, -193, &index) == BARISTA_STATUS_OK);  // 7 * 1 - 200
  CHECK(index == 1);
  CHECK(barista_model_find_item(model, "-193", BARISTA_STRLEN, &index) == BARISTA_STATUS_OK);
  CHECK(barista_model_find_item(model, "-0193", BARISTA_STRLEN, &index) == BARISTA_STATUS_OK);
  CHECK(barista_model_find_item(model, "x", BARISTA_STRLEN, &index) == BARISTA_STATUS_NOT_FOUND);
  CHECK(barista_model_find_item(model, "", BARISTA_STRLEN, &index) == BARISTA_STATUS_NOT_FOUND);
  char buffer[32];
  REQUIRE(barista_model_get_item_id(model, 1, buffer, sizeof buffer, nullptr) == BARISTA_STATUS_OK);
  CHECK(std::string(buffer) == "-193");
  barista_model_free(model);
}

TEST_CASE("requests and items: statuses and messages for misuse") {
  Coffee demo;
  barista_request* request = nullptr;
  REQUIRE(barista_request_create(demo.model, &request) == BARISTA_STATUS_OK);
  CHECK(std::string(barista_request_last_error(request)).empty());
  CHECK(barista_request_add_string(request, "colour", "red", BARISTA_STRLEN) == BARISTA_STATUS_NOT_FOUND);
  CHECK(std::string(barista_request_last_error(request)).find("no input 'colour'") != std::string::npos);
  CHECK(barista_request_add_string(request, "category", "tea", BARISTA_STRLEN) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_set_number(request, "hour", NAN) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_set_number(request, "hour", INFINITY) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_add_string(request, nullptr, "x", 1) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_add_string(request, "basket", nullptr, 1) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_set_user(request, nullptr, 3) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_set_number(request, "hour", 8) == BARISTA_STATUS_OK);
  CHECK(std::string(barista_request_last_error(request)).empty());  // cleared by success
  CHECK(barista_request_add_int64(request, "basket", 7) == BARISTA_STATUS_OK);
  for (int i = 0; i < 19; ++i) REQUIRE(barista_request_add_string(request, "basket", "latte", 5) == BARISTA_STATUS_OK);
  CHECK(barista_request_add_string(request, "basket", "latte", 5) == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(barista_request_clear(request) == BARISTA_STATUS_OK);
  CHECK(barista_request_add_string(request, "basket", "latte", 5) == BARISTA_STATUS_OK);

  barista_item* item = nullptr;
  REQUIRE(barista_item_create(demo.model, &item) == BARISTA_STATUS_OK);
  CHECK(barista_item_add_string(item, "basket", "x", 1) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_item_last_error(item)).find("describes the user or context") != std::string::npos);
  CHECK(barista_item_set_number(item, "price", 4.5) == BARISTA_STATUS_OK);

  // A handle of the wrong type is refused, not used.
  CHECK(barista_item_add_string(reinterpret_cast<barista_item*>(request), "category", "tea", 3) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_clear(reinterpret_cast<barista_request*>(item)) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_create(reinterpret_cast<barista_model*>(item), &request) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_request_add_string(nullptr, "basket", "x", 1) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_request_last_error(nullptr)) == "invalid handle");
  barista_item_free(item);
  barista_request_free(request);
  barista_request_free(nullptr);
  barista_item_free(nullptr);
  barista_session_free(nullptr);
  barista_model_free(nullptr);
}

TEST_CASE("sessions: scores, recommendations and their misuse") {
  Coffee demo;
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  REQUIRE(barista_session_create(demo.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_create(demo.model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, "alice", BARISTA_STRLEN) == BARISTA_STATUS_OK);

  barista_recommendation top[5];
  size_t count = 0;
  barista_recommend_params params = barista_recommend_default_params();
  CHECK(params.k == 10);
  params.k = 5;
  REQUIRE(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_OK);
  REQUIRE(count == 5);
  CHECK(top[0].item == demo.item("dark chocolate mocha"));
  // The scores recommend reports are the ones score reports.
  uint32_t items[5];
  float scores[5];
  for (int i = 0; i < 5; ++i) items[i] = top[i].item;
  REQUIRE(barista_session_score(session, request, items, 5, scores, 5) == BARISTA_STATUS_OK);
  for (int i = 0; i < 5; ++i) CHECK(scores[i] == top[i].score);
  for (int i = 1; i < 5; ++i) CHECK(top[i - 1].score >= top[i].score);

  // Exclusions and candidates.
  const uint32_t mocha = demo.item("dark chocolate mocha");
  params.exclude = &mocha;
  params.exclude_count = 1;
  REQUIRE(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_OK);
  for (size_t i = 0; i < count; ++i) CHECK(top[i].item != mocha);
  const uint32_t pair[] = {demo.item("latte"), demo.item("croissant"), demo.item("latte")};
  params.exclude_count = 0;
  params.candidates = pair;
  params.candidate_count = 3;
  REQUIRE(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_OK);
  CHECK(count == 2);           // duplicates count once
  params.candidate_count = 0;  // an empty candidate list: nothing to rank
  REQUIRE(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_OK);
  CHECK(count == 0);

  // Misuse.
  params = barista_recommend_default_params();
  CHECK(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_BUFFER_TOO_SMALL);
  CHECK(std::string(barista_session_last_error(session)).find("k is 10") != std::string::npos);
  CHECK(barista_session_recommend(session, nullptr, nullptr, top, 5, &count) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("request") != std::string::npos);
  params.k = 3;
  params.precision = 7;
  CHECK(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("precision 7") != std::string::npos);
  params.precision = BARISTA_PRECISION_INT8_SHORTLIST;  // the coffee model has one hidden layer: exact
  REQUIRE(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_OK);
  CHECK(count == 3);
  params.precision = BARISTA_PRECISION_EXACT;
  params.candidate_count = 2;  // with a NULL list
  CHECK(barista_session_recommend(session, request, &params, top, 5, &count) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_recommend(session, request, nullptr, top, 10, nullptr) == BARISTA_STATUS_INVALID_ARGUMENT);
  const uint32_t out_of_range = 22;
  CHECK(barista_session_score(session, request, &out_of_range, 1, scores, 5) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("22") != std::string::npos);
  CHECK(barista_session_score(session, request, items, 5, scores, 4) == BARISTA_STATUS_BUFFER_TOO_SMALL);
  CHECK(barista_session_score(session, request, nullptr, 5, scores, 5) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_score(session, request, items, 0, nullptr, 0) == BARISTA_STATUS_OK);
  CHECK(barista_session_score(reinterpret_cast<barista_session*>(request), request, items, 1, scores, 1) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_score(session, reinterpret_cast<barista_request*>(session), items, 1, scores, 1) ==
        BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(barista_session_create(nullptr, &session) == BARISTA_STATUS_INVALID_ARGUMENT);

  barista_request_free(request);
  barista_session_free(session);
}

TEST_CASE("int8 shortlist: used where the kernels have a vector int8 product, elsewhere ranked exactly") {
  // A model on which the int8 layers see nothing: the first hidden unit's
  // bias (1e4) dwarfs the others and the next layer gives it zero weight,
  // so the exact logits ignore it while each row's u8 scale is set by it.
  // The other units quantize to 0 and every item gets the same int8 score;
  // with no wide weights, the shortlist is the first max(4k, k + 50) items
  // in catalog order, while the deep part ranks the exact way.
  ModelSpec spec = random_test_model(74, TestModelOptions{400, false, {16, 8}});
  spec.layers[0].bias[0] = 1e4f;
  for (uint32_t j = 0; j < spec.layers[1].out; ++j) spec.layers[1].weights[j] = 0.0f;  // row 0 of [in x out]
  for (WideTermSpec& term : spec.wide) std::fill(term.weights.begin(), term.weights.end(), 0.0f);
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(spec, WriteOptions(), &bytes).ok());
  const CpuFeatures cpu = detect_cpu_features();
  int int8_variants = 0;
  for (const KernelTable* table : all_kernel_tables()) {
    if (!cpu_supports(cpu, table->isa)) continue;
    INFO("kernels: " << std::string(table->isa));
    barista_open_params open = barista_open_default_params();
    open.kernels = table->isa;
    barista_model* model = nullptr;
    REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), &open, &model, nullptr) == BARISTA_STATUS_OK);
    barista_session* session = nullptr;
    barista_request* request = nullptr;
    REQUIRE(barista_session_create(model, &session) == BARISTA_STATUS_OK);
    REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
    int differ = 0;
    for (int r = 0; r < 20; ++r) {
      REQUIRE(barista_request_clear(request) == BARISTA_STATUS_OK);
      const std::string user = "customer-" + std::to_string(r);
      REQUIRE(barista_request_set_user(request, user.c_str(), BARISTA_STRLEN) == BARISTA_STATUS_OK);
      REQUIRE(barista_request_set_number(request, spec.inputs[kHour].name.c_str(), r % 24) == BARISTA_STATUS_OK);
      barista_recommend_params params = barista_recommend_default_params();
      params.k = 1;
      barista_recommendation exact[1], int8[1];
      size_t count = 0;
      REQUIRE(barista_session_recommend(session, request, &params, exact, 1, &count) == BARISTA_STATUS_OK);
      params.precision = BARISTA_PRECISION_INT8_SHORTLIST;
      REQUIRE(barista_session_recommend(session, request, &params, int8, 1, &count) == BARISTA_STATUS_OK);
      differ += exact[0].item != int8[0].item;
    }
    if (table->int8_product) {
      CHECK(differ > 0);  // the int8 layers chose the shortlist, and missed
      ++int8_variants;
    } else {
      CHECK(differ == 0);  // ranked exactly
    }
    barista_request_free(request);
    barista_session_free(session);
    barista_model_free(model);
  }
#if defined(__aarch64__)
  CHECK(int8_variants == 1);  // neon
#endif
}

TEST_CASE("items not in the catalog: scored and ranked from their features") {
  Coffee demo;
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  barista_item* item = nullptr;
  REQUIRE(barista_session_create(demo.model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_create(demo.model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_item_create(demo.model, &item) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, "dave", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_item_add_string(item, "category", "espresso", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  REQUIRE(barista_item_add_string(item, "flavors", "spiced", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  float score = -1;
  const barista_item* items[] = {item};
  REQUIRE(barista_session_score_items(session, request, items, 1, &score, 1) == BARISTA_STATUS_OK);
  CHECK(score > 0.0f);
  CHECK(score < 1.0f);

  barista_recommend_params params = barista_recommend_default_params();
  params.k = 23;
  params.extra_items = items;
  params.extra_item_count = 1;
  barista_recommendation top[23];
  size_t count = 0;
  REQUIRE(barista_session_recommend(session, request, &params, top, 23, &count) == BARISTA_STATUS_OK);
  CHECK(count == 23);
  bool found = false;
  for (size_t i = 0; i < count; ++i) {
    if (top[i].item == 22) {
      found = true;
      CHECK(top[i].score == score);
    }
  }
  CHECK(found);
  const barista_item* bad[] = {item, nullptr};
  CHECK(barista_session_score_items(session, request, bad, 2, &score, 2) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("item 1") != std::string::npos);
  barista_item_free(item);
  barista_request_free(request);
  barista_session_free(session);
}

TEST_CASE("lifetimes: objects keep their model alive; a second free is ignored; models do not mix") {
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(barista::cli::make_coffee_model(), WriteOptions(), &bytes).ok());
  barista_model* model = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  REQUIRE(barista_session_create(model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  barista_model_free(model);  // the caller is done with it; the session is not
  barista_model_free(model);  // a second free by mistake: ignored while objects hold the model
  barista_recommendation top[3];
  size_t count = 0;
  barista_recommend_params params = barista_recommend_default_params();
  params.k = 3;
  CHECK(barista_session_recommend(session, request, &params, top, 3, &count) == BARISTA_STATUS_OK);
  CHECK(count == 3);

  barista_model* other = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &other, nullptr) == BARISTA_STATUS_OK);
  barista_request* foreign = nullptr;
  REQUIRE(barista_request_create(other, &foreign) == BARISTA_STATUS_OK);
  CHECK(barista_session_recommend(session, foreign, &params, top, 3, &count) == BARISTA_STATUS_INVALID_ARGUMENT);
  CHECK(std::string(barista_session_last_error(session)).find("another model") != std::string::npos);
  barista_request_free(foreign);
  barista_model_free(other);

  barista_request_free(request);
  barista_session_free(session);  // releases the model
}

TEST_CASE("linked with the static library, the host keeps libstdc++'s operator new (it throws; mimalloc's aborts)") {
  // libmimalloc exports operator new too; the static library's link
  // interface puts libstdc++ before it (src/CMakeLists.txt). Sanitizer
  // builds provide their own, in the executable.
  void* (*host_new)(size_t) = &::operator new;
  Dl_info info;
  REQUIRE(dladdr(reinterpret_cast<void*>(host_new), &info) != 0);
  REQUIRE(info.dli_fname != nullptr);
  CHECK_MESSAGE(std::string(info.dli_fname).find("mimalloc") == std::string::npos, info.dli_fname);
}

TEST_CASE("sessions hold only scratch: their memory grows neither with the catalog nor with other sessions") {
  // Two models of one shape that differ only in their catalogs' size. The
  // crosses of the M shape hash every item's id: 8 bytes per item and cross
  // in the serving index, once per model.
  size_t session_bytes[2] = {0, 0}, model_bytes[2] = {0, 0};
  const uint32_t items[2] = {500, 5000};
  for (int m = 0; m < 2; ++m) {
    barista::cli::ModelShape shape;
    REQUIRE(barista::cli::reference_shape("M", &shape));
    shape.items = items[m];
    std::vector<uint8_t> bytes;
    REQUIRE(write_model(barista::cli::make_random_model(shape, 3), WriteOptions(), &bytes).ok());
    barista_model* model = nullptr;
    REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
    barista_request* request = nullptr;
    REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
    REQUIRE(barista_request_set_user(request, "customer-1", BARISTA_STRLEN) == BARISTA_STATUS_OK);
    REQUIRE(barista_request_add_string(request, "recent_items", "item-3", BARISTA_STRLEN) == BARISTA_STATUS_OK);
    barista_session* sessions[3] = {};
    barista_recommend_params int8 = barista_recommend_default_params();
    int8.precision = BARISTA_PRECISION_INT8_SHORTLIST;
    barista_recommendation top[10];
    size_t count = 0;
    for (barista_session*& session : sessions) {
      REQUIRE(barista_session_create(model, &session) == BARISTA_STATUS_OK);
      REQUIRE(barista_session_recommend(session, request, nullptr, top, 10, &count) == BARISTA_STATUS_OK);
      REQUIRE(barista_session_recommend(session, request, &int8, top, 10, &count) == BARISTA_STATUS_OK);
    }
    session_bytes[m] = barista_session_memory_bytes(sessions[0]);
    CHECK(session_bytes[m] > 0);
    for (barista_session* session : sessions) CHECK(barista_session_memory_bytes(session) == session_bytes[m]);
    model_bytes[m] = barista_model_memory_bytes(model);
    for (barista_session* session : sessions) barista_session_free(session);
    barista_request_free(request);
    barista_model_free(model);
  }
  CHECK(session_bytes[1] == session_bytes[0]);
  CHECK(model_bytes[1] >= model_bytes[0] + size_t{items[1] - items[0]} * 2 * 8);
  CHECK(barista_session_memory_bytes(nullptr) == 0);
  CHECK(barista_model_memory_bytes(nullptr) == 0);
}
