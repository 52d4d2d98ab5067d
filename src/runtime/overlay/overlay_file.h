// Persistence of an overlay: a snapshot (PATH) plus an append-only journal
// (PATH.journal) of checksummed records.
//
// Snapshot: a 56-byte header — "BRSTSNAP", format version, the model's
// fingerprint (its file checksum), the sequence number of the last journal
// record it contains, the entry count, the body's and the header's
// Fingerprint64 — then per entry (least recently updated first) user
// fingerprint u64, weight index u32, FTRL z f32, n f32; then (format
// version 2) the customer memory: customers u64, and per customer (least
// recent first) user u64, count u32, count x item value fingerprint u64.
// All little-endian. Version 1 files (no customer memory) are read too.
//
// Journal: a 40-byte header — "BRSTJRNL", version, model fingerprint, base
// sequence number, header Fingerprint64 — then records: body length u32,
// body Fingerprint64 u64, body = sequence u64, type u8, and
//   type 1 (learned): user u64, count u32, count x (index u32, z f32, n f32)
//   type 2 (forget):  user u64 (learned weights and customer memory)
//   type 3 (remembered, version 2): user u64, count u32, count x item u64 --
//     the customer's whole memory after the change
// A record holds absolute state, so replaying one twice does no harm.
//
// Durability: sync() writes the pending records and fsyncs the journal;
// everything recorded before a successful sync survives any crash. Records
// after the last sync may be lost, never half-applied: recovery replays
// records in order and stops at a torn tail (a record cut short, or garbage
// only zeros follow), truncating it away. A damaged record followed by more
// data is corruption, reported as BARISTA_STATUS_CORRUPT_OVERLAY (or, with
// `salvage`, recovery keeps what comes before it). Compaction writes a new
// snapshot (temporary file, fsync, rename, directory fsync) and then starts
// the journal afresh; a crash between the two leaves records the snapshot
// already holds, which their sequence numbers tell recovery to skip.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/alloc.h"
#include "common/span.h"
#include "common/status.h"
#include "overlay/customer_memory.h"
#include "overlay/overlay_store.h"
#include "platform/file_io.h"

namespace barista::internal {

struct OverlayRecovery {
  uint64_t snapshot_entries = 0;
  uint64_t snapshot_customers = 0;  // in the customer memory
  uint64_t records_replayed = 0;
  uint64_t bytes_discarded = 0;  // a torn tail (or, salvaging, what followed damage)
};

class OverlayFile {
 public:
  // Recovers `store` and `memory` from the files at `path` (none yet: an
  // empty overlay) and opens the journal for appending.
  static Status open(const std::string& path, uint64_t model_fingerprint, bool salvage, OverlayStore* store,
                     CustomerMemory* memory, std::unique_ptr<OverlayFile>* out, OverlayRecovery* report);

  void record_learned(uint64_t user, Span<LearnedState> steps);
  // The customer's whole memory after a change.
  void record_remembered(uint64_t user, Span<uint64_t> items);
  // Forgetting rewrites both files at the next sync, so that nothing the
  // customer taught stays in them.
  void record_forget(uint64_t user);

  // Makes every record so far durable; compacts when the journal has grown
  // past max(64 KiB, twice the snapshot) or a customer was forgotten.
  Status sync(const OverlayStore& store, const CustomerMemory& memory);
  Status compact(const OverlayStore& store, const CustomerMemory& memory);

  uint64_t journal_bytes() const { return journal_.size(); }
  uint64_t snapshot_bytes() const { return snapshot_bytes_; }
  // Recorded but not known to be durable: pending records, and records
  // written whose fsync failed (until a compaction rewrites them).
  uint64_t unsynced_bytes() const { return pending_.size() + appended_unsynced_; }

 private:
  Status write_journal_header();

  std::string path_;
  uint64_t fingerprint_ = 0;
  uint64_t sequence_ = 0;  // of the last record
  uint64_t snapshot_bytes_ = 0;
  bool forgotten_ = false;
  bool rewrite_ = false;            // a write or fsync failed: the next sync compacts
  uint64_t appended_unsynced_ = 0;  // written to the journal, fsync not (yet) succeeded
  AppendFile journal_;
  Vec<uint8_t> pending_;
};

}  // namespace barista::internal
