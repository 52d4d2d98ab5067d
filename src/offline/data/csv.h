// A CSV reader for interaction logs and feature tables, as they come in the
// real world: a header row (or none), RFC 4180 quoting ("a, b", "say ""hi"""), quoted
// line breaks, CRLF or LF line endings, a UTF-8 byte-order mark, empty
// (missing) fields. Values are bytes; no encoding is assumed or rewritten.
// A malformed record is reported with the file and line where it starts,
// and reading resumes at the next line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "platform/file_map.h"

namespace barista::internal {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
  bool header = true;  // false: no header row; the columns are named "1", "2", ...
  size_t max_field_bytes = 1 << 20;  // a longer field is a malformed record
};

class CsvReader {
 public:
  CsvReader() = default;
  CsvReader(CsvReader&&) = default;
  CsvReader& operator=(CsvReader&&) = default;

  // Maps the file and reads its header row.
  static Status open(const std::string& path, const CsvDialect& dialect, CsvReader* out);
  // Reads CSV text held in memory; `name` stands for the file in messages.
  static Status from_text(std::string text, const std::string& name, const CsvDialect& dialect, CsvReader* out);

  const std::vector<std::string>& header() const { return header_; }
  // Position of the header column `name`, or -1.
  int column(std::string_view name) const;
  // "'userId', 'movieId'" — for messages.
  std::string header_list() const;

  // Reads the next record. Returns false at the end of the file. A malformed
  // record (bad quoting, a field over the size limit, a different number of
  // fields than the header) sets *error and returns true with no fields;
  // the caller skips it or stops.
  bool next(Status* error);

  size_t field_count() const { return fields_.size(); }
  const std::string& field(size_t i) const { return fields_[i]; }
  // The line where the current record starts (1-based).
  size_t line() const { return record_line_; }
  const std::string& name() const { return name_; }
  // The whole text (for fingerprinting the input).
  std::string_view text() const { return text_; }

 private:
  Status start();
  Status read_record(std::vector<std::string>* fields);
  Status error_here(const std::string& what) const;

  FileMap map_;
  std::string text_storage_;
  std::string_view text_;
  std::string name_;
  CsvDialect dialect_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t record_line_ = 0;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
};

// Splits a multi-valent field ("Action|Comedy") on `separator`, trimming
// nothing and dropping empty parts.
std::vector<std::string_view> split_values(std::string_view field, char separator);

}  // namespace barista::internal
