#include "overlay/customer_memory.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/alloc.h"
#include "overlay/slot_hash.h"

namespace barista::internal {

Status CustomerMemory::create(size_t memory_limit, uint32_t length, CustomerMemory* out) {
  CustomerMemory memory;
  if (memory_limit == 0 || length == 0) {
    *out = std::move(memory);
    return Status();
  }
  const size_t per_customer = sizeof(Record) + size_t{length} * sizeof(uint64_t);
  // S slots (a power of two) take 4 S bytes; at most 3/4 S customers, so
  // that linear probing stays short. Pick the S that holds the most.
  size_t slots = 0, capacity = 0;
  for (size_t s = 4; s <= (size_t{1} << 30) && s * sizeof(uint32_t) <= memory_limit; s *= 2) {
    const size_t fits = std::min(s / 4 * 3, (memory_limit - s * sizeof(uint32_t)) / per_customer);
    if (fits > capacity) {
      capacity = fits;
      slots = s;
    }
  }
  if (capacity == 0) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED,
                      "customer memory of %zu bytes holds no customer (one takes %zu bytes with a history of %u "
                      "items); give at least that, or 0 to turn it off",
                      memory_limit, per_customer + 2 * sizeof(uint32_t), length);
  }
  memory.length_ = length;
  memory.capacity_ = capacity;
  memory.mask_ = static_cast<uint32_t>(slots - 1);
  memory.records_ = static_cast<Record*>(allocate_aligned(capacity * sizeof(Record), 64));
  memory.items_ = static_cast<uint64_t*>(allocate_aligned(capacity * length * sizeof(uint64_t), 64));
  memory.slots_ = static_cast<uint32_t*>(allocate_aligned(slots * sizeof(uint32_t), 64));
  if (memory.records_ == nullptr || memory.items_ == nullptr || memory.slots_ == nullptr) {
    return make_error(BARISTA_STATUS_OUT_OF_MEMORY, "cannot allocate a customer memory of %zu bytes", memory_limit);
  }
  memory.memory_bytes_ = capacity * per_customer + slots * sizeof(uint32_t);
  memory.clear();
  *out = std::move(memory);
  return Status();
}

CustomerMemory::~CustomerMemory() { release(); }

void CustomerMemory::release() {
  if (records_) deallocate(records_);
  if (items_) deallocate(items_);
  if (slots_) deallocate(slots_);
  records_ = nullptr;
  items_ = nullptr;
  slots_ = nullptr;
}

CustomerMemory::CustomerMemory(CustomerMemory&& other) noexcept { *this = std::move(other); }

CustomerMemory& CustomerMemory::operator=(CustomerMemory&& other) noexcept {
  if (this == &other) return *this;
  release();
  std::memcpy(static_cast<void*>(this), &other, sizeof(CustomerMemory));
  other.records_ = nullptr;
  other.items_ = nullptr;
  other.slots_ = nullptr;
  other.capacity_ = other.size_ = other.memory_bytes_ = 0;
  other.free_head_ = other.lru_head_ = other.lru_tail_ = kNone;
  return *this;
}

void CustomerMemory::clear() {
  if (slots_ != nullptr) std::memset(slots_, 0, (size_t{mask_} + 1) * sizeof(uint32_t));
  for (size_t r = 0; r < capacity_; ++r) {
    records_[r].lru_next = r + 1 < capacity_ ? static_cast<uint32_t>(r + 1) : kNone;
  }
  free_head_ = capacity_ > 0 ? 0 : kNone;
  lru_head_ = lru_tail_ = kNone;
  size_ = 0;
}

uint32_t CustomerMemory::find_slot(uint64_t user) const {
  if (slots_ == nullptr) return kNone;
  for (uint32_t slot = static_cast<uint32_t>(mix_bits(user)) & mask_; slots_[slot] != 0; slot = (slot + 1) & mask_) {
    if (records_[slots_[slot] - 1].user == user) return slot;
  }
  return kNone;
}

Span<uint64_t> CustomerMemory::recent(uint64_t user) const {
  const uint32_t slot = find_slot(user);
  if (slot == kNone) return Span<uint64_t>();
  const uint32_t r = slots_[slot] - 1;
  return Span<uint64_t>(items_ + size_t{r} * length_, records_[r].count);
}

void CustomerMemory::unlink(uint32_t r) {
  Record& record = records_[r];
  if (record.lru_prev != kNone)
    records_[record.lru_prev].lru_next = record.lru_next;
  else
    lru_head_ = record.lru_next;
  if (record.lru_next != kNone)
    records_[record.lru_next].lru_prev = record.lru_prev;
  else
    lru_tail_ = record.lru_prev;
}

void CustomerMemory::push_front(uint32_t r) {
  records_[r].lru_prev = kNone;
  records_[r].lru_next = lru_head_;
  if (lru_head_ != kNone) records_[lru_head_].lru_prev = r;
  lru_head_ = r;
  if (lru_tail_ == kNone) lru_tail_ = r;
}

void CustomerMemory::erase_slot(uint32_t slot) {
  // Backward-shift deletion, as in OverlayStore: probe sequences stay unbroken.
  uint32_t hole = slot;
  slots_[hole] = 0;
  for (uint32_t j = (hole + 1) & mask_; slots_[j] != 0; j = (j + 1) & mask_) {
    const uint32_t home = static_cast<uint32_t>(mix_bits(records_[slots_[j] - 1].user)) & mask_;
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      slots_[hole] = slots_[j];
      slots_[j] = 0;
      hole = j;
    }
  }
}

uint32_t CustomerMemory::take(uint64_t user) {
  const uint32_t slot = find_slot(user);
  if (slot != kNone) {
    const uint32_t r = slots_[slot] - 1;
    if (lru_head_ != r) {
      unlink(r);
      push_front(r);
    }
    return r;
  }
  if (free_head_ == kNone) {
    // Full: the least recent customer goes.
    forget(records_[lru_tail_].user);
    ++evictions_;
  }
  const uint32_t r = free_head_;
  free_head_ = records_[r].lru_next;
  records_[r].user = user;
  records_[r].count = 0;
  push_front(r);
  uint32_t s = static_cast<uint32_t>(mix_bits(user)) & mask_;
  while (slots_[s] != 0) s = (s + 1) & mask_;
  slots_[s] = r + 1;
  ++size_;
  return r;
}

void CustomerMemory::remember(uint64_t user, uint64_t item) {
  if (!enabled()) return;
  const uint32_t r = take(user);
  uint64_t* items = items_ + size_t{r} * length_;
  uint32_t& count = records_[r].count;
  if (count == length_) {
    std::memmove(items, items + 1, (length_ - 1) * sizeof(uint64_t));
    --count;
  }
  items[count++] = item;
}

void CustomerMemory::restore(uint64_t user, Span<uint64_t> items) {
  if (!enabled()) return;
  if (items.empty()) {
    forget(user);
    return;
  }
  const uint32_t r = take(user);
  const size_t keep = std::min<size_t>(items.size(), length_);
  std::memcpy(items_ + size_t{r} * length_, items.data() + (items.size() - keep), keep * sizeof(uint64_t));
  records_[r].count = static_cast<uint32_t>(keep);
}

bool CustomerMemory::forget(uint64_t user) {
  const uint32_t slot = find_slot(user);
  if (slot == kNone) return false;
  const uint32_t r = slots_[slot] - 1;
  erase_slot(slot);
  unlink(r);
  // Nothing of the customer stays in memory.
  std::memset(items_ + size_t{r} * length_, 0, size_t{length_} * sizeof(uint64_t));
  records_[r] = Record{0, 0, kNone, free_head_};
  free_head_ = r;
  --size_;
  return true;
}

}  // namespace barista::internal
