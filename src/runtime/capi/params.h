// The C API's params structs as this library knows them, read from a host
// that may have been compiled against an older or a newer barista.h
// (barista.h, "Parameter structs, and how they grow").
#pragma once

#include "barista.h"
#include "common/status.h"

namespace barista::internal {

// Fills `params` with the host's fields that lie within its struct_size and
// the defaults for the others; `given` may be NULL (all defaults). Refuses
// a struct_size the rule refuses, with a message for the host.
Status read_params(const barista_open_params* given, barista_open_params* params);
Status read_params(const barista_recommend_params* given, barista_recommend_params* params);
Status read_params(const barista_overlay_params* given, barista_overlay_params* params);

}  // namespace barista::internal
