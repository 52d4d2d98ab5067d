// Fuzz target: the CSV reader on arbitrary text, with the first byte
// choosing the delimiter and a small field limit. Every record is read to
// the end; malformed ones give a status. Any crash, hang or sanitizer report
// is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/csv.h"

using namespace barista::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  CsvDialect dialect;
  const char delimiters[] = {',', ';', '\t', '|'};
  dialect.delimiter = delimiters[data[0] % 4];
  dialect.max_field_bytes = 64 + data[0];
  CsvReader reader;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!CsvReader::from_text(text, "fuzz.csv", dialect, &reader).ok()) return 0;
  (void)reader.header_list();
  Status error;
  size_t records = 0;
  while (reader.next(&error) && records < 1000000) {
    for (size_t i = 0; i < reader.field_count(); ++i) (void)split_values(reader.field(i), '|');
    ++records;
  }
  return 0;
}
