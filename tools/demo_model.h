// The built-in demo: a coffee shop menu and a hand-set wide & deep model
// whose wide part encodes a few customers' tastes, what goes with what in a
// basket, and what sells at which hour. Used by `barista demo` (the quick
// start) and by the CLI tests.
#pragma once

#include "writer/model_spec.h"

namespace barista::cli {

internal::ModelSpec make_demo_model();

}  // namespace barista::cli
