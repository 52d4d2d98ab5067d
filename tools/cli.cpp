#include "cli.h"

#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace barista::cli {

Args::Args(std::string command, std::string usage, std::string summary, std::vector<Option> options)
    : command_(std::move(command)),
      usage_(std::move(usage)),
      summary_(std::move(summary)),
      options_(std::move(options)) {
  options_.push_back({"help", "", "show this help", false});
}

const Args::Option* Args::find(const std::string& name) const {
  for (const Option& o : options_) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

bool Args::parse(int argc, char** argv, int* exit_code) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const Option* option = find(name);
    if (option == nullptr) {
      std::fprintf(stderr, "error: unknown option --%s (see barista %s --help)\n", name.c_str(), command_.c_str());
      *exit_code = 2;
      return false;
    }
    if (name == "help") {
      print_help(stdout);
      *exit_code = 0;
      return false;
    }
    if (!option->value.empty() && !has_value) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: --%s needs a value (%s)\n", name.c_str(), option->value.c_str());
        *exit_code = 2;
        return false;
      }
      value = argv[++i];
    } else if (option->value.empty() && has_value) {
      std::fprintf(stderr, "error: --%s takes no value\n", name.c_str());
      *exit_code = 2;
      return false;
    }
    auto& slot = values_[name];
    if (!option->repeatable && !slot.empty()) {
      std::fprintf(stderr, "error: --%s given twice\n", name.c_str());
      *exit_code = 2;
      return false;
    }
    slot.push_back(value);
  }
  return true;
}

bool Args::has(const std::string& name) const { return values_.count(name) != 0; }

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

bool Args::get_uint(const std::string& name, uint64_t fallback, uint64_t* out) const {
  if (!has(name)) {
    *out = fallback;
    return true;
  }
  const std::string text = get(name);
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || text[0] == '-') {
    std::fprintf(stderr, "error: --%s wants a non-negative integer, not '%s'\n", name.c_str(), text.c_str());
    return false;
  }
  *out = v;
  return true;
}

bool Args::get_double(const std::string& name, double fallback, double* out) const {
  if (!has(name)) {
    *out = fallback;
    return true;
  }
  const std::string text = get(name);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v)) {
    std::fprintf(stderr, "error: --%s wants a number, not '%s'\n", name.c_str(), text.c_str());
    return false;
  }
  *out = v;
  return true;
}

void Args::print_help(std::FILE* out) const {
  std::fprintf(out, "usage: barista %s %s\n\n%s\n\noptions:\n", command_.c_str(), usage_.c_str(), summary_.c_str());
  for (const Option& o : options_) {
    std::string left = "--" + o.name + (o.value.empty() ? "" : " " + o.value);
    std::fprintf(out, "  %-28s %s%s\n", left.c_str(), o.help.c_str(), o.repeatable ? " (repeatable)" : "");
  }
}

std::string json_escape(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void Json::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ",";
    first_.back() = false;
  }
}

Json& Json::begin_object() {
  separate();
  out_ += "{";
  first_.push_back(true);
  return *this;
}
Json& Json::end_object() {
  out_ += "}";
  first_.pop_back();
  return *this;
}
Json& Json::begin_array() {
  separate();
  out_ += "[";
  first_.push_back(true);
  return *this;
}
Json& Json::end_array() {
  out_ += "]";
  first_.pop_back();
  return *this;
}
Json& Json::key(const std::string& k) {
  separate();
  out_ += json_escape(k) + ":";
  after_key_ = true;
  return *this;
}
Json& Json::value(const std::string& v) {
  separate();
  out_ += json_escape(v);
  return *this;
}
Json& Json::value(const char* v) { return value(std::string(v)); }
Json& Json::value(double v) {
  separate();
  if (!std::isfinite(v)) {
    out_ += "null";  // JSON has no NaN or infinity
  } else {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    out_ += buffer;
  }
  return *this;
}
Json& Json::value(int64_t v) {
  separate();
  out_ += std::to_string(v);
  return *this;
}
Json& Json::value(uint64_t v) {
  separate();
  out_ += std::to_string(v);
  return *this;
}
Json& Json::value(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) parts.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace barista::cli
