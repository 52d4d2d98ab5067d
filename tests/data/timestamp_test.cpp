// Times in logs: Unix seconds and ISO 8601 text. Expected values were
// computed independently (Python's datetime, UTC).
#include <doctest/doctest.h>

#include <string>

#include "data/timestamp.h"

using namespace barista::internal;

namespace {

int64_t seconds_of(const std::string& text) {
  int64_t seconds = 0;
  std::string why;
  const bool ok = parse_time(text, &seconds, &why);
  CAPTURE(text);
  CAPTURE(why);
  REQUIRE(ok);
  return seconds;
}

std::string why_not(const std::string& text) {
  int64_t seconds = 12345;
  std::string why;
  CAPTURE(text);
  CHECK(!parse_time(text, &seconds, &why));
  CHECK(seconds == 12345);  // untouched
  return why;
}

}  // namespace

TEST_CASE("time: ISO 8601 dates and date-times, and Unix seconds") {
  CHECK(seconds_of("2011-01-04 10:00:00") == 1294135200);
  CHECK(seconds_of("2011-01-04T10:00:00") == 1294135200);
  CHECK(seconds_of("2011-01-04 10:00") == 1294135200);
  CHECK(seconds_of("2011-01-04 10:00:00.999") == 1294135200);  // fractions truncate
  CHECK(seconds_of("2011-01-04 10:00:00Z") == 1294135200);
  CHECK(seconds_of("2011-01-04T11:00:00+01:00") == 1294135200);
  CHECK(seconds_of("2011-01-04T05:30:00-0430") == 1294135200);
  CHECK(seconds_of("2011-01-04T12:00:00+02") == 1294135200);
  CHECK(seconds_of("2000-02-29 12:34:56") == 951827696);  // a leap day of a year divisible by 400
  CHECK(seconds_of("2011-12-09") == 1323388800);          // a date alone: midnight
  CHECK(seconds_of("1970-01-01 00:00:00") == 0);
  CHECK(seconds_of("1969-12-31 23:59:59") == -1);
  CHECK(seconds_of("1900-03-01 00:00:00") == -2203891200);
  CHECK(seconds_of("2038-01-19 03:14:08") == 2147483648);  // past 32 bits
  CHECK(seconds_of("1294135200") == 1294135200);
  CHECK(seconds_of("1294135200.75") == 1294135200);
  CHECK(seconds_of("-86400") == -86400);
}

TEST_CASE("time: what is wrong with a bad one is named") {
  CHECK(why_not("2011-02-30 10:00:00") == "'2011-02-30 10:00:00': day 30 is not in February 2011");
  CHECK(why_not("1900-02-29") == "'1900-02-29': day 29 is not in February 1900");  // 1900 is not a leap year
  CHECK(why_not("2011-13-01 10:00:00") == "'2011-13-01 10:00:00': month 13 is not 1 to 12");
  CHECK(why_not("2011-00-01") == "'2011-00-01': month 0 is not 1 to 12");
  CHECK(why_not("2011-01-04 24:00:00") == "'2011-01-04 24:00:00': 24:0:0 is not a time of day");
  CHECK(why_not("2011-01-04 10:61") == "'2011-01-04 10:61': 10:61:0 is not a time of day");
  CHECK(why_not("2011-01-04 10") == "'2011-01-04 10': the time is not HH:MM or HH:MM:SS");
  CHECK(why_not("2011-01-04 10:00:0") == "'2011-01-04 10:00:0': the seconds are not two digits");
  CHECK(why_not("2011-01-04 10:00:00.") == "'2011-01-04 10:00:00.': no digits after the decimal mark of the seconds");
  CHECK(why_not("2011-01-04 10:00:00 extra") == "'2011-01-04 10:00:00 extra': unexpected text after the date-time");
  CHECK(why_not("2011-01-04 10:00:00+25:00") == "'2011-01-04 10:00:00+25:00': the UTC offset is not +HH:MM, +HHMM or +HH");
  CHECK(why_not("2011-01-04/10:00") == "'2011-01-04/10:00': expected a space or 'T' and a time after the date");
  const std::string neither = " is neither a number (Unix seconds) nor an ISO 8601 date-time (YYYY-MM-DD HH:MM:SS)";
  CHECK(why_not("04/01/2011 10:00") == "'04/01/2011 10:00'" + neither);
  CHECK(why_not("noon") == "'noon'" + neither);
  CHECK(why_not("") == "''" + neither);
  CHECK(why_not("nan") == "'nan'" + neither);
  CHECK(why_not("1e300") == "'1e300'" + neither);  // beyond 64-bit seconds
}
