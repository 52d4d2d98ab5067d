#include "data/row_filter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/parse_number.h"

namespace barista::internal {

Status RowFilters::create(const std::vector<RowFilter>& rules, const CsvReader& csv, RowFilters* out) {
  RowFilters filters;
  for (size_t r = 0; r < rules.size(); ++r) {
    const int column = csv.column(rules[r].column);
    if (column < 0) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "config: data.interactions.drop[%zu]: %s has no column '%s' (%s)",
                        r, csv.name().c_str(), rules[r].column.c_str(), csv.header_list().c_str());
    }
    Rule rule{&rules[r], static_cast<size_t>(column), std::regex()};
    if (rules[r].kind == RowFilter::Kind::Matches) {
      try {
        rule.pattern = std::regex(rules[r].pattern, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                          "config: data.interactions.drop[%zu].matches: not a valid regex (%s)", r, e.what());
      }
    }
    filters.rules_.push_back(std::move(rule));
  }
  *out = std::move(filters);
  return Status();
}

bool RowFilters::drops(const CsvReader& csv, Status* problem) const {
  *problem = Status();
  for (size_t r = 0; r < rules_.size(); ++r) {
    const Rule& rule = rules_[r];
    const std::string& field = csv.field(rule.column);
    const RowFilter& c = *rule.config;
    switch (c.kind) {
      case RowFilter::Kind::Prefix:
        for (const std::string& prefix : c.values) {
          if (field.compare(0, prefix.size(), prefix) == 0) return true;
        }
        break;
      case RowFilter::Kind::In:
        if (std::find(c.values.begin(), c.values.end(), field) != c.values.end()) return true;
        break;
      case RowFilter::Kind::Empty:
        if (field.empty()) return true;
        break;
      case RowFilter::Kind::AtMost:
      case RowFilter::Kind::AtLeast: {
        const ParsedDouble parsed = parse_double(field);
        const double v = parsed.value;
        if (!parsed.complete || parsed.out_of_range || std::isnan(v)) {
          *problem = make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s:%zu: '%s' (column '%s') is not a number (drop[%zu])",
                                csv.name().c_str(), csv.line(), field.c_str(), c.column.c_str(), r);
          return false;
        }
        if (c.kind == RowFilter::Kind::AtMost ? v <= c.bound : v >= c.bound) return true;
        break;
      }
      case RowFilter::Kind::Matches:
        if (std::regex_search(field, rule.pattern)) return true;
        break;
    }
  }
  return false;
}

}  // namespace barista::internal
