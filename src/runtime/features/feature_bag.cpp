#include "features/feature_bag.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/limits.h"
#include "hash/fingerprint.h"

namespace barista::internal {

FeatureBag::FeatureBag(const Model& model, BagRole role)
    : model_(&model),
      role_(role),
      values_(model.inputs().size()),
      numbers_(model.inputs().size(), 0.0f),
      has_number_(model.inputs().size(), 0) {}

void FeatureBag::clear() {
  for (auto& v : values_) v.clear();
  std::fill(has_number_.begin(), has_number_.end(), uint8_t{0});
}

Status FeatureBag::check_input(uint32_t index, fb::ValueKind kind) const {
  if (index >= values_.size()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "input %u is out of range", index);
  }
  const InputInfo& info = model_->inputs()[index];
  const bool item_input = info.is_item_side();
  if (item_input != (role_ == BagRole::Item)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "input '%s' describes the %s; set it on %s", info.name,
                      item_input ? "item" : "user or context",
                      item_input ? "an item (barista_item)" : "the request (barista_request)");
  }
  if (info.kind != kind) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "input '%s' is %s, not %s", info.name,
                      info.kind == fb::ValueKind::Numeric ? "numeric" : "categorical",
                      kind == fb::ValueKind::Numeric ? "numeric" : "categorical");
  }
  return Status();
}

Status FeatureBag::resolve(std::string_view input, fb::ValueKind kind, uint32_t* index) const {
  const int32_t found = model_->find_input(input);
  if (found < 0) {
    std::string known;
    for (const InputInfo& info : model_->inputs()) {
      if (info.is_item_side() != (role_ == BagRole::Item)) continue;
      if (known.size() > 200) {
        known += ", ...";
        break;
      }
      known += known.empty() ? "" : ", ";
      known += info.name;
    }
    return make_error(BARISTA_STATUS_NOT_FOUND, "the model has no input '%.*s' (%s inputs: %s)",
                      static_cast<int>(std::min<size_t>(input.size(), 100)), input.data(),
                      role_ == BagRole::Item ? "item" : "request", known.empty() ? "none" : known.c_str());
  }
  BARISTA_RETURN_IF_ERROR(check_input(static_cast<uint32_t>(found), kind));
  *index = static_cast<uint32_t>(found);
  return Status();
}

Status FeatureBag::add_fingerprint(uint32_t input, uint64_t fingerprint) {
  BARISTA_RETURN_IF_ERROR(check_input(input, fb::ValueKind::Categorical));
  const InputInfo& info = model_->inputs()[input];
  Vec<uint64_t>& values = values_[input];
  if (!info.multivalent) {
    values.assign(1, fingerprint);
    return Status();
  }
  if (values.size() >= info.max_values) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "input '%s' takes at most %u values", info.name, info.max_values);
  }
  values.push_back(fingerprint);
  return Status();
}

Status FeatureBag::add_string(std::string_view input, std::string_view value) {
  if (value.size() > limits::kMaxStringBytes) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "a value of %zu bytes is longer than the limit of %u",
                      value.size(), limits::kMaxStringBytes);
  }
  uint32_t index = 0;
  BARISTA_RETURN_IF_ERROR(resolve(input, fb::ValueKind::Categorical, &index));
  return add_fingerprint(index, fingerprint64(value));
}

Status FeatureBag::add_int(std::string_view input, int64_t value) {
  uint32_t index = 0;
  BARISTA_RETURN_IF_ERROR(resolve(input, fb::ValueKind::Categorical, &index));
  return add_fingerprint(index, fingerprint64_of_int(value));
}

Status FeatureBag::set_number(uint32_t input, double value) {
  BARISTA_RETURN_IF_ERROR(check_input(input, fb::ValueKind::Numeric));
  const float narrowed = static_cast<float>(value);
  if (!std::isfinite(narrowed)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "input '%s': %g is not a finite float",
                      model_->inputs()[input].name, value);
  }
  for (const ColumnInfo& column : model_->columns()) {
    if (column.kind != fb::ColumnKind::Numeric || column.input != input) continue;
    if (!std::isfinite((narrowed - column.mean) * column.inv_stddev)) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "input '%s': %g is out of the range column '%s' standardizes (mean %g, 1/stddev %g)",
                        model_->inputs()[input].name, value, column.name, static_cast<double>(column.mean),
                        static_cast<double>(column.inv_stddev));
    }
  }
  numbers_[input] = narrowed;
  has_number_[input] = 1;
  return Status();
}

Status FeatureBag::set_number(std::string_view input, double value) {
  uint32_t index = 0;
  BARISTA_RETURN_IF_ERROR(resolve(input, fb::ValueKind::Numeric, &index));
  return set_number(index, value);
}

Status FeatureBag::set_user(std::string_view user_id) {
  if (model_->user_id_input() < 0) {
    return make_error(BARISTA_STATUS_NOT_FOUND, "the model has no user id input");
  }
  if (user_id.size() > limits::kMaxStringBytes) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "a user id of %zu bytes is longer than the limit of %u",
                      user_id.size(), limits::kMaxStringBytes);
  }
  return add_fingerprint(static_cast<uint32_t>(model_->user_id_input()), fingerprint64(user_id));
}

}  // namespace barista::internal
