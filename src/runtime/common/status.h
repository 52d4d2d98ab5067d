// Status: a barista_status code plus a message, returned by every fallible
// internal function and turned into the C API's status at the boundary.
#pragma once

#include <string>
#include <utility>

#include "barista.h"

namespace barista::internal {

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(barista_status code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == BARISTA_STATUS_OK; }
  barista_status code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  barista_status code_ = BARISTA_STATUS_OK;
  std::string message_;
};

// printf-style construction of a failed Status.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
Status
make_error(barista_status code, const char* format, ...);

// Returns the status of `expr` when it failed. (__COUNTER__ gives each
// expansion its own variable, so the macro nests inside lambdas passed to it.)
#define BARISTA_RETURN_IF_ERROR(expr) BARISTA_RETURN_IF_ERROR_IMPL(expr, BARISTA_CONCAT(status_, __COUNTER__))
#define BARISTA_RETURN_IF_ERROR_IMPL(expr, var) \
  do {                                          \
    ::barista::internal::Status var = (expr);   \
    if (!var.ok()) return var;                  \
  } while (0)
#define BARISTA_CONCAT(a, b) BARISTA_CONCAT_IMPL(a, b)
#define BARISTA_CONCAT_IMPL(a, b) a##b

}  // namespace barista::internal
