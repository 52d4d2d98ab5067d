// Fuzz target: a model from arbitrary bytes, then everything a host does
// with it (inspect, recommend, score, learn, verify), each scoring call twice.
// Any crash, hang or sanitizer report is a bug, and so is a repeated call
// whose status differs from the first; statuses themselves are fine.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "barista.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  barista_model* model = nullptr;
  barista_open_params params = barista_open_default_params();
  if (barista_model_open_buffer(data, size, &params, &model, nullptr) != BARISTA_STATUS_OK) return 0;

  barista_model_info info;
  barista_model_get_info(model, &info);
  for (size_t i = 0; i < info.input_count; ++i) {
    barista_input_info input;
    barista_model_get_input(model, i, &input);
  }
  char id[128];
  for (uint32_t i = 0; i < info.item_count && i < 64; ++i) barista_model_get_item_id(model, i, id, sizeof id, nullptr);

  barista_session* session = nullptr;
  barista_request* request = nullptr;
  barista_item* item = nullptr;
  barista_session_create(model, &session);
  barista_request_create(model, &request);
  barista_item_create(model, &item);
  // Give every input a value of its kind.
  for (size_t i = 0; i < info.input_count; ++i) {
    barista_input_info input;
    if (barista_model_get_input(model, i, &input) != BARISTA_STATUS_OK) continue;
    if (input.source == BARISTA_SOURCE_ITEM) {
      if (input.kind == BARISTA_VALUE_NUMERIC)
        barista_item_set_number(item, input.name, 1.5);
      else
        barista_item_add_string(item, input.name, "v1", 2);
    } else {
      if (input.kind == BARISTA_VALUE_NUMERIC)
        barista_request_set_number(request, input.name, 7.0);
      else
        barista_request_add_string(request, input.name, "v1", 2),
            barista_request_add_string(request, input.name, "item-1", 6);
    }
  }
  // Every call twice on the same objects: a host retries after an error,
  // and the retry must give the same status (a failed call once left a
  // half-built cache behind, and the second call crashed on it).
  auto same_twice = [](auto&& call) {
    const barista_status first = call();
    if (call() != first) __builtin_trap();
  };
  barista_recommend_params recommend = barista_recommend_default_params();
  const barista_item* extra[] = {item};
  recommend.extra_items = extra;
  recommend.extra_item_count = 1;
  barista_recommendation top[10];
  size_t count = 0;
  std::vector<uint32_t> items;
  for (uint32_t i = 0; i < info.item_count && i < 16; ++i) items.push_back(i);
  std::vector<float> scores(items.size() + 1);
  auto score_everything = [&] {
    for (uint32_t precision : {BARISTA_PRECISION_EXACT, BARISTA_PRECISION_INT8_SHORTLIST}) {
      recommend.precision = precision;
      same_twice([&] { return barista_session_recommend(session, request, &recommend, top, 10, &count); });
    }
    same_twice([&] {
      return barista_session_score(session, request, items.data(), items.size(), scores.data(), scores.size());
    });
    same_twice([&] { return barista_session_score_items(session, request, extra, 1, scores.data(), scores.size()); });
  };
  score_everything();

  // Learning on the device, and scoring with what was learned.
  barista_overlay* overlay = nullptr;
  if (barista_overlay_open(model, nullptr, nullptr, &overlay, nullptr) == BARISTA_STATUS_OK) {
    if (!items.empty()) {
      barista_overlay_observe(overlay, request, items.back(), 1.0f, 1.0f);
      barista_overlay_observe_shown(overlay, request, items.data(), items.size(), items[0]);
    }
    barista_overlay_observe_item(overlay, request, item, 1.0f, 1.0f);
    barista_session_set_overlay(session, overlay);
    score_everything();
    barista_overlay_free(overlay);
  }
  barista_model_verify(model, nullptr);

  barista_item_free(item);
  barista_request_free(request);
  barista_session_free(session);
  barista_model_free(model);
  return 0;
}
