#include "data/csv.h"

#include <cstdint>

namespace barista::internal {

Status CsvReader::open(const std::string& path, const CsvDialect& dialect, CsvReader* out) {
  CsvReader reader;
  reader.name_ = path;
  reader.dialect_ = dialect;
  BARISTA_RETURN_IF_ERROR(FileMap::open(path.c_str(), UINT64_MAX >> 1, &reader.map_));
  reader.text_ = std::string_view(reinterpret_cast<const char*>(reader.map_.data()), reader.map_.size());
  BARISTA_RETURN_IF_ERROR(reader.start());
  *out = std::move(reader);
  return Status();
}

Status CsvReader::from_text(std::string text, const std::string& name, const CsvDialect& dialect, CsvReader* out) {
  CsvReader reader;
  reader.name_ = name;
  reader.dialect_ = dialect;
  reader.text_storage_ = std::move(text);
  BARISTA_RETURN_IF_ERROR(reader.start());
  *out = std::move(reader);
  // The view must point at the moved-to storage.
  out->text_ = out->text_storage_;
  return Status();
}

Status CsvReader::start() {
  if (text_.empty() && !text_storage_.empty()) text_ = text_storage_;
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte-order mark
  if (pos_ >= text_.size()) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: the file is empty", name_.c_str());
  record_line_ = line_;
  if (!dialect_.header) {
    // Columns named by position; the first record is data, read again.
    const size_t pos = pos_, line = line_;
    std::vector<std::string> first;
    BARISTA_RETURN_IF_ERROR(read_record(&first));
    pos_ = pos;
    line_ = line;
    for (size_t i = 0; i < first.size(); ++i) header_.push_back(std::to_string(i + 1));
    return Status();
  }
  BARISTA_RETURN_IF_ERROR(read_record(&header_));
  for (size_t i = 0; i < header_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (header_[i] == header_[j] && !header_[i].empty()) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s:1: column '%s' appears twice in the header",
                          name_.c_str(), header_[i].c_str());
      }
    }
  }
  return Status();
}

Status CsvReader::error_here(const std::string& what) const {
  return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s:%zu: %s", name_.c_str(), record_line_, what.c_str());
}

int CsvReader::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string CsvReader::header_list() const {
  std::string list;
  for (const std::string& h : header_) list += (list.empty() ? "'" : ", '") + h + "'";
  return list;
}

// Reads one record starting at pos_ (which is at the start of a line).
Status CsvReader::read_record(std::vector<std::string>* fields) {
  fields->clear();
  const char delimiter = dialect_.delimiter, quote = dialect_.quote;
  std::string field;
  while (true) {
    // Start of a field.
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == quote) {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) return error_here("a quoted field is not closed before the end of the file");
        const char c = text_[pos_];
        if (c == quote) {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == quote) {  // "" stands for "
            field += quote;
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\n') ++line_;
        field += c;
        ++pos_;
        if (field.size() > dialect_.max_field_bytes) {
          return error_here("a field is longer than " + std::to_string(dialect_.max_field_bytes) + " bytes");
        }
      }
      // After the closing quote: a delimiter, a line end or the end.
      if (pos_ < text_.size() && text_[pos_] != delimiter && text_[pos_] != '\n' && text_[pos_] != '\r') {
        return error_here("unexpected text after a closing quote");
      }
    } else {
      const size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != delimiter && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      field.assign(text_.data() + start, pos_ - start);
    }
    if (field.size() > dialect_.max_field_bytes) {
      return error_here("a field is longer than " + std::to_string(dialect_.max_field_bytes) + " bytes");
    }
    fields->push_back(field);
    if (pos_ < text_.size() && text_[pos_] == delimiter) {
      ++pos_;
      continue;
    }
    // End of the record: CRLF, LF, a lone CR, or the end of the text.
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    return Status();
  }
}

bool CsvReader::next(Status* error) {
  *error = Status();
  fields_.clear();
  // Blank lines between records are skipped.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  const size_t record_start = pos_;
  Status status = read_record(&fields_);
  if (status.ok() && fields_.size() != header_.size()) {  // a ragged record
    status =
        error_here(std::to_string(fields_.size()) + " fields where the header has " + std::to_string(header_.size()));
  }
  if (!status.ok()) {
    // A malformed record costs its first line only: reading resumes on the
    // next line, so that a quote left open does not swallow the records
    // after it (a quoted field may span lines, and would run on to the next
    // quote or the end of the file).
    fields_.clear();
    *error = status;
    pos_ = record_start;
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    if (pos_ < text_.size()) ++pos_;
    line_ = record_line_ + 1;
  }
  return true;
}

std::vector<std::string_view> split_values(std::string_view field, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= field.size()) {
    const size_t end = field.find(separator, start);
    const size_t stop = end == std::string_view::npos ? field.size() : end;
    if (stop > start) parts.push_back(field.substr(start, stop - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace barista::internal
