// Fuzz target: the C API driven by a fuzzed sequence of calls and arguments
// against a valid model (fuzz/corpus/model_open/xs-model): requests and
// items filled with fuzzed values, recommend and score with fuzzed
// parameters (out-of-range items, short buffers, odd k), an in-memory
// overlay learning and forgetting, handles of the wrong type, NULLs. Any
// crash, hang or sanitizer report is a bug; statuses are fine.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "barista.h"

#ifndef BARISTA_FUZZ_MODEL
#error "BARISTA_FUZZ_MODEL: the path of a valid model"
#endif

namespace {

struct Input {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;
  bool done() const { return pos >= size; }
  uint8_t byte() { return pos < size ? data[pos++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{byte()} << (8 * i);
    return v;
  }
  double number() {
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= uint64_t{byte()} << (8 * i);
    double v;
    std::memcpy(&v, &bits, sizeof v);  // NaN, infinities, denormals included
    return v;
  }
  std::string text() {
    const size_t n = std::min<size_t>(byte() % 24, size - std::min(pos, size));
    std::string s(reinterpret_cast<const char*>(data + pos), n);
    pos += n;
    return s;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static barista_model* model = [] {
    barista_model* m = nullptr;
    barista_model_open_file(BARISTA_FUZZ_MODEL, nullptr, &m, nullptr);
    return m;
  }();
  if (model == nullptr) return 0;
  barista_model_info info;
  barista_model_get_info(model, &info);
  std::vector<barista_input_info> inputs(info.input_count);
  for (size_t i = 0; i < inputs.size(); ++i) barista_model_get_input(model, i, &inputs[i]);

  barista_session* session = nullptr;
  barista_request* request = nullptr;
  barista_item* item = nullptr;
  barista_overlay* overlay = nullptr;
  barista_session_create(model, &session);
  barista_request_create(model, &request);
  barista_item_create(model, &item);
  barista_overlay_params params = barista_overlay_default_params();
  params.memory_limit = 8192;
  barista_overlay_open(model, nullptr, &params, &overlay, nullptr);

  Input in{data, size};
  std::vector<barista_recommendation> top(64);
  std::vector<float> scores(64);
  std::vector<uint32_t> items;
  for (int step = 0; step < 64 && !in.done(); ++step) {
    const uint8_t op = in.byte();
    const barista_input_info& input = inputs.empty() ? barista_input_info{} : inputs[in.byte() % inputs.size()];
    const char* name = inputs.empty() ? "none" : input.name;
    items.clear();
    for (uint8_t n = in.byte() % 6; n > 0; --n) items.push_back(in.u32() % (info.item_count + 3));
    switch (op % 14) {
      case 0: barista_request_set_user(request, in.text().c_str(), BARISTA_STRLEN); break;
      case 1: {
        const std::string v = in.text();
        barista_request_add_string(request, name, v.data(), v.size());
        break;
      }
      case 2: barista_request_set_number(request, name, in.number()); break;
      case 3: barista_request_clear(request); break;
      case 4: {
        barista_recommend_params p = barista_recommend_default_params();
        p.k = in.byte() % 70;
        if (in.byte() & 1) {
          p.exclude = items.data();
          p.exclude_count = items.size();
        } else if (in.byte() & 1) {
          p.candidates = items.data();
          p.candidate_count = items.size();
        }
        const barista_item* extra[] = {item};
        if (in.byte() & 1) {
          p.extra_items = extra;
          p.extra_item_count = 1;
        }
        p.precision = in.byte() % 3;
        size_t count = 0;
        barista_session_recommend(session, request, &p, top.data(), in.byte() % 65, &count);
        break;
      }
      case 5: barista_session_score(session, request, items.data(), items.size(), scores.data(), in.byte() % 8); break;
      case 6: {
        const std::string v = in.text();
        barista_item_add_string(item, name, v.data(), v.size());
        barista_item_set_number(item, name, in.number());
        const barista_item* described[] = {item};
        barista_session_score_items(session, request, described, 1, scores.data(), 1);
        break;
      }
      case 7:
        barista_overlay_observe(overlay, request, items.empty() ? in.u32() : items[0], static_cast<float>(in.number()),
                                static_cast<float>(in.number()));
        break;
      case 8:
        barista_overlay_observe_shown(overlay, request, items.data(), items.size(),
                                      in.byte() & 1 ? BARISTA_NO_ITEM : in.u32() % (info.item_count + 2));
        break;
      case 9: {
        const std::string user = in.text();
        barista_overlay_forget_user(overlay, user.data(), user.size());
        break;
      }
      case 10: barista_session_set_overlay(session, in.byte() & 1 ? overlay : nullptr); break;
      case 11: {  // handles of the wrong type, and NULLs
        size_t count = 0;
        barista_session_recommend(reinterpret_cast<barista_session*>(request), request, nullptr, top.data(), 10,
                                  &count);
        barista_request_set_user(reinterpret_cast<barista_request*>(session), "x", 1);
        barista_overlay_observe(reinterpret_cast<barista_overlay*>(item), request, 0, 1.0f, 1.0f);
        barista_session_score(session, nullptr, items.data(), items.size(), scores.data(), scores.size());
        barista_session_set_overlay(nullptr, overlay);
        break;
      }
      case 12: {
        char id[8];
        size_t length = 0;
        barista_model_get_item_id(model, in.u32() % (info.item_count + 2), id, in.byte() % 9, &length);
        uint32_t found = 0;
        const std::string key = in.text();
        barista_model_find_item(model, key.data(), key.size(), &found);
        break;
      }
      case 13: barista_item_clear(item); break;
    }
  }
  barista_overlay_free(overlay);
  barista_item_free(item);
  barista_request_free(request);
  barista_session_free(session);
  return 0;
}
