// Params structs that grow: the defaults, and reading a host's struct by
// its struct_size (barista.h, "Parameter structs, and how they grow").
#include "capi/params.h"

#include <cstddef>
#include <cstring>

#include "learn/overlay.h"

using namespace barista::internal;

namespace {

// Where a struct's first layout ends: struct_size and the field after it.
#define BARISTA_FIELD_END(type, field) (offsetof(type, field) + sizeof(static_cast<type*>(nullptr)->field))
constexpr size_t kOpenFirstLayout = BARISTA_FIELD_END(barista_open_params, flags);
constexpr size_t kRecommendFirstLayout = BARISTA_FIELD_END(barista_recommend_params, k);
constexpr size_t kOverlayFirstLayout = BARISTA_FIELD_END(barista_overlay_params, memory_limit);
#undef BARISTA_FIELD_END

// Checks the struct_size at the start of `params`, a barista_<name>_params
// this library knows as `known_size` bytes. Only bytes within struct_size
// are read.
Status check_struct_size(const void* params, size_t known_size, size_t first_layout_end, const char* name) {
  size_t size = 0;
  std::memcpy(&size, params, sizeof size);
  if (size < first_layout_end || size > BARISTA_PARAMS_MAX_SIZE) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "barista_%s_params.struct_size is %zu (expected %zu..%d); initialize the struct with "
                      "barista_%s_default_params()",
                      name, size, first_layout_end, BARISTA_PARAMS_MAX_SIZE, name);
  }
  const auto* bytes = static_cast<const unsigned char*>(params);
  for (size_t i = known_size; i < size; ++i) {
    if (bytes[i] != 0) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "barista_%s_params: byte %zu is set, beyond the %zu bytes this library (%s) knows; the host "
                        "was built against a newer barista",
                        name, i, known_size, BARISTA_VERSION_STRING);
    }
  }
  return Status();
}

// True when `field`, a member of `params`, lies wholly within the host's
// struct_size: only then may it be read.
template <class Params, class Field>
bool has_field(const Params& params, const Field& field) {
  const auto offset =
      static_cast<size_t>(reinterpret_cast<const char*>(&field) - reinterpret_cast<const char*>(&params));
  return offset + sizeof(Field) <= params.struct_size;
}

// Zeroes the host's struct_size bytes, then copies the library's `defaults`
// (padding zeroed) into the part both know.
template <class Params>
barista_status init_params(Params* params, size_t struct_size, size_t first_layout_end, const Params& defaults) {
  if (params == nullptr || struct_size < first_layout_end || struct_size > BARISTA_PARAMS_MAX_SIZE) {
    return BARISTA_STATUS_INVALID_ARGUMENT;
  }
  std::memset(static_cast<void*>(params), 0, struct_size);
  std::memcpy(static_cast<void*>(params), &defaults, struct_size < sizeof defaults ? struct_size : sizeof defaults);
  params->struct_size = struct_size;
  return BARISTA_STATUS_OK;
}

}  // namespace

namespace barista::internal {

Status read_params(const barista_open_params* given, barista_open_params* params) {
  barista_open_params_init(params, sizeof *params);
  if (given == nullptr) return Status();
  BARISTA_RETURN_IF_ERROR(check_struct_size(given, sizeof *params, kOpenFirstLayout, "open"));
  if (has_field(*given, given->flags)) params->flags = given->flags;
  if (has_field(*given, given->kernels)) params->kernels = given->kernels;
  return Status();
}

Status read_params(const barista_recommend_params* given, barista_recommend_params* params) {
  barista_recommend_params_init(params, sizeof *params);
  if (given == nullptr) return Status();
  BARISTA_RETURN_IF_ERROR(check_struct_size(given, sizeof *params, kRecommendFirstLayout, "recommend"));
  if (has_field(*given, given->k)) params->k = given->k;
  // A pointer and its count are read together.
  if (has_field(*given, given->candidate_count)) {
    params->candidates = given->candidates;
    params->candidate_count = given->candidate_count;
  }
  if (has_field(*given, given->exclude_count)) {
    params->exclude = given->exclude;
    params->exclude_count = given->exclude_count;
  }
  if (has_field(*given, given->extra_item_count)) {
    params->extra_items = given->extra_items;
    params->extra_item_count = given->extra_item_count;
  }
  if (has_field(*given, given->precision)) params->precision = given->precision;
  return Status();
}

Status read_params(const barista_overlay_params* given, barista_overlay_params* params) {
  barista_overlay_params_init(params, sizeof *params);
  if (given == nullptr) return Status();
  BARISTA_RETURN_IF_ERROR(check_struct_size(given, sizeof *params, kOverlayFirstLayout, "overlay"));
  if (has_field(*given, given->memory_limit)) params->memory_limit = given->memory_limit;
  if (has_field(*given, given->learning_rate)) params->learning_rate = given->learning_rate;
  if (has_field(*given, given->beta)) params->beta = given->beta;
  if (has_field(*given, given->l1)) params->l1 = given->l1;
  if (has_field(*given, given->l2)) params->l2 = given->l2;
  if (has_field(*given, given->shown_weight)) params->shown_weight = given->shown_weight;
  if (has_field(*given, given->flags)) params->flags = given->flags;
  if (has_field(*given, given->customer_memory_limit)) params->customer_memory_limit = given->customer_memory_limit;
  return Status();
}

}  // namespace barista::internal

extern "C" {

barista_status barista_open_params_init(barista_open_params* params, size_t struct_size) {
  barista_open_params defaults;
  std::memset(&defaults, 0, sizeof defaults);
  defaults.flags = BARISTA_OPEN_DEFAULT;
  defaults.kernels = nullptr;
  return init_params(params, struct_size, kOpenFirstLayout, defaults);
}

barista_status barista_recommend_params_init(barista_recommend_params* params, size_t struct_size) {
  barista_recommend_params defaults;
  std::memset(&defaults, 0, sizeof defaults);
  defaults.k = 10;
  defaults.candidates = nullptr;
  defaults.candidate_count = 0;
  defaults.exclude = nullptr;
  defaults.exclude_count = 0;
  defaults.extra_items = nullptr;
  defaults.extra_item_count = 0;
  defaults.precision = BARISTA_PRECISION_EXACT;
  return init_params(params, struct_size, kRecommendFirstLayout, defaults);
}

barista_status barista_overlay_params_init(barista_overlay_params* params, size_t struct_size) {
  barista_overlay_params defaults;
  std::memset(&defaults, 0, sizeof defaults);
  const OverlayOptions options;  // the library's defaults, in one place
  defaults.memory_limit = options.memory_limit;
  defaults.learning_rate = options.ftrl.alpha;
  defaults.beta = options.ftrl.beta;
  defaults.l1 = options.ftrl.l1;
  defaults.l2 = options.ftrl.l2;
  defaults.shown_weight = options.shown_weight;
  defaults.flags = BARISTA_OVERLAY_DEFAULT;
  defaults.customer_memory_limit = options.customer_memory_limit;
  return init_params(params, struct_size, kOverlayFirstLayout, defaults);
}

}  // extern "C"
