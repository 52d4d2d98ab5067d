#include "train/lineage.h"

namespace barista::internal {

void record_lineage(const TrainConfig& config, const TrainSummary& summary, const Split& split, const Lineage& lineage,
                    MetadataSpec* out) {
  out->metrics.emplace_back("epochs", summary.epochs);
  out->metrics.emplace_back("best_epoch", summary.best_epoch);
  if (summary.best_validation_hr >= 0) out->metrics.emplace_back("validation_hr@10", summary.best_validation_hr);
  out->metrics.emplace_back("training_interactions", static_cast<double>(split.training_count));
  // A property, not a metric: a seed above 2^53 does not survive a double.
  out->properties.emplace_back("seed", std::to_string(config.training.seed));
  if (!lineage.config_file.empty()) out->properties.emplace_back("config_file", lineage.config_file);
  if (!lineage.tune_run.empty()) out->properties.emplace_back("tune_run", lineage.tune_run);
  if (lineage.tune_trial >= 0) out->properties.emplace_back("tune_trial", std::to_string(lineage.tune_trial));
  if (!lineage.tune_role.empty()) out->properties.emplace_back("tune_role", lineage.tune_role);
}

}  // namespace barista::internal
