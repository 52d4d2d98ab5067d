#include "request_args.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/parse_number.h"
#include "kernels/kernel_list.h"

namespace barista::cli {

std::vector<Args::Option> request_options() {
  return {
      {"user", "ID", "the customer's id (omit for an anonymous customer)"},
      {"feature", "INPUT=VALUE", "a user or context feature, e.g. hour=8 or basket=croissant,latte", Use::Repeatable},
      {"overlay", "PATH", "what on-device learning stored at PATH applies (see barista observe)"},
      {"overlay-memory", "BYTES", "the overlay's memory limit (default: 1 MiB)"},
      {"kernels", "NAME", "kernel variant: " BARISTA_KERNEL_CHOICES},
      {"json", "", "machine-readable output"}};
}

Args::Option explain_option() {
  return {"explain", "", "why each item scores what it does: its wide terms, what was learned, its deep inputs"};
}

namespace {

bool open_model(const Args& args, Model* model) {
  barista_open_params params = barista_open_default_params();
  const std::string kernels = args.get("kernels", "auto");
  params.kernels = kernels.c_str();
  const Status status = Model::open(args.positional()[0], model, &params);
  if (!status) {
    fail(args.positional()[0] + ": " + status.message());
    return false;
  }
  return true;
}

const barista_input_info* find_input(const Model& model, const std::string& name, barista_input_info* info) {
  const size_t count = model.info().input_count;
  for (size_t i = 0; i < count; ++i) {
    if (barista_model_get_input(model.get(), i, info) == BARISTA_STATUS_OK && name == info->name) return info;
  }
  return nullptr;
}

// Applies "input=value" (checked by check_features) through `add` / `set`
// of a Request or an Item.
template <class Features>
bool apply_feature(const std::string& text, const Model& model, Features* target) {
  const size_t eq = text.find('=');
  const std::string name = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);
  barista_input_info info;
  Status status;
  if (find_input(model, name, &info) != nullptr && info.kind == BARISTA_VALUE_NUMERIC) {
    const internal::ParsedDouble parsed = internal::parse_double(value);
    const double number = parsed.value;
    if (!parsed.complete || parsed.out_of_range) {
      fail("input '" + name + "' is numeric; '" + value + "' is not a number");
      return false;
    }
    status = target->set(name.c_str(), number);
  } else if (find_input(model, name, &info) != nullptr && info.multivalent) {
    for (const std::string& part : split_list(value)) {
      if (!(status = target->add(name.c_str(), std::string_view(part)))) break;
    }
  } else {
    // Unknown names reach the library, whose message lists the inputs.
    status = target->add(name.c_str(), std::string_view(value));
  }
  if (!status) {
    fail(status.message());
    return false;
  }
  return true;
}

}  // namespace

bool check_features(const Args& args, const std::string& option) {
  for (const std::string& text : args.all(option)) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      args.usage_error("--" + option + " wants INPUT=VALUE, not '" + text + "'");
      return false;
    }
  }
  return true;
}

Exit open_request(const Args& args, Model* model, Session* session, Request* request, Overlay* overlay) {
  // An empty path would be taken for "in memory", which reports "synced"
  // and keeps nothing.
  if (args.has("overlay") && args.get("overlay").empty()) return args.usage_error("--overlay needs a path");
  barista_overlay_params params = barista_overlay_default_params();
  uint64_t memory = 0;
  if (!args.get_uint("overlay-memory", params.memory_limit, &memory) || !check_features(args, "feature")) {
    return Exit::Usage;
  }
  params.memory_limit = memory;
  if (!open_model(args, model)) return Exit::Failure;
  Status status = Session::create(*model, session);
  if (status && args.has("overlay")) {
    Overlay opened;
    status = Overlay::open(*model, args.get("overlay"), &opened, &params);
    if (status) status = session->set_overlay(opened);
    if (status && overlay != nullptr) *overlay = std::move(opened);
  }
  if (status) status = Request::create(*model, request);
  if (status && args.has("user")) status = request->set_user(args.get("user"));
  if (!status) return fail(status.message());
  for (const std::string& feature : args.all("feature")) {
    if (!apply_feature(feature, *model, request)) return Exit::Failure;
  }
  return Exit::Ok;
}

bool build_item(const std::vector<std::string>& features, const Model& model, Item* item) {
  const Status status = Item::create(model, item);
  if (!status) {
    fail(status.message());
    return false;
  }
  for (const std::string& feature : features) {
    if (!apply_feature(feature, model, item)) return false;
  }
  return true;
}

bool resolve_items(const Model& model, const std::vector<std::string>& lists, std::vector<uint32_t>* out) {
  for (const std::string& list : lists) {
    for (const std::string& id : split_list(list)) {
      uint32_t index = 0;
      if (!model.find_item(id, &index)) {
        fail("no item '" + id + "' in the catalog");
        return false;
      }
      out->push_back(index);
    }
  }
  return true;
}

bool explain_item(Session& session, const Request& request, uint32_t item, const Item* described, JsonWriter* json) {
  barista_explanation e{};
  const Status status = described ? session.explain(request, *described, &e) : session.explain(request, item, &e);
  if (!status) {
    fail(status.message());
    return false;
  }
  if (json != nullptr) {
    json->key("explanation").begin_object();
    json->key("logit").value(e.logit).key("bias").value(e.bias).key("wide").value(e.wide);
    json->key("learned").value(e.learned).key("deep").value(e.deep).key("deep_baseline").value(e.deep_baseline);
    json->key("integration_error").value(e.integration_error).key("wide_terms").begin_array();
    for (size_t i = 0; i < e.wide_term_count; ++i) {
      const barista_wide_contribution& c = e.wide_terms[i];
      json->begin_object().key("term").value(c.term).key("value").value(c.value);
      json->key("model").value(c.model).key("learned").value(c.learned).end_object();
    }
    json->end_array().key("deep_inputs").begin_array();
    for (size_t i = 0; i < e.deep_input_count; ++i) {
      json->begin_object().key("input").value(e.deep_inputs[i].input);
      json->key("attribution").value(e.deep_inputs[i].attribution).end_object();
    }
    json->end_array().end_object();
    return true;
  }
  const auto f = [](float v) { return static_cast<double>(v); };
  std::printf("       logit %+.3f = bias %+.3f + wide %+.3f + learned %+.3f + deep %+.3f\n", f(e.logit), f(e.bias),
              f(e.wide), f(e.learned), f(e.deep));
  // The largest terms; the rest summed.
  constexpr size_t kShown = 8;
  for (size_t i = 0; i < std::min(e.wide_term_count, kShown); ++i) {
    const barista_wide_contribution& c = e.wide_terms[i];
    std::printf("       wide  %+.3f  %s: %s", f(c.model + c.learned), c.term, c.value);
    if (c.learned != 0.0f) std::printf("  (learned %+.3f)", f(c.learned));
    std::printf("\n");
  }
  if (e.wide_term_count > kShown) {
    double rest = 0;
    for (size_t i = kShown; i < e.wide_term_count; ++i) rest += f(e.wide_terms[i].model + e.wide_terms[i].learned);
    std::printf("       wide  %+.3f  (%zu more terms)\n", rest, e.wide_term_count - kShown);
  }
  std::printf("       deep  %+.3f  at an all-zero input, then by input (integrated gradients):", f(e.deep_baseline));
  for (size_t i = 0; i < e.deep_input_count; ++i) {
    std::printf("%s %s %+.3f", i ? "," : "", e.deep_inputs[i].input, f(e.deep_inputs[i].attribution));
  }
  std::printf("\n");
  return true;
}

}  // namespace barista::cli
