// Edits of a configuration's JSON by key path, e.g. "training.seed" or
// "features[0].embedding": what `barista train`'s overrides (--seed,
// --epochs, --threads) and `barista tune`'s trials change. The edit is made
// to the JSON text itself, so the model records the configuration it was
// actually trained with (its metadata's training_config).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "config/json.h"

namespace barista::internal::json {

Value number(double v);
Value text(std::string v);

// Sets the member at `path`, creating the objects on the way when they are
// missing; an array element must exist. Errors name the path, e.g.
// "features[3]: the array has 2 elements".
Status set_path(Value* root, std::string_view path, Value value);

// The member at `path`, or nullptr.
const Value* find_path(const Value& root, std::string_view path);

// Compact, deterministic text of a value for tables and comparisons:
// numbers in shortest form, strings unquoted.
std::string display(const Value& value);

}  // namespace barista::internal::json
