// The learned weights of on-device learning, in a fixed amount of memory.
//
// An entry is one wide weight learned for one customer: the key is (user
// fingerprint, index into the model's wide weights), the value FTRL's state
// (z, n) and the weight it implies. Keying by customer keeps what one
// customer taught apart from everyone else (hashed crosses would otherwise
// mix them) and makes forgetting a customer exact.
//
// Everything is allocated when the store is created, from the host's memory
// limit, and nothing afterwards: memory use never exceeds the limit. When
// the store is full, the least recently updated entry is evicted (LRU): on a
// kiosk or a till, a customer's recent behaviour matters most, and a weight
// nobody has updated for the longest time is the cheapest to lose.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/alloc.h"
#include "common/status.h"

namespace barista::internal {

struct FtrlParams {
  // Defaults chosen with `barista eval --cold-start` (README: on-device
  // learning): a rate that moves a new customer's usual up within a few
  // visits without overshooting what the history features already say.
  float alpha = 0.3f;  // learning rate
  float beta = 1.0f;
  float l1 = 0.001f;
  float l2 = 0.001f;
};

// One FTRL step as the journal records it: the state after the step.
struct LearnedState {
  uint32_t index;
  float z, n;
};

class OverlayStore {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  struct Entry {
    uint64_t user;
    uint32_t index;
    float z, n, w;
    uint32_t lru_prev, lru_next;    // most recent at the head
    uint32_t user_prev, user_next;  // the user's entries
  };

  // The smallest memory limit a store accepts (room for 48 entries).
  static constexpr size_t kMinimumMemory = 5120;

  // Fails (LIMIT_EXCEEDED) for a limit below kMinimumMemory.
  static Status create(size_t memory_limit, const FtrlParams& params, OverlayStore* out);

  OverlayStore() = default;
  ~OverlayStore();
  OverlayStore(OverlayStore&& other) noexcept;
  OverlayStore& operator=(OverlayStore&& other) noexcept;
  OverlayStore(const OverlayStore&) = delete;
  OverlayStore& operator=(const OverlayStore&) = delete;

  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }
  size_t users() const { return users_; }  // customers with learned weights
  size_t memory_bytes() const { return memory_bytes_; }
  uint64_t evictions() const { return evictions_; }
  uint64_t updates() const { return updates_; }  // ftrl_step calls
  const FtrlParams& params() const { return params_; }

  // The entry for (user, index), or nullptr.
  const Entry* find(uint64_t user, uint32_t index) const;
  float weight(uint64_t user, uint32_t index) const {
    const Entry* e = find(user, index);
    return e ? e->w : 0.0f;
  }

  // One FTRL-Proximal step with gradient g on (user, index): creates the
  // entry (evicting the least recently updated one when full) and makes it
  // the most recent.
  const Entry& ftrl_step(uint64_t user, uint32_t index, float g);
  // Sets an entry's state as a journal or snapshot recorded it.
  void restore(uint64_t user, uint32_t index, float z, float n);

  // Removes every entry of `user`; returns how many.
  size_t forget_user(uint64_t user);
  size_t user_entries(uint64_t user) const;

  // Entries of `user` (f(const Entry&)).
  template <class F>
  void for_each_of_user(uint64_t user, F&& f) const {
    const uint32_t slot = find_user_slot(user);
    if (slot == kNone) return;
    for (uint32_t e = user_slots_[slot].head; e != kNone; e = entries_[e].user_next) f(entries_[e]);
  }
  // Every entry, least recently updated first (f(const Entry&)).
  template <class F>
  void for_each_oldest_first(F&& f) const {
    for (uint32_t e = lru_tail_; e != kNone; e = entries_[e].lru_prev) f(entries_[e]);
  }

  void clear();

 private:
  struct UserSlot {
    uint64_t user;
    uint32_t head;  // kNone: empty slot
    uint32_t count;
  };

  uint32_t find_slot(uint64_t user, uint32_t index) const;  // in index_slots_, or kNone
  uint32_t find_user_slot(uint64_t user) const;             // in user_slots_, or kNone
  uint32_t insert(uint64_t user, uint32_t index);           // a new entry (the store has room)
  uint32_t upsert(uint64_t user, uint32_t index);           // existing (made most recent) or new
  void set_state(Entry& entry, double z, double n) const;
  void remove(uint32_t entry);
  void touch(uint32_t entry);
  void unlink_lru(uint32_t entry);
  void erase_index_slot(uint32_t slot);
  void erase_user_slot(uint32_t slot);
  void release();

  FtrlParams params_;
  size_t capacity_ = 0;
  size_t size_ = 0;
  size_t users_ = 0;
  size_t memory_bytes_ = 0;
  uint64_t evictions_ = 0;
  uint64_t updates_ = 0;
  uint32_t mask_ = 0;  // slot count - 1 (both tables)
  Entry* entries_ = nullptr;
  uint32_t* index_slots_ = nullptr;  // entry + 1, 0 when empty
  UserSlot* user_slots_ = nullptr;
  uint32_t free_head_ = kNone;  // free entries, linked through lru_next
  uint32_t lru_head_ = kNone, lru_tail_ = kNone;
};

}  // namespace barista::internal
