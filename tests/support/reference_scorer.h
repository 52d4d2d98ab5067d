// An independent, deliberately plain implementation of the model
// (src/README.md, 'The model'), written for the tests: it reads the
// ModelSpec (not the file), looks vocabularies up by string, hashes with the
// (vector-tested) fingerprint functions and computes in double precision. The runtime must agree with it.
#pragma once

#include "support/test_models.h"

namespace barista_test {

// p(interaction) for a request and a catalog item (item_values empty) or a
// described item.
double reference_probability(const ModelSpec& spec, const Values& request, int64_t catalog_item,
                             const Values* described_item = nullptr);

}  // namespace barista_test
