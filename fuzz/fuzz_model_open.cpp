// Fuzz target: a model from arbitrary bytes, then everything a host does
// with it (inspect, recommend, score, learn, verify), each scoring call twice.
// Any crash, hang or sanitizer report is a bug, and so is a repeated call
// whose status differs from the first; statuses themselves are fine.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "barista.h"
#include "score_and_learn.h"

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
  std::vector<uint32_t> items;
  for (uint32_t i = 0; i < info.item_count && i < 16; ++i) items.push_back(i);
  score_and_learn(model, session, request, item, items);
  barista_model_verify(model, nullptr);

  barista_item_free(item);
  barista_request_free(request);
  barista_session_free(session);
  barista_model_free(model);
  return 0;
}
