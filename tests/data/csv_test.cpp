// CSV edge cases: what real logs look like.
#include <doctest/doctest.h>

#include "data/csv.h"

using namespace barista::internal;

namespace {
CsvReader reader(const std::string& text, CsvDialect dialect = CsvDialect()) {
  CsvReader r;
  const Status s = CsvReader::from_text(text, "t.csv", dialect, &r);
  REQUIRE_MESSAGE(s.ok(), s.message());
  return r;
}
std::vector<std::string> row(CsvReader& r) {
  Status error;
  REQUIRE(r.next(&error));
  REQUIRE_MESSAGE(error.ok(), error.message());
  std::vector<std::string> fields;
  for (size_t i = 0; i < r.field_count(); ++i) fields.push_back(r.field(i));
  return fields;
}
}  // namespace

TEST_CASE("csv: quoting, CRLF, a byte-order mark, empty fields, blank lines") {
  CsvReader r = reader(
      "\xEF\xBB\xBFid,title,genres\r\n"
      "1,\"Toy Story (1995)\",Animation|Comedy\r\n"
      "2,\"American President, The (1995)\",\r\n"
      "\r\n"
      "3,\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
      "4,,x");
  CHECK(r.header() == std::vector<std::string>{"id", "title", "genres"});
  CHECK(r.column("genres") == 2);
  CHECK(r.column("nope") == -1);
  CHECK(row(r) == std::vector<std::string>{"1", "Toy Story (1995)", "Animation|Comedy"});
  CHECK(r.line() == 2);
  CHECK(row(r) == std::vector<std::string>{"2", "American President, The (1995)", ""});
  CHECK(row(r) == std::vector<std::string>{"3", "say \"hi\"", "two\nlines"});
  CHECK(r.line() == 5);
  CHECK(row(r) == std::vector<std::string>{"4", "", "x"});  // no final newline
  CHECK(r.line() == 7);
  Status error;
  CHECK(!r.next(&error));
}

TEST_CASE("csv: malformed records are reported by line and skipped, reading goes on") {
  CsvDialect dialect;
  dialect.max_field_bytes = 10;
  CsvReader r = reader(
      "a,b\n"
      "1,2\n"
      "1,2,3\n"           // ragged
      "\"x\"y,2\n"        // text after a closing quote
      "0123456789AB,2\n"  // a field over the limit
      "5,6\n"
      "7,\"open\n",
      dialect);
  CHECK(row(r) == std::vector<std::string>{"1", "2"});
  Status error;
  REQUIRE(r.next(&error));
  CHECK(error.message() == "t.csv:3: 3 fields where the header has 2");
  CHECK(r.field_count() == 0);
  REQUIRE(r.next(&error));
  CHECK(error.message() == "t.csv:4: unexpected text after a closing quote");
  REQUIRE(r.next(&error));
  CHECK(error.message() == "t.csv:5: a field is longer than 10 bytes");
  CHECK(row(r) == std::vector<std::string>{"5", "6"});
  REQUIRE(r.next(&error));
  CHECK(error.message() == "t.csv:7: a quoted field is not closed before the end of the file");
  CHECK(!r.next(&error));
}

TEST_CASE("csv: a quote left open costs its own line, not the records after it") {
  // Read to the next quote (or the end of the file), the open quote would
  // swallow the next lines: one bad record counted, three lost.
  CsvReader r = reader(
      "user,item\n"
      "a,\"latte\n"  // never closed
      "b,mocha\n"
      "c,\"flat white\"\n"
      "d,tea\n"
      "e,\"chai\n",  // never closed, at the end
      CsvDialect());
  Status error;
  REQUIRE(r.next(&error));
  CHECK(error.message() == "t.csv:2: unexpected text after a closing quote");
  CHECK(row(r) == std::vector<std::string>{"b", "mocha"});
  CHECK(r.line() == 3);
  CHECK(row(r) == std::vector<std::string>{"c", "flat white"});
  CHECK(row(r) == std::vector<std::string>{"d", "tea"});
  REQUIRE(r.next(&error));
  CHECK(error.message() == "t.csv:6: a quoted field is not closed before the end of the file");
  CHECK(!r.next(&error));
}

TEST_CASE("csv: another delimiter, an empty file, a duplicate header column") {
  CsvDialect tabs;
  tabs.delimiter = '\t';
  CsvReader r = reader("u\ti\nalice\tlatte\n", tabs);
  CHECK(row(r) == std::vector<std::string>{"alice", "latte"});
  CsvReader empty;
  CHECK(CsvReader::from_text("", "e.csv", CsvDialect(), &empty).message() == "e.csv: the file is empty");
  CHECK(CsvReader::from_text("a,b,a\n", "d.csv", CsvDialect(), &empty).message() ==
        "d.csv:1: column 'a' appears twice in the header");
  CsvReader missing;
  CHECK(CsvReader::open("/no/such.csv", CsvDialect(), &missing).code() == BARISTA_STATUS_IO_ERROR);
}

TEST_CASE("csv: multi-valent fields split on a separator, empty parts dropped") {
  CHECK(split_values("Action|Comedy", '|') == std::vector<std::string_view>{"Action", "Comedy"});
  CHECK(split_values("|a||b|", '|') == std::vector<std::string_view>{"a", "b"});
  CHECK(split_values("", '|').empty());
  CHECK(split_values("(no genres listed)", '|') == std::vector<std::string_view>{"(no genres listed)"});
}
