// The rules of data.interactions.drop, resolved against one CSV file's
// columns: which rows of an interaction log are not interactions at all
// (returns, guest checkouts, fee codes).
#pragma once

#include <regex>
#include <vector>

#include "common/status.h"
#include "config/train_config.h"
#include "data/csv.h"

namespace barista::internal {

class RowFilters {
 public:
  // Fails when a rule names a column the file lacks or an invalid regex.
  static Status create(const std::vector<RowFilter>& rules, const CsvReader& csv, RowFilters* out);

  // Whether a rule drops the current record. A field that is not a number
  // where a rule compares numbers sets *problem (the row is bad, not
  // dropped).
  bool drops(const CsvReader& csv, Status* problem) const;

  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    const RowFilter* config;
    size_t column;
    std::regex pattern;
  };
  std::vector<Rule> rules_;
};

}  // namespace barista::internal
