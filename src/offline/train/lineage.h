// What a trained model came from, recorded in its metadata so that the file
// answers "which run, which config, which seed, how good" by itself
// (`barista inspect`, `barista runs`). The producer (barista's version), the
// data fingerprint and the effective configuration (training_config) are
// already there; this adds the training's outcome and where the run sits in
// a tuning run.
#pragma once

#include <cstdint>
#include <string>

#include "data/dataset.h"
#include "train/trainer.h"
#include "writer/model_spec.h"

namespace barista::internal {

struct Lineage {
  std::string config_file;  // as given to the command
  std::string tune_run;     // the tuning run's id (empty: not tuned)
  int64_t tune_trial = -1;  // the trial it retrains (-1: none)
  std::string tune_role;    // "best" or "base"
};

// Records in `out` what a model came from: metrics (epochs, best_epoch,
// validation_hr@10 when validated, training_interactions) and properties
// (seed, config_file, and tune_run / tune_trial / tune_role when set).
void record_lineage(const TrainConfig& config, const TrainSummary& summary, const Split& split, const Lineage& lineage,
                    MetadataSpec* out);

}  // namespace barista::internal
