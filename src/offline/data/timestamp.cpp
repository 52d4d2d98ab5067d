#include "data/timestamp.h"

#include <cmath>
#include <cstdlib>

#include "common/parse_number.h"

namespace barista::internal {

namespace {

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};

bool is_leap(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(int64_t year, unsigned month) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Reads exactly `count` digits at `*pos`.
bool digits(std::string_view text, size_t* pos, size_t count, unsigned* out) {
  if (*pos + count > text.size()) return false;
  unsigned value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  *pos += count;
  *out = value;
  return true;
}

bool expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

bool parse_number(std::string_view text, int64_t* seconds) {
  double v = 0.0;
  if (!parse_finite_double(text, &v)) return false;
  if (std::fabs(v) > 9.2e18) return false;
  *seconds = static_cast<int64_t>(v);
  return true;
}

}  // namespace

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's days_from_civil: eras of 400 years, March-based years.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool parse_time(std::string_view text, int64_t* seconds, std::string* why) {
  if (parse_number(text, seconds)) return true;
  const std::string quoted = "'" + std::string(text.substr(0, 64)) + (text.size() > 64 ? "...'" : "'");
  size_t pos = 0;
  unsigned year = 0, month = 0, day = 0;
  if (!digits(text, &pos, 4, &year) || !expect(text, &pos, '-') || !digits(text, &pos, 2, &month) ||
      !expect(text, &pos, '-') || !digits(text, &pos, 2, &day)) {
    *why = quoted + " is neither a number (Unix seconds) nor an ISO 8601 date-time (YYYY-MM-DD HH:MM:SS)";
    return false;
  }
  if (month < 1 || month > 12) {
    *why = quoted + ": month " + std::to_string(month) + " is not 1 to 12";
    return false;
  }
  if (day < 1 || day > days_in_month(year, month)) {
    *why = quoted + ": day " + std::to_string(day) + " is not in " + kMonths[month - 1] + " " + std::to_string(year);
    return false;
  }
  unsigned hour = 0, minute = 0, second = 0;
  if (pos < text.size()) {
    if (text[pos] != ' ' && text[pos] != 'T') {
      *why = quoted + ": expected a space or 'T' and a time after the date";
      return false;
    }
    ++pos;
    if (!digits(text, &pos, 2, &hour) || !expect(text, &pos, ':') || !digits(text, &pos, 2, &minute)) {
      *why = quoted + ": the time is not HH:MM or HH:MM:SS";
      return false;
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!digits(text, &pos, 2, &second)) {
        *why = quoted + ": the seconds are not two digits";
        return false;
      }
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {  // a fraction, truncated
        ++pos;
        const size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        if (pos == start) {
          *why = quoted + ": no digits after the decimal mark of the seconds";
          return false;
        }
      }
    }
    if (hour > 23 || minute > 59 || second > 59) {
      *why = quoted + ": " + std::to_string(hour) + ":" + std::to_string(minute) + ":" + std::to_string(second) +
             " is not a time of day";
      return false;
    }
  }
  int64_t offset = 0;  // seconds east of UTC
  if (pos < text.size()) {
    const char sign = text[pos];
    unsigned offset_hours = 0, offset_minutes = 0;
    if (sign == 'Z') {
      ++pos;
    } else if (sign == '+' || sign == '-') {
      ++pos;
      bool ok = digits(text, &pos, 2, &offset_hours);
      if (ok && pos < text.size()) {
        if (text[pos] == ':') ++pos;
        ok = digits(text, &pos, 2, &offset_minutes);
      }
      if (!ok || offset_hours > 23 || offset_minutes > 59) {
        *why = quoted + ": the UTC offset is not +HH:MM, +HHMM or +HH";
        return false;
      }
      offset = (sign == '+' ? 1 : -1) * static_cast<int64_t>(offset_hours * 3600 + offset_minutes * 60);
    }
    if (pos != text.size()) {
      *why = quoted + ": unexpected text after the date-time";
      return false;
    }
  }
  *seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return true;
}

}  // namespace barista::internal
