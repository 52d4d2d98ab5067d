// Times in interaction logs, as shops export them: Unix seconds, or ISO 8601
// dates and date-times in text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace barista::internal {

// Parses `text` into seconds since 1970-01-01 00:00:00 UTC:
// - a number: Unix seconds (a fraction is truncated toward zero);
// - an ISO 8601 date "YYYY-MM-DD" (midnight), or date-time
//   "YYYY-MM-DD HH:MM[:SS[.fraction]]" with a space or "T" between, and an
//   optional offset "Z", "+HH:MM", "-HH:MM", "+HHMM" or "+HH". Without an
//   offset the time is read as UTC (a shop's local time stays comparable
//   within one log).
// Returns false, with the reason in *why ("day 30 is not in February
// 2011"), when the text is neither.
bool parse_time(std::string_view text, int64_t* seconds, std::string* why);

// Days from 1970-01-01 to the proleptic Gregorian date (negative before it).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace barista::internal
