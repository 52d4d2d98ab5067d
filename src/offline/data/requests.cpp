#include "data/requests.h"

#include <algorithm>

#include "features/input_names.h"
#include "hash/fingerprint.h"

namespace barista::internal {

Status RequestBuilder::create(const TrainConfig& config, const Dataset& data, const Model& model, RequestBuilder* out) {
  RequestBuilder b;
  b.data_ = &data;
  auto input = [&](const std::string& name, int32_t* index) -> Status {
    *index = model.find_input(name);
    if (*index < 0) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "the model has no input '%s', which the configuration declares", name.c_str());
    }
    return Status();
  };
  BARISTA_RETURN_IF_ERROR(input(kUserIdInput, &b.user_input_));
  if (config.history.length > 0) {
    BARISTA_RETURN_IF_ERROR(input(kHistoryInput, &b.history_input_));
    b.history_length_ =
        std::min(config.history.length, model.inputs()[static_cast<size_t>(b.history_input_)].max_values);
  }
  int32_t item_input = -1;
  BARISTA_RETURN_IF_ERROR(input(kItemIdInput, &item_input));
  b.user_fp_.resize(data.user_count());
  for (size_t u = 0; u < data.user_count(); ++u) b.user_fp_[u] = fingerprint64(data.user_ids[u]);
  b.item_fp_.resize(data.item_count());
  for (size_t i = 0; i < data.item_count(); ++i) b.item_fp_[i] = fingerprint64(data.item_ids[i]);
  for (size_t f = 0; f < config.features.size(); ++f) {
    const FeatureConfig& fc = config.features[f];
    int32_t index = -1;
    BARISTA_RETURN_IF_ERROR(input(fc.name, &index));
    if (fc.source == FeatureSource::Item) continue;  // item features come with the item
    RequestFeature rf;
    rf.input = static_cast<uint32_t>(index);
    rf.source = fc.source;
    rf.numeric = fc.type == FeatureType::Numeric || fc.type == FeatureType::Bucketized;
    rf.values.values = &data.features[f];
    if (!rf.numeric) {
      rf.values.begin.push_back(0);
      for (const auto& list : data.features[f].categorical) {
        for (const std::string& v : list) rf.values.fingerprints.push_back(fingerprint64(v));
        rf.values.begin.push_back(static_cast<uint32_t>(rf.values.fingerprints.size()));
      }
    }
    b.features_.push_back(std::move(rf));
  }
  *out = std::move(b);
  return Status();
}

Status RequestBuilder::fill(size_t position, UserIdMode user_id, FeatureBag* bag, bool history) const {
  const Interaction& x = data_->interactions[position];
  return fill_for(x.user, position, x.row, user_id, bag, history);
}

Status RequestBuilder::fill_next(uint32_t user, FeatureBag* bag) const {
  return fill_for(user, data_->user_begin[user + 1], kNoRow, UserIdMode::Logged, bag, true);
}

Status RequestBuilder::fill_for(uint32_t user, size_t position, uint32_t row, UserIdMode user_id, FeatureBag* bag,
                                bool history) const {
  bag->clear();
  if (user_id == UserIdMode::Logged) {
    BARISTA_RETURN_IF_ERROR(bag->add_fingerprint(static_cast<uint32_t>(user_input_), user_fp_[user]));
  } else if (user_id == UserIdMode::Unseen) {
    // Not the fingerprint of any string a log would hold (2^-64 odds).
    const uint64_t unseen = fingerprint64(&position, sizeof position) ^ 0x756e7365656e2121ULL;
    BARISTA_RETURN_IF_ERROR(bag->add_fingerprint(static_cast<uint32_t>(user_input_), unseen));
  }
  if (history && history_input_ >= 0 && history_length_ > 0) {
    // The last `history_length_` positive items before `position`, oldest
    // first.
    const size_t begin = data_->user_begin[user];
    size_t start = position, found = 0;
    while (start > begin && found < history_length_) {
      --start;
      if (data_->interactions[start].label > 0.5f) ++found;
    }
    for (size_t j = start; j < position; ++j) {
      if (data_->interactions[j].label > 0.5f) {
        BARISTA_RETURN_IF_ERROR(
            bag->add_fingerprint(static_cast<uint32_t>(history_input_), item_fp_[data_->interactions[j].item]));
      }
    }
  }
  for (const RequestFeature& f : features_) {
    if (f.source != FeatureSource::User && row == kNoRow) continue;
    const size_t entity = f.source == FeatureSource::User ? user : row;
    if (f.numeric) {
      if (f.values.values->present[entity])
        BARISTA_RETURN_IF_ERROR(bag->set_number(f.input, static_cast<double>(f.values.values->numeric[entity])));
    } else {
      for (uint32_t k = f.values.begin[entity]; k < f.values.begin[entity + 1]; ++k) {
        BARISTA_RETURN_IF_ERROR(bag->add_fingerprint(f.input, f.values.fingerprints[k]));
      }
    }
  }
  return Status();
}

void RequestBuilder::seen_before(size_t position, std::vector<uint32_t>* items) const {
  items->clear();
  const Interaction& x = data_->interactions[position];
  for (size_t j = data_->user_begin[x.user]; j < position; ++j) items->push_back(data_->interactions[j].item);
  std::sort(items->begin(), items->end());
  items->erase(std::unique(items->begin(), items->end()), items->end());
}

}  // namespace barista::internal
