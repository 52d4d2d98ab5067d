// What the model fuzz targets do with a model that opened, as a host would:
// recommend in both precisions (with a described extra item), score catalog
// and described items, then learn through an in-memory overlay and do it
// all again with what was learned. Every scoring call runs twice on the
// same objects: a host retries after an error, and the retry must give the
// same status (a failed call once left a half-built cache behind, and the
// second call crashed on it); a differing status traps.
#pragma once

#include <cstdint>
#include <vector>

#include "barista.h"

// `items`: catalog indices to score (and learn from).
inline void score_and_learn(barista_model* model, barista_session* session, barista_request* request,
                            barista_item* item, const std::vector<uint32_t>& items) {
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
}
