// What the subcommands share: how a command ends (its exit code), the table
// entry that names it, argument parsing, suggestions for mistyped names, and
// error reporting.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "config/json.h"

namespace barista::cli {

// How a command ends; the value is the process's exit code. Every command
// follows this one rule, which `barista --help` and the README state.
enum class Exit : int {
  Ok = 0,
  // The work failed: a file missing or not a model, an id or input the model
  // does not know, a write that did not happen.
  Failure = 1,
  // The command line is wrong in itself: an unknown command or option, a
  // missing or malformed argument.
  Usage = 2,
};

struct Command {
  const char* name;
  const char* summary;  // one line, for `barista --help`
  // What follows `barista <name>`. Its leading upper-case words (MODEL,
  // CONFIG) are the positional arguments the command takes, exactly; a last
  // one written "PATH..." is one or more.
  const char* usage;
  Exit (*run)(const Command& command, int argc, char** argv);
};

using JsonWriter = internal::json::Writer;

// How often an option may be given.
enum class Use { Optional, Required, Repeatable };

// Parses "--name value", "--name=value" and bare flags against the options a
// command declares, and the positional arguments its usage names. Every
// mistake in the command line is reported the same way and ends in
// Exit::Usage.
class Args {
 public:
  struct Option {
    std::string name;   // without dashes
    std::string value;  // placeholder shown in help ("" for a flag)
    std::string help;
    Use use = Use::Optional;
  };

  Args(const Command& command, std::string description, std::vector<Option> options);

  // true when the command goes on; otherwise *exit is Exit::Usage after a
  // mistake (reported) or Exit::Ok after --help (printed).
  bool parse(int argc, char** argv, Exit* exit);

  bool has(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& all(const std::string& name) const;
  // Numeric options; false (reported as a usage error) when malformed.
  bool get_uint(const std::string& name, uint64_t fallback, uint64_t* out) const;
  bool get_double(const std::string& name, double fallback, double* out) const;  // finite
  // An option that takes one of `choices`; false (reported, with the closest
  // choice) for any other value.
  bool get_choice(const std::string& name, const std::vector<std::string>& choices, const std::string& fallback,
                  std::string* out) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // "error: <message>" and the usage line on stderr; returns Exit::Usage.
  Exit usage_error(const std::string& message) const;
  void print_help(std::FILE* out) const;

 private:
  const Option* find(const std::string& name) const;
  bool option_error(const std::string& message, Exit* exit) const;

  const Command& command_;
  std::string description_;
  std::vector<Option> options_;
  std::vector<std::string> positional_names_;
  bool variadic_ = false;  // the last positional argument repeats
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// The candidate closest to a mistyped `word` (optimal string alignment
// distance: insertions, deletions, substitutions, adjacent swaps), or "" when
// none is close enough to be what was meant. Ties go to the earlier candidate.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

// "error: <message>" on stderr; returns Exit::Failure.
Exit fail(const std::string& message);

// A CSV field, quoted (RFC 4180) when it holds a comma, quote or line end.
std::string csv_field(const std::string& value);

// Splits "a,b,c" (empty parts dropped).
std::vector<std::string> split_list(const std::string& text);

}  // namespace barista::cli
