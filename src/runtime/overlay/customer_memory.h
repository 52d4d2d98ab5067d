// Customer memory: the items each customer took most recently, kept on the
// device beside the learned weights, so that a request naming a known
// customer and no history can be scored with the history the device saw.
//
// Per customer, the value fingerprints of the last `length` items taken,
// oldest first (duplicates kept: a customer's usual appears as often as it
// was taken, as in a history the trainer builds from a log). `length` is
// the model's history length: the most values its history input accepts.
//
// As the learned weights: everything is allocated when the memory is
// created, from the host's limit, and nothing afterwards. When the memory
// is full, the customer who took something least recently is evicted.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/span.h"
#include "common/status.h"

namespace barista::internal {

class CustomerMemory {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  // A memory of at most `memory_limit` bytes for histories of `length`
  // items. A limit of 0, or a length of 0 (a model without a history
  // input), makes a memory that remembers nothing; a non-zero limit below
  // one customer's bytes is refused (LIMIT_EXCEEDED).
  static Status create(size_t memory_limit, uint32_t length, CustomerMemory* out);

  CustomerMemory() = default;
  ~CustomerMemory();
  CustomerMemory(CustomerMemory&& other) noexcept;
  CustomerMemory& operator=(CustomerMemory&& other) noexcept;
  CustomerMemory(const CustomerMemory&) = delete;
  CustomerMemory& operator=(const CustomerMemory&) = delete;

  bool enabled() const { return capacity_ > 0; }
  uint32_t length() const { return length_; }
  size_t capacity() const { return capacity_; }  // customers
  size_t customers() const { return size_; }
  size_t memory_bytes() const { return memory_bytes_; }
  uint64_t evictions() const { return evictions_; }

  // The customer's items, oldest first; empty for a customer not remembered.
  // Valid until the next change.
  Span<uint64_t> recent(uint64_t user) const;

  // `item` taken by `user`: appended (the oldest dropped beyond `length`),
  // and the customer becomes the most recent (evicting the least recent
  // when the memory is full). Does nothing when disabled.
  void remember(uint64_t user, uint64_t item);
  // Sets the customer's items as a journal or snapshot recorded them (the
  // last `length` of them), as the most recent customer.
  void restore(uint64_t user, Span<uint64_t> items);
  // Erases the customer; returns whether they were remembered.
  bool forget(uint64_t user);

  // Every customer, least recent first: f(uint64_t user, Span<uint64_t> items).
  template <class F>
  void for_each_oldest_first(F&& f) const {
    for (uint32_t c = lru_tail_; c != kNone; c = records_[c].lru_prev) {
      f(records_[c].user, Span<uint64_t>(items_ + size_t{c} * length_, records_[c].count));
    }
  }

  void clear();

 private:
  struct Record {
    uint64_t user;
    uint32_t count;
    uint32_t lru_prev, lru_next;  // most recent at the head; free records linked through lru_next
  };

  uint32_t find_slot(uint64_t user) const;  // in slots_, or kNone
  uint32_t take(uint64_t user);             // the customer's record, created (evicting) if need be; made most recent
  void unlink(uint32_t record);
  void push_front(uint32_t record);
  void erase_slot(uint32_t slot);
  void release();

  uint32_t length_ = 0;
  size_t capacity_ = 0;
  size_t size_ = 0;
  size_t memory_bytes_ = 0;
  uint64_t evictions_ = 0;
  uint32_t mask_ = 0;
  Record* records_ = nullptr;
  uint64_t* items_ = nullptr;   // capacity_ x length_
  uint32_t* slots_ = nullptr;   // record + 1, 0 when empty
  uint32_t free_head_ = kNone;
  uint32_t lru_head_ = kNone, lru_tail_ = kNone;
};

}  // namespace barista::internal
