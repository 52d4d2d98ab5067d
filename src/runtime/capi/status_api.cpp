// Versions and status texts.
#include <cstdio>
#include <cstring>

#include "capi/handles.h"

namespace {

struct StatusText {
  barista_status status;
  const char* name;
  const char* description;
};

// Indexed by status number; append only, like the enum.
constexpr StatusText kStatusTexts[] = {
    {BARISTA_STATUS_OK, "BARISTA_STATUS_OK", "success"},
    {BARISTA_STATUS_INVALID_ARGUMENT, "BARISTA_STATUS_INVALID_ARGUMENT",
     "an argument is invalid (NULL, wrong handle, out of range, not finite)"},
    {BARISTA_STATUS_NOT_FOUND, "BARISTA_STATUS_NOT_FOUND", "no such input or item"},
    {BARISTA_STATUS_IO_ERROR, "BARISTA_STATUS_IO_ERROR", "the file could not be read"},
    {BARISTA_STATUS_NOT_A_MODEL, "BARISTA_STATUS_NOT_A_MODEL", "the data is not a barista model"},
    {BARISTA_STATUS_UNSUPPORTED_VERSION, "BARISTA_STATUS_UNSUPPORTED_VERSION",
     "the model file's format or quantization version is not supported"},
    {BARISTA_STATUS_CORRUPT_MODEL, "BARISTA_STATUS_CORRUPT_MODEL", "the model file failed verification"},
    {BARISTA_STATUS_LIMIT_EXCEEDED, "BARISTA_STATUS_LIMIT_EXCEEDED", "a documented limit was exceeded"},
    {BARISTA_STATUS_OUT_OF_MEMORY, "BARISTA_STATUS_OUT_OF_MEMORY", "out of memory"},
    {BARISTA_STATUS_BUFFER_TOO_SMALL, "BARISTA_STATUS_BUFFER_TOO_SMALL", "an output buffer is too small"},
    {BARISTA_STATUS_UNSUPPORTED, "BARISTA_STATUS_UNSUPPORTED", "not supported by this build or CPU"},
    {BARISTA_STATUS_INTERNAL, "BARISTA_STATUS_INTERNAL", "internal error in barista"},
    {BARISTA_STATUS_CORRUPT_OVERLAY, "BARISTA_STATUS_CORRUPT_OVERLAY", "an overlay file is damaged"},
    {BARISTA_STATUS_WRONG_MODEL, "BARISTA_STATUS_WRONG_MODEL", "the overlay file belongs to another model"},
};

const StatusText* find_status(barista_status status) {
  const auto index = static_cast<size_t>(status);
  if (index >= sizeof kStatusTexts / sizeof kStatusTexts[0]) return nullptr;
  return &kStatusTexts[index];
}

}  // namespace

namespace barista::internal {

void fill_error(barista_error* out, barista_status code, const char* message) {
  if (out == nullptr) return;
  out->status = code;
  std::snprintf(out->message, sizeof out->message, "%s", message);
}

}  // namespace barista::internal

extern "C" {

const char* barista_version(void) { return BARISTA_VERSION_STRING; }

uint32_t barista_version_number(void) { return BARISTA_VERSION_NUMBER; }

const char* barista_status_name(barista_status status) {
  const StatusText* text = find_status(status);
  return text ? text->name : nullptr;
}

const char* barista_status_describe(barista_status status) {
  const StatusText* text = find_status(status);
  return text ? text->description : "unknown status";
}

}  // extern "C"
