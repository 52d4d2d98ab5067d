// Turns a TrainConfig and the training data into the ModelSpec the trainer
// fills in: inputs named after the features ("user_id", "history",
// "item_id", features[].name), one column per feature (vocabularies and
// numeric statistics computed from the training split), the crosses, the
// wide terms, the deep inputs (request side first) and initialized weights.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"
#include "config/train_config.h"
#include "data/dataset.h"
#include "features/input_names.h"
#include "writer/model_spec.h"

namespace barista::internal {

Status build_model_spec(const TrainConfig& config, const Dataset& data, const Split& split, ModelSpec* spec);

}  // namespace barista::internal
