#include "config/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/parse_number.h"

namespace barista::internal::json {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Status parse_document(Value* out) {
    BARISTA_RETURN_IF_ERROR(parse_value(out, 0));
    skip_space();
    if (pos_ != text_.size()) return error("unexpected text after the end of the document");
    return Status();
  }

 private:
  Status error(const std::string& what) const {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "line %d, column %d: %s", line_, column(), what.c_str());
  }
  int column() const { return static_cast<int>(pos_ - line_start_) + 1; }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
      } else {
        break;
      }
    }
  }

  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    for (size_t i = 0; i < word.size(); ++i) advance();
    return true;
  }

  Status parse_value(Value* out, int depth) {
    if (depth > kMaxDepth) return error("nesting is too deep");
    skip_space();
    if (pos_ >= text_.size()) return error("unexpected end of the document");
    out->line = line_;
    out->column = column();
    const char c = text_[pos_];
    if (c == '{') return parse_object(out, depth);
    if (c == '[') return parse_array(out, depth);
    if (c == '"') {
      out->type = Type::String;
      return parse_string(&out->string);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(out);
    if (consume("true")) {
      out->type = Type::Bool;
      out->boolean = true;
      return Status();
    }
    if (consume("false")) {
      out->type = Type::Bool;
      return Status();
    }
    if (consume("null")) {
      out->type = Type::Null;
      return Status();
    }
    return error(std::string("unexpected character '") + c + "'");
  }

  Status parse_object(Value* out, int depth) {
    out->type = Type::Object;
    advance();  // {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      advance();
      return Status();
    }
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a key in double quotes");
      std::string key;
      BARISTA_RETURN_IF_ERROR(parse_string(&key));
      for (const auto& member : out->object) {
        if (member.first == key) return error("key '" + key + "' appears twice");
      }
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return error("expected ':' after key '" + key + "'");
      advance();
      Value value;
      BARISTA_RETURN_IF_ERROR(parse_value(&value, depth + 1));
      out->object.emplace_back(std::move(key), std::move(value));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        advance();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        advance();
        return Status();
      }
      return error("expected ',' or '}' in an object");
    }
  }

  Status parse_array(Value* out, int depth) {
    out->type = Type::Array;
    advance();  // [
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      advance();
      return Status();
    }
    while (true) {
      Value value;
      BARISTA_RETURN_IF_ERROR(parse_value(&value, depth + 1));
      out->array.push_back(std::move(value));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        advance();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        advance();
        return Status();
      }
      return error("expected ',' or ']' in an array");
    }
  }

  static void append_utf8(uint32_t code, std::string* out) {
    if (code < 0x80) {
      *out += static_cast<char>(code);
    } else if (code < 0x800) {
      *out += static_cast<char>(0xc0 | (code >> 6));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      *out += static_cast<char>(0xe0 | (code >> 12));
      *out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (code >> 18));
      *out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  Status parse_hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return error("incomplete \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return error("bad hex digit in a \\u escape");
      advance();
    }
    *out = v;
    return Status();
  }

  Status parse_string(std::string* out) {
    advance();  // opening quote
    out->clear();
    while (true) {
      if (pos_ >= text_.size()) return error("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        advance();
        return Status();
      }
      if (static_cast<unsigned char>(c) < 0x20) return error("control character in a string (use an escape)");
      if (c != '\\') {
        *out += c;
        advance();
        continue;
      }
      advance();
      if (pos_ >= text_.size()) return error("unterminated escape");
      const char e = text_[pos_];
      advance();
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t code = 0;
          BARISTA_RETURN_IF_ERROR(parse_hex4(&code));
          if (code >= 0xd800 && code < 0xdc00) {  // a surrogate pair
            uint32_t low = 0;
            if (!consume("\\u")) return error("lone high surrogate in a \\u escape");
            BARISTA_RETURN_IF_ERROR(parse_hex4(&low));
            if (low < 0xdc00 || low >= 0xe000) return error("bad low surrogate in a \\u escape");
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          } else if (code >= 0xdc00 && code < 0xe000) {
            return error("lone low surrogate in a \\u escape");
          }
          append_utf8(code, out);
          break;
        }
        default: return error(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  Status parse_number(Value* out) {
    const size_t start = pos_;
    if (text_[pos_] == '-') advance();
    auto digits = [&]() {
      size_t n = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        advance();
        ++n;
      }
      return n;
    };
    if (digits() == 0) return error("expected digits");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      advance();
      if (digits() == 0) return error("expected digits after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      advance();
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) advance();
      if (digits() == 0) return error("expected digits in the exponent");
    }
    const std::string literal(text_.substr(start, pos_ - start));
    out->type = Type::Number;
    // Underflow reads as 0 (or a subnormal), as strtod has it; overflow is refused.
    out->number = parse_double(literal).value;
    if (!std::isfinite(out->number)) return error("number out of range: " + literal);
    return Status();
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};


void append_string(std::string_view s, std::string* out) {
  *out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          *out += buffer;
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
  *out += '"';
}

// std::to_chars without a format gives the shortest text that reads back as
// the same value ("0.2", not "0.20000000000000001"), and ignores the locale.
template <class Number>
void append_number(Number v, std::string* out) {
  char buffer[64];
  const std::to_chars_result written = std::to_chars(buffer, buffer + sizeof buffer, v);
  out->append(buffer, written.ptr);
}

}  // namespace

const Value* Value::find(std::string_view key) const {
  for (const auto& member : object) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

const char* type_name(Type type) {
  switch (type) {
    case Type::Null: return "null";
    case Type::Bool: return "a boolean";
    case Type::Number: return "a number";
    case Type::String: return "a string";
    case Type::Array: return "an array";
    case Type::Object: return "an object";
  }
  return "?";
}

Status parse(std::string_view text, Value* out) {
  *out = Value();
  return Parser(text).parse_document(out);
}

std::string serialize(const Value& value) {
  Writer writer;
  writer.value(value);
  return writer.str();
}

void Writer::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

Writer& Writer::begin_object() {
  separate();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

Writer& Writer::end_object() {
  out_ += '}';
  first_.pop_back();
  return *this;
}

Writer& Writer::begin_array() {
  separate();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

Writer& Writer::end_array() {
  out_ += ']';
  first_.pop_back();
  return *this;
}

Writer& Writer::key(std::string_view k) {
  separate();
  append_string(k, &out_);
  out_ += ':';
  after_key_ = true;
  return *this;
}

Writer& Writer::value(std::string_view v) {
  separate();
  append_string(v, &out_);
  return *this;
}

Writer& Writer::value(double v) {
  if (!std::isfinite(v)) return null();
  separate();
  append_number(v, &out_);
  return *this;
}

Writer& Writer::value(float v) {
  if (!std::isfinite(v)) return null();
  separate();
  append_number(v, &out_);
  return *this;
}

Writer& Writer::value(int64_t v) {
  separate();
  append_number(v, &out_);
  return *this;
}

Writer& Writer::value(uint64_t v) {
  separate();
  append_number(v, &out_);
  return *this;
}

Writer& Writer::value(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}

Writer& Writer::null() {
  separate();
  out_ += "null";
  return *this;
}

Writer& Writer::value(const Value& v) {
  switch (v.type) {
    case Type::Null: return null();
    case Type::Bool: return value(v.boolean);
    case Type::Number: return value(v.number);
    case Type::String: return value(v.string);
    case Type::Array:
      begin_array();
      for (const Value& element : v.array) value(element);
      return end_array();
    case Type::Object:
      begin_object();
      for (const auto& [k, member] : v.object) key(k).value(member);
      return end_object();
  }
  return *this;
}

}  // namespace barista::internal::json
