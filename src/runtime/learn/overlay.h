// An overlay: on-device learning for one model, in one object. It owns the
// learned weights (OverlayStore), the learner that takes FTRL steps on them,
// the customer memory (the items each customer took last), and, when the
// overlay lives in files, the journal that records every change
// (OverlayFile). The C API's barista_overlay wraps one and only checks
// arguments and maps statuses; sessions read its store and its memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/alloc.h"
#include "common/span.h"
#include "common/status.h"
#include "features/feature_bag.h"
#include "learn/learner.h"
#include "overlay/customer_memory.h"
#include "overlay/overlay_file.h"
#include "overlay/overlay_store.h"
#include "score/serving_index.h"

namespace barista::internal {

struct OverlayOptions {
  size_t memory_limit = size_t{1} << 20;
  // Of the customer memory; 0 turns it off (nothing remembered, no request
  // filled).
  size_t customer_memory_limit = size_t{1} << 20;
  FtrlParams ftrl;
  // The weight of a label-0 step for a shown item that was not taken.
  float shown_weight = kDefaultShownWeight;
  // Opening files whose journal is damaged part-way keeps what comes before
  // the damage instead of failing (OverlayFile::open).
  bool salvage = false;
};

class Overlay {
 public:
  // An overlay of the model `index` serves, in memory (`path` empty) or in
  // the files at `path` (recovered first). `index` must outlive it.
  static Status open(const ServingIndex& index, const std::string& path, const OverlayOptions& options,
                     std::unique_ptr<Overlay>* out);

  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  // Learning: the Learner's observations, each journaled when it changed
  // something. Observations are checked before their first step; only
  // overflowing learned weights can stop one part-way, and what it learned
  // is kept (and journaled).
  Status observe(const FeatureBag& request, uint32_t item, float label, float weight);
  Status observe_described(const FeatureBag& request, const FeatureBag& item, float label, float weight);
  Status observe_shown(const FeatureBag& request, Span<uint32_t> shown, uint32_t taken);

  // Erases everything learned and remembered for `user` (a user id
  // fingerprint), from memory now and from the files at the next sync.
  void forget_user(uint64_t user);

  // The request to score or learn with: `request` itself, or, when it names
  // a customer the memory holds and gives its history input no value, a
  // copy in `scratch` whose history is the remembered items (oldest first).
  const FeatureBag& with_memory(const FeatureBag& request, FeatureBag* scratch) const;
  // The input customer memory fills: the model's multi-valent categorical
  // user input named "history" (the trainer's; its values are item ids), or
  // -1 when the model has none (then nothing is remembered).
  static int32_t history_input(const Model& model);

  // Durability (OverlayFile); no-ops for an overlay in memory.
  Status sync();
  Status compact();

  const OverlayStore& store() const { return store_; }
  const CustomerMemory& memory() const { return memory_; }
  // Null for an overlay in memory.
  const OverlayFile* file() const { return file_.get(); }
  // What opening the files found.
  const OverlayRecovery& recovery() const { return recovery_; }

 private:
  Overlay(const ServingIndex& index, OverlayStore store, CustomerMemory memory, float shown_weight);
  void journal(const FeatureBag& request);
  // After a successful observation: `item` (a value fingerprint) taken.
  void remember(const FeatureBag& request, uint64_t item);

  OverlayStore store_;
  CustomerMemory memory_;
  int32_t history_input_;
  Learner learner_;
  float shown_weight_;
  std::unique_ptr<OverlayFile> file_;
  OverlayRecovery recovery_;
  Vec<LearnedState> steps_;  // of the current observation, for the journal
  FeatureBag filled_;        // an observed request with its remembered history
};

}  // namespace barista::internal
