#include "cli.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace barista::cli {

namespace {

// The usage's leading upper-case words: "MODEL [--json]" takes MODEL. A
// last word ending in "..." ("PATH...") takes one or more (*variadic).
std::vector<std::string> positional_names(const std::string& usage, bool* variadic) {
  std::vector<std::string> names;
  *variadic = false;
  size_t start = 0;
  while (start < usage.size() && !*variadic) {
    size_t end = usage.find(' ', start);
    if (end == std::string::npos) end = usage.size();
    std::string word = usage.substr(start, end - start);
    if (word.size() > 3 && word.compare(word.size() - 3, 3, "...") == 0) {
      word.resize(word.size() - 3);
      *variadic = true;
    }
    bool upper = !word.empty();
    for (char c : word) upper = upper && ((c >= 'A' && c <= 'Z') || c == '_');
    if (!upper) {
      *variadic = false;
      break;
    }
    names.push_back(word);
    start = end + 1;
  }
  return names;
}

}  // namespace

Args::Args(const Command& command, std::string description, std::vector<Option> options)
    : command_(command),
      description_(std::move(description)),
      options_(std::move(options)) {
  positional_names_ = positional_names(command.usage, &variadic_);
  options_.push_back({"help", "", "show this help"});
}

const Args::Option* Args::find(const std::string& name) const {
  for (const Option& o : options_) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

Exit Args::usage_error(const std::string& message) const {
  std::fprintf(stderr, "error: %s\nusage: barista %s %s\n", message.c_str(), command_.name, command_.usage);
  return Exit::Usage;
}

bool Args::option_error(const std::string& message, Exit* exit) const {
  *exit = usage_error(message);
  return false;
}

bool Args::parse(int argc, char** argv, Exit* exit) {
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h") {
      print_help(stdout);
      *exit = Exit::Ok;
      return false;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    // "-json" is taken for a mistyped option (no command has a positional
    // argument that starts with a dash).
    const size_t dashes = arg[1] == '-' ? 2 : 1;
    std::string name = arg.substr(dashes);
    std::string value;
    bool has_value = false;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const Option* option = dashes == 2 ? find(name) : nullptr;
    if (option == nullptr) {
      std::vector<std::string> names;
      for (const Option& o : options_) names.push_back(o.name);
      const std::string guess = closest(name, names);
      return option_error("unknown option " + arg.substr(0, dashes + name.size()) +
                              (guess.empty() ? "" : " (did you mean --" + guess + "?)"),
                          exit);
    }
    if (name == "help") {
      print_help(stdout);
      *exit = Exit::Ok;
      return false;
    }
    if (!option->value.empty() && !has_value) {
      if (i + 1 >= argc) return option_error("--" + name + " needs a value (" + option->value + ")", exit);
      value = argv[++i];
    } else if (option->value.empty() && has_value) {
      return option_error("--" + name + " takes no value", exit);
    }
    auto& slot = values_[name];
    if (option->use != Use::Repeatable && !slot.empty()) return option_error("--" + name + " given twice", exit);
    slot.push_back(value);
  }
  if (positional_.size() < positional_names_.size()) {
    return option_error("missing " + positional_names_[positional_.size()], exit);
  }
  if (positional_.size() > positional_names_.size() && !variadic_) {
    return option_error("unexpected argument '" + positional_[positional_names_.size()] + "'", exit);
  }
  for (const Option& o : options_) {
    if (o.use == Use::Required && !has(o.name)) return option_error("--" + o.name + " is required", exit);
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
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (text.empty() || end != text.data() + text.size() || error != std::errc()) {
    usage_error("--" + name + " wants a non-negative integer, not '" + text + "'");
    return false;
  }
  return true;
}

bool Args::get_double(const std::string& name, double fallback, double* out) const {
  if (!has(name)) {
    *out = fallback;
    return true;
  }
  const std::string text = get(name);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (text.empty() || end != text.data() + text.size() || error != std::errc() || !std::isfinite(*out)) {
    usage_error("--" + name + " wants a number, not '" + text + "'");
    return false;
  }
  return true;
}

bool Args::get_choice(const std::string& name, const std::vector<std::string>& choices, const std::string& fallback,
                      std::string* out) const {
  *out = get(name, fallback);
  if (!has(name)) return true;
  for (const std::string& choice : choices) {
    if (*out == choice) return true;
  }
  std::string listed;
  for (size_t i = 0; i < choices.size(); ++i) {
    listed += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  }
  const std::string guess = closest(*out, choices);
  usage_error("--" + name + " wants " + listed + ", not '" + *out + "'" +
              (guess.empty() ? "" : " (did you mean " + guess + "?)"));
  return false;
}

void Args::print_help(std::FILE* out) const {
  std::fprintf(out, "usage: barista %s %s\n\n%s\n\noptions:\n", command_.name, command_.usage, description_.c_str());
  for (const Option& o : options_) {
    const std::string left = "--" + o.name + (o.value.empty() ? "" : " " + o.value);
    const char* use = o.use == Use::Required ? " (required)" : o.use == Use::Repeatable ? " (repeatable)" : "";
    std::fprintf(out, "  %-28s %s%s\n", left.c_str(), o.help.c_str(), use);
  }
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  // d[i][j]: the distance between the first i characters of a and the first
  // j of b, an adjacent swap counting as one edit.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string typed = lower(word);
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& candidate : candidates) {
    const size_t distance = edit_distance(typed, lower(candidate));
    // Two edits in a short name make it another name ("k" is not "x", "l1"
    // not "ab"): one edit up to four characters, two beyond; and never all
    // of what was typed.
    const size_t allowed = candidate.size() <= 4 ? 1 : 2;
    if (distance <= allowed && distance < typed.size() && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

Exit fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return Exit::Failure;
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
