// An interaction log and its feature tables, loaded from CSV files as a
// TrainConfig describes them, and the time-ordered leave-last-out split that
// training and evaluation share.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "config/train_config.h"

namespace barista::internal {

struct Interaction {
  uint32_t user = 0;
  uint32_t item = 0;
  int64_t time = 0;
  float label = 1.0f;  // 1 for implicit feedback
  float weight = 1.0f;
  // Position among the rows loaded (0-based; rows dropped by filters or
  // as bad are not counted): the index of context feature values. Users
  // with too few items leave later, so numbers can exceed the count kept.
  uint32_t row = 0;
};

// Values of one configured feature: per item (item features), per user (user
// features) or per interaction row (context features).
struct FeatureValues {
  std::vector<std::vector<std::string>> categorical;  // categorical features
  std::vector<float> numeric;                         // numeric features
  std::vector<uint8_t> present;                       // numeric: 0 when missing
};

struct Dataset {
  std::vector<std::string> user_ids;
  std::unordered_map<std::string, uint32_t> user_index;
  std::vector<std::string> item_ids;  // the catalog
  std::unordered_map<std::string, uint32_t> item_index;
  bool integer_item_ids = false;  // every item id is a canonical decimal int64

  // Grouped by user, time-ordered within each user (ties keep file order).
  std::vector<Interaction> interactions;
  std::vector<uint32_t> user_begin;  // user u: [user_begin[u], user_begin[u + 1])

  std::vector<FeatureValues> features;  // parallel to TrainConfig::features

  size_t rows_read = 0;
  size_t dropped_rows = 0;     // by data.interactions.drop
  size_t repeats_dropped = 0;  // data.repeats "first"
  size_t users_left_out = 0;   // data.min_user_items
  size_t bad_rows = 0;
  std::vector<std::string> bad_row_messages;  // the first few, with file and line
  std::string fingerprint;                    // of the input files' bytes, hex

  size_t user_count() const { return user_ids.size(); }
  size_t item_count() const { return item_ids.size(); }
};

// Loads the files of `config.data`. Bad rows are skipped and counted (or
// stop the load, per config); the first ones are kept for the report.
Status load_dataset(const TrainConfig& config, Dataset* out);

// Leave-last-out in time order, per user:
// - Holdout::Last: the last interaction is the test target and, when
//   validating, the one before it the validation target. A user with one
//   interaction keeps it for training.
// - Holdout::LastNew: the test target is the user's last interaction with an
//   item they had not had before; the validation target is the last such
//   interaction before it. Everything from the test target on (repeats of
//   known items after it, too) stays out of training, and so does
//   everything from the validation target on. A user whose only new item is
//   their first interaction has no target and trains on everything.
// - Holdout::None: no targets.
// Training keeps at least one interaction per user that has a target.
struct Split {
  std::vector<int64_t> test;         // per user: interaction index, or -1
  std::vector<int64_t> validation;   // per user: interaction index, or -1
  std::vector<uint8_t> in_training;  // per interaction
  size_t training_count = 0;
};

Split make_split(const Dataset& data, TrainingConfig::Holdout holdout, bool validation);

}  // namespace barista::internal
