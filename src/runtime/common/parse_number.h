// Numbers read from text (CSV fields, JSON, item ids, time stamps) the same
// way whatever locale the host has set: std::strtod and std::strtoll read
// the decimal mark of the current locale ("1,5" under de_DE, where "1.5"
// stops at the '.'), std::from_chars never does.
//
// Both functions accept what strtod / strtoll in the "C" locale accept, and
// nothing else: leading white space, an optional '+' or '-', then
// - parse_double: a decimal number ("1.5", ".5", "5.", "1e-3"), a
//   hexadecimal one ("0x1.8p1"), "inf", "infinity" or "nan" (any case);
// - parse_int64: decimal digits;
// and the whole text must be used. Trailing white space is not skipped.
#pragma once

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

namespace barista::internal {

struct ParsedDouble {
  // The text is one number, used entirely.
  bool complete = false;
  // As strtod's ERANGE: the value overflowed (value is ±inf) or underflowed
  // (value is ±0 or subnormal).
  bool out_of_range = false;
  double value = 0.0;
};

namespace detail {

inline bool is_c_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Skips white space and a sign; false when a second sign follows (strtod
// reads "+-1" as no number at all, from_chars would read its "-1").
inline bool skip_space_and_sign(std::string_view* text, bool* negative) {
  size_t i = 0;
  while (i < text->size() && is_c_space((*text)[i])) ++i;
  *negative = false;
  if (i < text->size() && ((*text)[i] == '+' || (*text)[i] == '-')) {
    *negative = (*text)[i] == '-';
    ++i;
  }
  text->remove_prefix(i);
  return text->empty() || ((*text)[0] != '+' && (*text)[0] != '-');
}

// For a number from_chars found out of range: whether it is too small
// rather than too large, from the position of its first significant digit
// and its exponent (decimal, or binary after "0x").
inline bool too_small(std::string_view digits, bool hex) {
  int64_t leading = 0;  // the first nonzero digit's power of the base, up to the exponent
  bool found = false, point = false;
  size_t i = 0;
  int64_t integer_digits = 0, fraction_position = 0;
  auto is_digit = [hex](char c) {
    return (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
  };
  for (; i < digits.size(); ++i) {
    const char c = digits[i];
    if (c == '.') {
      point = true;
      continue;
    }
    if (!is_digit(c)) break;
    if (point)
      ++fraction_position;
    else
      ++integer_digits;
    if (!found && c != '0') {
      found = true;
      leading = point ? -fraction_position : integer_digits;  // integer part: fixed below
    }
  }
  if (found && leading > 0) leading = integer_digits - leading;  // 0 for the units digit
  int64_t exponent = 0;
  if (i < digits.size()) {
    ++i;  // 'e' or 'p'
    bool negative = false;
    if (i < digits.size() && (digits[i] == '+' || digits[i] == '-')) negative = digits[i++] == '-';
    for (; i < digits.size() && digits[i] >= '0' && digits[i] <= '9'; ++i) {
      if (exponent < (int64_t{1} << 40)) exponent = exponent * 10 + (digits[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return (hex ? leading * 4 : leading) + exponent < 0;
}

}  // namespace detail

inline ParsedDouble parse_double(std::string_view text) {
  ParsedDouble out;
  bool negative = false;
  if (!detail::skip_space_and_sign(&text, &negative)) return out;
  auto is_hex_digit = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.';
  };
  // "0x" and a hexadecimal digit or point; otherwise the "0" alone is the number.
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') && is_hex_digit(text[2]);
  if (hex) text.remove_prefix(2);
  const char* end = text.data() + text.size();
  double value = 0.0;
  const std::from_chars_result r =
      std::from_chars(text.data(), end, value, hex ? std::chars_format::hex : std::chars_format::general);
  if (r.ec == std::errc::invalid_argument) return out;
  out.complete = r.ptr == end;
  if (r.ec == std::errc::result_out_of_range) {
    out.out_of_range = true;
    value = detail::too_small(text, hex) ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (value != 0.0 && std::fabs(value) < DBL_MIN) {
    out.out_of_range = true;  // subnormal: strtod says ERANGE too
  }
  out.value = negative ? -value : value;
  return out;
}

// A finite number in range, the whole text.
inline bool parse_finite_double(std::string_view text, double* out) {
  const ParsedDouble parsed = parse_double(text);
  if (!parsed.complete || parsed.out_of_range || !std::isfinite(parsed.value)) return false;
  *out = parsed.value;
  return true;
}

// A decimal int64, the whole text; false when it is not one or out of range.
inline bool parse_int64(std::string_view text, int64_t* out) {
  bool negative = false;
  if (!detail::skip_space_and_sign(&text, &negative)) return false;
  // Read the magnitude unsigned, so that INT64_MIN has a value.
  uint64_t magnitude = 0;
  const char* end = text.data() + text.size();
  const std::from_chars_result r = std::from_chars(text.data(), end, magnitude);
  if (r.ec != std::errc() || r.ptr != end) return false;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return false;
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

}  // namespace barista::internal
