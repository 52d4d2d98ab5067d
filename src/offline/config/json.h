// A small JSON reader for configuration files (feature specs, training
// settings). Standard JSON plus `//` line comments, so that configs can be
// documented in place. Errors name the line and column.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace barista::internal::json {

enum class Type { Null, Bool, Number, String, Array, Object };

struct Value {
  Type type = Type::Null;
  bool boolean = false;
  double number = 0.0;
  std::string string;
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> object;  // in file order
  int line = 0;                                       // where the value starts
  int column = 0;

  // The member `key` of an object, or nullptr.
  const Value* find(std::string_view key) const;
};

const char* type_name(Type type);

// Parses `text`; errors read "line 3, column 7: expected ':' after a key".
Status parse(std::string_view text, Value* out);

// Compact JSON text of a value (keys in their original order).
std::string serialize(const Value& value);

}  // namespace barista::internal::json
