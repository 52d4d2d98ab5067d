#include "bench_support.h"

#include <algorithm>
#include <string>

#include "cli.h"

namespace barista::cli {

Summary summarize(std::vector<double> samples) {
  Summary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  for (double v : samples) s.mean += v;
  s.mean /= static_cast<double>(samples.size());
  s.p50 = samples[samples.size() / 2];
  s.p99 = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
  return s;
}

bool make_customers(const Model& model, size_t count, XorShift* random, std::vector<Request>* out,
                    uint32_t history_values) {
  const barista_model_info info = model.info();
  const char* user_input = barista_model_user_input(model.get());
  std::vector<barista_input_info> inputs;
  for (size_t i = 0; i < info.input_count; ++i) {
    barista_input_info input;
    if (barista_model_get_input(model.get(), i, &input) != BARISTA_STATUS_OK) continue;
    if (input.source == BARISTA_SOURCE_ITEM) continue;
    if (user_input != nullptr && std::string(input.name) == user_input) continue;
    inputs.push_back(input);
  }
  out->resize(count);
  for (size_t c = 0; c < count; ++c) {
    Request& request = (*out)[c];
    Status status = Request::create(model, &request);
    if (status && user_input != nullptr) status = request.set_user("bench-customer-" + std::to_string(c));
    for (const barista_input_info& input : inputs) {
      if (!status) break;
      if (input.kind == BARISTA_VALUE_NUMERIC) {
        status = request.set(input.name, 4.0 * random->uniform() - 2.0);
      } else if (input.multivalent) {
        const uint32_t values = std::min<uint32_t>(history_values, input.max_values);
        for (uint32_t v = 0; v < values && status && info.item_count > 0; ++v) {
          status = request.add(input.name, model.item_id(random->below(info.item_count)));
        }
      } else {
        status = request.add(input.name, "value-" + std::to_string(random->below(1000)));
      }
    }
    if (!status) {
      fail(status.message());
      return false;
    }
  }
  return true;
}

}  // namespace barista::cli
