// JSON for everything offline: a small reader for configuration files
// (feature specs, training settings), standard JSON plus `//` line comments so
// that configs can be documented in place, with errors naming the line and
// column; and the one writer of JSON text (configs stored in models, the
// CLI's --json output, the ONNX batch manifest).
#pragma once

#include <cstdint>
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

// Writes compact JSON (no spaces) in the order of the calls; the caller
// keeps begin and end balanced and puts a key before each member's value.
// Numbers are written in their shortest form that reads back as the same
// value, independent of the locale; NaN and infinity, which JSON lacks,
// become null.
class Writer {
 public:
  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view k);
  Writer& value(std::string_view v);
  Writer& value(const char* v) { return value(std::string_view(v)); }
  Writer& value(double v);
  Writer& value(float v);
  Writer& value(int64_t v);
  Writer& value(uint64_t v);
  Writer& value(int v) { return value(static_cast<int64_t>(v)); }
  Writer& value(unsigned v) { return value(static_cast<uint64_t>(v)); }
  Writer& value(bool v);
  Writer& null();
  Writer& value(const Value& v);  // a whole value, as serialize() writes it
  const std::string& str() const { return out_; }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element yet
  bool after_key_ = false;
};

}  // namespace barista::internal::json
