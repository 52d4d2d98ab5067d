// A coffee shop menu and a hand-set wide & deep model whose wide part
// encodes a few regulars' tastes (alice: chocolate, never the fruity thing
// with sprinkles), what goes with what in a basket, and what sells at which
// hour. Not trained: a fixed, readable model for examples and tests
// (`barista generate --shape coffee`).
#pragma once

#include "writer/model_spec.h"

namespace barista::cli {

internal::ModelSpec make_coffee_model();

}  // namespace barista::cli
