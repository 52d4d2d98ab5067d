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

#define BARISTA_RETURN_IF_ERROR(expr)        \
  do {                                       \
    ::barista::internal::Status _s = (expr); \
    if (!_s.ok()) return _s;                 \
  } while (0)

}  // namespace barista::internal
