// Catalog changes without retraining: items marked unavailable (never
// recommended until available again) and items added by their features
// (ranked with the catalog), kept beside a model whose file stays untouched.
//
// Added items go through the fast path: their item half of the first layer
// and their item-only wide sum are computed once, when added (or loaded),
// so a recommendation costs for them what it costs for catalog items plus
// their crosses with the request. At most kMaxAddedItems.
//
// The file (PATH) is small and rewritten whole on save(): a temporary
// file, fsync, rename, directory fsync, so it holds the last saved state
// or the one before, never a mix. Layout (little-endian): a 48-byte header
// -- "BRSTCATC", format version u32, 0 u32, the model's fingerprint u64,
// body length u64, body Fingerprint64 u64, header Fingerprint64 u64 --
// then the body: unavailable count u32 and their catalog indices u32
// (ascending); added count u32, and per added item its id (length u32,
// bytes) and per item-side input of the model, in input order but the item
// id input: categorical -- count u32, value fingerprints u64; numeric --
// set u8, value f32.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/alloc.h"
#include "common/span.h"
#include "common/status.h"
#include "features/encoder.h"
#include "features/feature_bag.h"
#include "model/model.h"
#include "score/scorer.h"

namespace barista::internal {

class CatalogChanges {
 public:
  static constexpr size_t kMaxAddedItems = 4096;

  // The changes saved at `path` (none yet: no changes), or in memory only
  // (`path` empty). Refused: another model's file (WRONG_MODEL), another
  // version (UNSUPPORTED_VERSION), a damaged one (CORRUPT_OVERLAY).
  static Status open(const Model& model, const std::string& path, std::unique_ptr<CatalogChanges>* out);

  // Catalog item `item` (in range) becomes unavailable or available again.
  Status set_available(uint32_t item, bool available);
  // Adds an item not in the catalog by its id and features (an item bag;
  // its item id input, if set, must hold `id`). An added item with the same
  // id is replaced. Refused: an id the catalog holds (use availability), an
  // empty id, more than kMaxAddedItems.
  Status add(std::string_view id, const FeatureBag& features);
  // Removes an added item (NOT_FOUND when there is none with this id).
  Status remove(std::string_view id);
  // Writes the changes to the file (a no-op in memory).
  Status save();

  Span<uint32_t> unavailable() const { return unavailable_; }  // ascending
  bool available(uint32_t item) const;
  size_t added_count() const { return added_.size(); }
  const std::string& added_id(size_t i) const { return added_[i]->id; }
  const FeatureBag& added_features(size_t i) const { return added_[i]->bag; }
  // The added items as the scorer ranks them, in added order.
  Span<PreparedItem> prepared() const { return prepared_; }
  // Index of the added item with this id, or -1.
  int64_t find_added(std::string_view id) const;

 private:
  struct Added {
    std::string id;
    FeatureBag bag;
    Vec<float> half;  // the item half of the first layer
    float item_wide = 0.0f;
  };

  explicit CatalogChanges(const Model& model);
  Status prepare(Added* added);
  void refresh_prepared();
  Status load(const Vec<uint8_t>& data);
  void encode(Vec<uint8_t>* out) const;

  const Model& model_;
  Encoder encoder_;
  std::string path_;
  Vec<uint32_t> unavailable_;
  Vec<std::unique_ptr<Added>> added_;
  Vec<PreparedItem> prepared_;
  Vec<float> x_;
};

}  // namespace barista::internal
