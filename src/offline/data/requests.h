// Builds the runtime request for "user u at interaction i" from a Dataset:
// the user id, the history (the user's last N positive items before i), the
// user's features and the context of interaction i. Training, validation and
// evaluation all go through it, so a model sees the same features when it
// learns and when it is judged.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "config/train_config.h"
#include "data/dataset.h"
#include "features/feature_bag.h"
#include "model/model.h"

namespace barista::internal {

// How a request carries the user id.
enum class UserIdMode {
  Logged,  // the user's id from the log
  Unseen,  // an id no vocabulary holds: a customer the model has never seen
           // (the user id's out-of-vocabulary buckets, spread by position)
  Absent,  // none: an anonymous customer
};

class RequestBuilder {
 public:
  // Fails when the model lacks an input the configuration declares.
  static Status create(const TrainConfig& config, const Dataset& data, const Model& model, RequestBuilder* out);

  // Fills `bag` (a request bag of `model`, cleared first) for the user of
  // interaction `position`; without `history`, the history input stays
  // empty (for the overlay's customer memory to fill).
  Status fill(size_t position, UserIdMode user_id, FeatureBag* bag, bool history = true) const;

  // The request of `user` after their last interaction: their whole history
  // (the last positives), their user features, and no context features
  // (those belong to a visit); what batch recommendations ask with.
  Status fill_next(uint32_t user, FeatureBag* bag) const;

  // The catalog items of the user's interactions before `position` (sorted,
  // unique): what a ranking excludes.
  void seen_before(size_t position, std::vector<uint32_t>* items) const;

 private:
  static constexpr uint32_t kNoRow = 0xffffffffu;
  Status fill_for(uint32_t user, size_t position, uint32_t row, UserIdMode user_id, FeatureBag* bag,
                  bool history) const;

  struct EntityValues {  // fingerprints per entity (CSR), or numbers
    std::vector<uint32_t> begin;
    std::vector<uint64_t> fingerprints;
    const FeatureValues* values = nullptr;
  };

  const Dataset* data_ = nullptr;
  uint32_t history_length_ = 0;
  int32_t user_input_ = -1;
  int32_t history_input_ = -1;
  std::vector<uint64_t> user_fp_;
  std::vector<uint64_t> item_fp_;
  // Request-side configured features: (input, source, numeric, values).
  struct RequestFeature {
    uint32_t input;
    FeatureSource source;
    bool numeric;
    EntityValues values;
  };
  std::vector<RequestFeature> features_;
};

}  // namespace barista::internal
