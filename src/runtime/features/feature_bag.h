// The feature values of a request (user and context inputs) or of an item
// described by its features (item inputs), by input index. Categorical
// values are reduced to their Fingerprint64 on entry (see the schema); the
// strings themselves are not kept.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/alloc.h"
#include "common/span.h"
#include "common/status.h"
#include "model/model.h"

namespace barista::internal {

enum class BagRole : uint8_t { Request, Item };

class FeatureBag {
 public:
  FeatureBag(const Model& model, BagRole role);

  // Adds a categorical value; a single-valued input keeps the last one.
  Status add_string(std::string_view input, std::string_view value);
  Status add_int(std::string_view input, int64_t value);
  Status add_fingerprint(uint32_t input, uint64_t fingerprint);
  // Sets a numeric input; NaN and infinities are refused.
  Status set_number(std::string_view input, double value);
  Status set_number(uint32_t input, double value);
  // The model's user id input.
  Status set_user(std::string_view user_id);
  void clear();

  const Model& model() const { return *model_; }
  // The heap memory the bag holds.
  size_t memory_bytes() const {
    size_t bytes = heap_bytes(values_) + heap_bytes(numbers_) + heap_bytes(has_number_);
    for (const Vec<uint64_t>& v : values_) bytes += heap_bytes(v);
    return bytes;
  }
  BagRole role() const { return role_; }
  Span<uint64_t> values(uint32_t input) const { return values_[input]; }
  bool has_number(uint32_t input) const { return has_number_[input] != 0; }
  // The value of a numeric input, or its default when unset.
  float number(uint32_t input) const {
    return has_number_[input] ? numbers_[input] : model_->inputs()[input].default_value;
  }

 private:
  Status resolve(std::string_view input, fb::ValueKind kind, uint32_t* index) const;
  Status check_input(uint32_t input, fb::ValueKind kind) const;

  const Model* model_;
  BagRole role_;
  Vec<Vec<uint64_t>> values_;
  Vec<float> numbers_;
  Vec<uint8_t> has_number_;
};

}  // namespace barista::internal
