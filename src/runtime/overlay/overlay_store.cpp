#include "overlay/overlay_store.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "overlay/slot_hash.h"

namespace barista::internal {

namespace {

inline uint64_t entry_hash(uint64_t user, uint32_t index) {
  return mix_bits(user ^ (uint64_t{index} * 0x9E3779B97F4A7C15ULL));
}

}  // namespace

Status OverlayStore::create(size_t memory_limit, const FtrlParams& params, OverlayStore* out) {
  if (memory_limit < kMinimumMemory) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "an overlay needs at least %zu bytes of memory, not %zu",
                      kMinimumMemory, memory_limit);
  }
  if (!(params.alpha > 0.0f) || !(params.beta >= 0.0f) || !(params.l1 >= 0.0f) || !(params.l2 >= 0.0f) ||
      !std::isfinite(params.alpha + params.beta + params.l1 + params.l2)) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "overlay learning rate must be > 0 and beta, l1, l2 >= 0 (all finite)");
  }
  // Two tables of S slots (a power of two: probing masks) take 20 S bytes;
  // entries take sizeof(Entry) each, at most 3/4 S of them so that linear
  // probing stays short. Pick the S that holds the most entries.
  constexpr size_t kSlotBytes = sizeof(uint32_t) + sizeof(UserSlot);
  size_t slots = 0, capacity = 0;
  for (size_t s = 16; s <= (size_t{1} << 30) && s * kSlotBytes <= memory_limit; s *= 2) {
    const size_t fits = std::min(s / 4 * 3, (memory_limit - s * kSlotBytes) / sizeof(Entry));
    if (fits > capacity) {
      capacity = fits;
      slots = s;
    }
  }
  OverlayStore store;
  store.params_ = params;
  store.capacity_ = capacity;
  store.mask_ = static_cast<uint32_t>(slots - 1);
  store.entries_ = static_cast<Entry*>(allocate_aligned(store.capacity_ * sizeof(Entry), 64));
  store.index_slots_ = static_cast<uint32_t*>(allocate_aligned(slots * sizeof(uint32_t), 64));
  store.user_slots_ = static_cast<UserSlot*>(allocate_aligned(slots * sizeof(UserSlot), 64));
  if (store.entries_ == nullptr || store.index_slots_ == nullptr || store.user_slots_ == nullptr) {
    return make_error(BARISTA_STATUS_OUT_OF_MEMORY, "cannot allocate an overlay of %zu bytes", memory_limit);
  }
  store.memory_bytes_ = store.capacity_ * sizeof(Entry) + slots * (sizeof(uint32_t) + sizeof(UserSlot));
  store.clear();
  *out = std::move(store);
  return Status();
}

OverlayStore::~OverlayStore() { release(); }

void OverlayStore::release() {
  if (entries_) deallocate(entries_);
  if (index_slots_) deallocate(index_slots_);
  if (user_slots_) deallocate(user_slots_);
  entries_ = nullptr;
  index_slots_ = nullptr;
  user_slots_ = nullptr;
}

OverlayStore::OverlayStore(OverlayStore&& other) noexcept { *this = std::move(other); }

OverlayStore& OverlayStore::operator=(OverlayStore&& other) noexcept {
  if (this == &other) return *this;
  release();
  std::memcpy(static_cast<void*>(this), &other, sizeof(OverlayStore));
  other.entries_ = nullptr;
  other.index_slots_ = nullptr;
  other.user_slots_ = nullptr;
  other.capacity_ = other.size_ = other.memory_bytes_ = 0;
  return *this;
}

void OverlayStore::clear() {
  std::memset(index_slots_, 0, (size_t{mask_} + 1) * sizeof(uint32_t));
  for (size_t i = 0; i <= mask_; ++i) user_slots_[i] = UserSlot{0, kNone, 0};
  for (size_t e = 0; e < capacity_; ++e)
    entries_[e].lru_next = e + 1 < capacity_ ? static_cast<uint32_t>(e + 1) : kNone;
  free_head_ = capacity_ > 0 ? 0 : kNone;
  lru_head_ = lru_tail_ = kNone;
  size_ = 0;
  users_ = 0;
}

uint32_t OverlayStore::find_slot(uint64_t user, uint32_t index) const {
  if (entries_ == nullptr) return kNone;
  uint32_t slot = static_cast<uint32_t>(entry_hash(user, index)) & mask_;
  while (index_slots_[slot] != 0) {
    const Entry& e = entries_[index_slots_[slot] - 1];
    if (e.user == user && e.index == index) return slot;
    slot = (slot + 1) & mask_;
  }
  return kNone;
}

uint32_t OverlayStore::find_user_slot(uint64_t user) const {
  if (user_slots_ == nullptr) return kNone;
  uint32_t slot = static_cast<uint32_t>(mix_bits(user)) & mask_;
  while (user_slots_[slot].head != kNone) {
    if (user_slots_[slot].user == user) return slot;
    slot = (slot + 1) & mask_;
  }
  return kNone;
}

const OverlayStore::Entry* OverlayStore::find(uint64_t user, uint32_t index) const {
  const uint32_t slot = find_slot(user, index);
  return slot == kNone ? nullptr : &entries_[index_slots_[slot] - 1];
}

size_t OverlayStore::user_entries(uint64_t user) const {
  const uint32_t slot = find_user_slot(user);
  return slot == kNone ? 0 : user_slots_[slot].count;
}

void OverlayStore::unlink_lru(uint32_t e) {
  Entry& entry = entries_[e];
  if (entry.lru_prev != kNone)
    entries_[entry.lru_prev].lru_next = entry.lru_next;
  else
    lru_head_ = entry.lru_next;
  if (entry.lru_next != kNone)
    entries_[entry.lru_next].lru_prev = entry.lru_prev;
  else
    lru_tail_ = entry.lru_prev;
}

void OverlayStore::touch(uint32_t e) {
  if (lru_head_ == e) return;
  unlink_lru(e);
  Entry& entry = entries_[e];
  entry.lru_prev = kNone;
  entry.lru_next = lru_head_;
  if (lru_head_ != kNone) entries_[lru_head_].lru_prev = e;
  lru_head_ = e;
  if (lru_tail_ == kNone) lru_tail_ = e;
}

uint32_t OverlayStore::insert(uint64_t user, uint32_t index) {
  const uint32_t e = free_head_;
  free_head_ = entries_[e].lru_next;
  Entry& entry = entries_[e];
  entry = Entry{user, index, 0.0f, 0.0f, 0.0f, kNone, lru_head_, kNone, kNone};
  if (lru_head_ != kNone) entries_[lru_head_].lru_prev = e;
  lru_head_ = e;
  if (lru_tail_ == kNone) lru_tail_ = e;
  // Index slot.
  uint32_t slot = static_cast<uint32_t>(entry_hash(user, index)) & mask_;
  while (index_slots_[slot] != 0) slot = (slot + 1) & mask_;
  index_slots_[slot] = e + 1;
  // User list (new entries go first).
  uint32_t u = static_cast<uint32_t>(mix_bits(user)) & mask_;
  while (user_slots_[u].head != kNone && user_slots_[u].user != user) u = (u + 1) & mask_;
  if (user_slots_[u].head == kNone) {
    user_slots_[u] = UserSlot{user, e, 1};
    ++users_;
  } else {
    entry.user_next = user_slots_[u].head;
    entries_[user_slots_[u].head].user_prev = e;
    user_slots_[u].head = e;
    ++user_slots_[u].count;
  }
  ++size_;
  return e;
}

void OverlayStore::erase_index_slot(uint32_t slot) {
  // Backward-shift deletion: an entry further along moves into the hole when
  // the hole lies on its probe path, so every probe sequence stays unbroken.
  uint32_t hole = slot;
  index_slots_[hole] = 0;
  for (uint32_t j = (hole + 1) & mask_; index_slots_[j] != 0; j = (j + 1) & mask_) {
    const Entry& e = entries_[index_slots_[j] - 1];
    const uint32_t home = static_cast<uint32_t>(entry_hash(e.user, e.index)) & mask_;
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      index_slots_[hole] = index_slots_[j];
      index_slots_[j] = 0;
      hole = j;
    }
  }
}

void OverlayStore::erase_user_slot(uint32_t slot) {
  uint32_t hole = slot;
  user_slots_[hole] = UserSlot{0, kNone, 0};
  for (uint32_t j = (hole + 1) & mask_; user_slots_[j].head != kNone; j = (j + 1) & mask_) {
    const uint32_t home = static_cast<uint32_t>(mix_bits(user_slots_[j].user)) & mask_;
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      user_slots_[hole] = user_slots_[j];
      user_slots_[j] = UserSlot{0, kNone, 0};
      hole = j;
    }
  }
}

void OverlayStore::remove(uint32_t e) {
  Entry& entry = entries_[e];
  erase_index_slot(find_slot(entry.user, entry.index));
  const uint32_t u = find_user_slot(entry.user);
  if (entry.user_prev != kNone)
    entries_[entry.user_prev].user_next = entry.user_next;
  else
    user_slots_[u].head = entry.user_next;
  if (entry.user_next != kNone) entries_[entry.user_next].user_prev = entry.user_prev;
  if (--user_slots_[u].count == 0) {
    erase_user_slot(u);
    --users_;
  }
  unlink_lru(e);
  entry.lru_next = free_head_;
  free_head_ = e;
  --size_;
}

uint32_t OverlayStore::upsert(uint64_t user, uint32_t index) {
  const uint32_t slot = find_slot(user, index);
  if (slot != kNone) {
    const uint32_t e = index_slots_[slot] - 1;
    touch(e);
    return e;
  }
  if (size_ == capacity_) {  // full: the least recently updated entry goes
    remove(lru_tail_);
    ++evictions_;
  }
  return insert(user, index);
}

void OverlayStore::set_state(Entry& entry, double z, double n) const {
  // The weight follows from the stored (float) state, exactly as a
  // recovery from the journal computes it.
  entry.z = static_cast<float>(z);
  entry.n = static_cast<float>(n);
  z = static_cast<double>(entry.z);
  n = static_cast<double>(entry.n);
  const double alpha = static_cast<double>(params_.alpha), beta = static_cast<double>(params_.beta),
               l1 = static_cast<double>(params_.l1), l2 = static_cast<double>(params_.l2);
  // FTRL-Proximal's closed form: zero inside the L1 ball.
  if (std::fabs(z) <= l1) {
    entry.w = 0.0f;
    return;
  }
  const double sign = z < 0 ? -1.0 : 1.0;
  entry.w = static_cast<float>(-(z - sign * l1) / ((beta + std::sqrt(n)) / alpha + 2.0 * l2));
}

const OverlayStore::Entry& OverlayStore::ftrl_step(uint64_t user, uint32_t index, float gradient) {
  Entry& entry = entries_[upsert(user, index)];
  ++updates_;
  // FTRL-Proximal (McMahan et al. 2013), one coordinate.
  const double g = static_cast<double>(gradient), z = static_cast<double>(entry.z), w = static_cast<double>(entry.w),
               alpha = static_cast<double>(params_.alpha);
  const double n_old = static_cast<double>(entry.n), n_new = n_old + g * g;
  const double sigma = (std::sqrt(n_new) - std::sqrt(n_old)) / alpha;
  set_state(entry, z + g - sigma * w, n_new);
  return entry;
}

void OverlayStore::restore(uint64_t user, uint32_t index, float z, float n) {
  set_state(entries_[upsert(user, index)], static_cast<double>(z), static_cast<double>(n));
}

size_t OverlayStore::forget_user(uint64_t user) {
  size_t removed = 0;
  while (true) {
    const uint32_t slot = find_user_slot(user);
    if (slot == kNone) return removed;
    remove(user_slots_[slot].head);
    ++removed;
  }
}

}  // namespace barista::internal
