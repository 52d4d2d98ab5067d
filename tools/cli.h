// Small helpers shared by the subcommands: argument parsing, JSON output,
// error reporting.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace barista::cli {

// Parses "--name value", "--name=value" and bare flags. Options declared as
// repeatable collect every occurrence; positional arguments are kept in order.
class Args {
 public:
  struct Option {
    std::string name;   // without dashes
    std::string value;  // placeholder shown in help ("" for a flag)
    std::string help;
    bool repeatable = false;
  };

  Args(std::string command, std::string usage, std::string summary, std::vector<Option> options);

  // false on a parse error (already reported) or --help (help printed);
  // *exit_code tells which.
  bool parse(int argc, char** argv, int* exit_code);

  bool has(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& all(const std::string& name) const;
  // Numeric options; false (reported) when malformed.
  bool get_uint(const std::string& name, uint64_t fallback, uint64_t* out) const;
  bool get_double(const std::string& name, double fallback, double* out) const;  // finite
  const std::vector<std::string>& positional() const { return positional_; }

  void print_help(std::FILE* out) const;

 private:
  const Option* find(const std::string& name) const;

  std::string command_, usage_, summary_;
  std::vector<Option> options_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// Minimal JSON writer: objects, arrays, strings, numbers, booleans.
class Json {
 public:
  Json& begin_object();
  Json& end_object();
  Json& begin_array();
  Json& end_array();
  Json& key(const std::string& k);
  Json& value(const std::string& v);
  Json& value(const char* v);
  Json& value(double v);
  Json& value(int64_t v);
  Json& value(uint64_t v);
  Json& value(int v) { return value(static_cast<int64_t>(v)); }
  Json& value(unsigned v) { return value(static_cast<uint64_t>(v)); }
  Json& value(bool v);
  const std::string& str() const { return out_; }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element yet
  bool after_key_ = false;
};

std::string json_escape(const std::string& s);

// "error: <message>" on stderr; returns 1 (the exit code for failures).
int fail(const std::string& message);

// A CSV field, quoted (RFC 4180) when it holds a comma, quote or line end.
std::string csv_field(const std::string& value);

// Splits "a,b,c" (empty parts dropped).
std::vector<std::string> split_list(const std::string& text);

}  // namespace barista::cli
