#include "overlay/overlay_file.h"

#include <cstring>

#include "common/little_endian.h"
#include "hash/fingerprint.h"

namespace barista::internal {

namespace {

constexpr char kSnapshotMagic[8] = {'B', 'R', 'S', 'T', 'S', 'N', 'A', 'P'};
constexpr char kJournalMagic[8] = {'B', 'R', 'S', 'T', 'J', 'R', 'N', 'L'};
// Version 2 adds customer memory (record type 3, the snapshot's second
// section); version 1 files are read as version 2 files without it.
constexpr uint32_t kFileVersion = 2;
constexpr uint32_t kOldestFileVersion = 1;
constexpr size_t kSnapshotHeader = 56;
constexpr size_t kSnapshotEntry = 20;
constexpr size_t kJournalHeader = 40;
constexpr size_t kRecordPrefix = 12;  // body length + checksum
constexpr uint32_t kMaxRecordBody = 1u << 24;
constexpr uint8_t kLearned = 1;
constexpr uint8_t kForget = 2;
constexpr uint8_t kRemembered = 3;
constexpr uint64_t kCompactAfter = 64 * 1024;

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

Status corrupt(const std::string& path, const char* what) {
  return make_error(BARISTA_STATUS_CORRUPT_OVERLAY, "overlay file '%s': %s", path.c_str(), what);
}

// Header checks shared by both files: magic, version, model.
Status check_header(const uint8_t* p, const char magic[8], uint64_t fingerprint, const std::string& path) {
  if (std::memcmp(p, magic, 8) != 0) return corrupt(path, "not a barista overlay file (bad magic)");
  if (get32(p + 8) < kOldestFileVersion || get32(p + 8) > kFileVersion) {
    return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION,
                      "overlay file '%s' has format version %u; this library reads %u to %u", path.c_str(),
                      get32(p + 8), kOldestFileVersion, kFileVersion);
  }
  if (get64(p + 16) != fingerprint) {
    return make_error(BARISTA_STATUS_WRONG_MODEL,
                      "overlay file '%s' was written for another model (fingerprint %016llx, this model %016llx)",
                      path.c_str(), static_cast<unsigned long long>(get64(p + 16)),
                      static_cast<unsigned long long>(fingerprint));
  }
  return Status();
}

Status load_snapshot(const std::string& path, uint64_t fingerprint, OverlayStore* store, CustomerMemory* memory,
                     uint64_t* sequence, uint64_t* bytes, OverlayRecovery* report) {
  Vec<uint8_t> data;
  bool exists = false;
  BARISTA_RETURN_IF_ERROR(read_whole_file(path, &data, &exists));
  *bytes = data.size();
  if (!exists) return Status();
  // Snapshots are replaced atomically: anything short or damaged is
  // corruption, never a torn write.
  if (data.size() < kSnapshotHeader) return corrupt(path, "the snapshot is shorter than its header");
  if (fingerprint64(data.data(), 48) != get64(data.data() + 48)) return corrupt(path, "the snapshot header is damaged");
  BARISTA_RETURN_IF_ERROR(check_header(data.data(), kSnapshotMagic, fingerprint, path));
  const uint64_t count = get64(data.data() + 32);
  const bool has_memory = get32(data.data() + 8) >= 2;
  if (count > (data.size() - kSnapshotHeader) / kSnapshotEntry ||
      (!has_memory && data.size() != kSnapshotHeader + count * kSnapshotEntry)) {
    return corrupt(path, "the snapshot's size does not match its entry count");
  }
  if (fingerprint64(data.data() + kSnapshotHeader, data.size() - kSnapshotHeader) != get64(data.data() + 40)) {
    return corrupt(path, "the snapshot's entries are damaged (checksum mismatch)");
  }
  // Customer memory (version 2): customers u64, then per customer user
  // u64, count u32, count x item u64. Checked whole before anything is
  // restored.
  size_t at = kSnapshotHeader + count * kSnapshotEntry;
  const size_t memory_begin = at;
  if (has_memory) {
    if (data.size() - at < 8) return corrupt(path, "the snapshot's customer memory is cut short");
    const uint64_t customers = get64(data.data() + at);
    at += 8;
    for (uint64_t c = 0; c < customers; ++c) {
      if (data.size() - at < 12 || (data.size() - at - 12) / 8 < get32(data.data() + at + 8)) {
        return corrupt(path, "the snapshot's customer memory is cut short");
      }
      at += 12 + size_t{get32(data.data() + at + 8)} * 8;
    }
    if (at != data.size()) return corrupt(path, "the snapshot's size does not match its contents");
  }
  *sequence = get64(data.data() + 24);
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* e = data.data() + kSnapshotHeader + i * kSnapshotEntry;
    store->restore(get64(e), get32(e + 8), getf(e + 12), getf(e + 16));
  }
  if (has_memory) {
    Vec<uint64_t> items;
    const uint64_t customers = get64(data.data() + memory_begin);
    at = memory_begin + 8;
    for (uint64_t c = 0; c < customers; ++c) {
      const uint8_t* p = data.data() + at;
      const uint32_t n = get32(p + 8);
      items.resize(n);
      for (uint32_t i = 0; i < n; ++i) items[i] = get64(p + 12 + size_t{i} * 8);
      memory->restore(get64(p), items);
      at += 12 + size_t{n} * 8;
    }
    report->snapshot_customers = customers;
  }
  report->snapshot_entries = count;
  return Status();
}

}  // namespace

Status OverlayFile::open(const std::string& path, uint64_t model_fingerprint, bool salvage, OverlayStore* store,
                         CustomerMemory* memory, std::unique_ptr<OverlayFile>* out, OverlayRecovery* report) {
  std::unique_ptr<OverlayFile> file(new OverlayFile());
  file->path_ = path;
  file->fingerprint_ = model_fingerprint;
  *report = OverlayRecovery();
  const std::string journal_path = path + ".journal";
  // Refused paths leave nothing behind: the snapshot's name is checked
  // before the journal is created (the journal's own is checked as it is
  // opened), and a journal created here goes again when the snapshot
  // beside it is refused.
  BARISTA_RETURN_IF_ERROR(check_regular_or_absent(path));
  bool created = false;
  // The journal's lock comes first: a second writer must not even read.
  BARISTA_RETURN_IF_ERROR(file->journal_.open(journal_path, &created));
  uint64_t snapshot_sequence = 0;
  const Status loaded =
      load_snapshot(path, model_fingerprint, store, memory, &snapshot_sequence, &file->snapshot_bytes_, report);
  if (!loaded.ok()) {
    if (created) {
      file.reset();  // closes and unlocks the journal
      (void)remove_file_durably(journal_path);  // best effort: the refusal is what the caller hears
    }
    return loaded;
  }
  file->sequence_ = snapshot_sequence;

  Vec<uint8_t> data;
  BARISTA_RETURN_IF_ERROR(file->journal_.read_all(&data));
  if (data.size() < kJournalHeader) {
    // New, or its header was being written when the process stopped: the
    // snapshot holds everything that was synced.
    report->bytes_discarded = data.size();
    BARISTA_RETURN_IF_ERROR(file->journal_.truncate(0));
    BARISTA_RETURN_IF_ERROR(file->write_journal_header());
    BARISTA_RETURN_IF_ERROR(file->journal_.sync());
    *out = std::move(file);
    return Status();
  }
  if (fingerprint64(data.data(), 32) != get64(data.data() + 32)) {
    return corrupt(journal_path, "the journal header is damaged");
  }
  BARISTA_RETURN_IF_ERROR(check_header(data.data(), kJournalMagic, model_fingerprint, journal_path));

  // Replay.
  Vec<uint64_t> items;
  size_t at = kJournalHeader;
  while (at < data.size()) {
    const size_t remaining = data.size() - at;
    const uint32_t length = remaining >= 4 ? get32(data.data() + at) : 0;
    bool good =
        remaining >= kRecordPrefix && length >= 9 && length <= kMaxRecordBody && length <= remaining - kRecordPrefix;
    const uint8_t* body = data.data() + at + kRecordPrefix;
    good = good && fingerprint64(body, length) == get64(data.data() + at + 4);
    if (good) {
      const uint64_t sequence = get64(body);
      const uint8_t type = body[8];
      const uint8_t* p = body + 9;
      const size_t left = length - 9;
      if (type == kLearned && left >= 12) {
        const uint64_t user = get64(p);
        const uint32_t count = get32(p + 8);
        good = left == 12 + size_t{count} * 12;
        if (good && sequence > snapshot_sequence) {
          for (uint32_t i = 0; i < count; ++i) {
            const uint8_t* s = p + 12 + size_t{i} * 12;
            store->restore(user, get32(s), getf(s + 4), getf(s + 8));
          }
        }
      } else if (type == kForget && left == 8) {
        if (sequence > snapshot_sequence) {
          store->forget_user(get64(p));
          memory->forget(get64(p));
        }
      } else if (type == kRemembered && left >= 12 && (left - 12) % 8 == 0 && get32(p + 8) == (left - 12) / 8) {
        if (sequence > snapshot_sequence) {
          items.resize(get32(p + 8));
          for (size_t i = 0; i < items.size(); ++i) items[i] = get64(p + 12 + i * 8);
          memory->restore(get64(p), items);
        }
      } else {
        good = false;  // a well-checksummed record of an unknown type: written by a newer barista
      }
      if (good) {
        if (sequence > file->sequence_) file->sequence_ = sequence;
        ++report->records_replayed;
        at += kRecordPrefix + length;
        continue;
      }
    }
    // A bad record. When it is the last thing in the file — cut short, or
    // followed by nothing but zeros (space the file system had allocated) —
    // it is the torn tail a crash leaves: discard it. Anything else is
    // damage to data that was already there.
    const bool cut_short = remaining < kRecordPrefix || length > remaining - kRecordPrefix;
    const size_t record_end = cut_short ? data.size() : at + kRecordPrefix + length;
    const bool last = cut_short || all_zero(data.data() + record_end, data.size() - record_end);
    if (!last && !salvage) {
      return corrupt(journal_path,
                     "a journal record in the middle of the file is damaged (open with salvage to keep "
                     "what precedes it)");
    }
    report->bytes_discarded = remaining;
    break;
  }
  if (at < data.size()) {
    BARISTA_RETURN_IF_ERROR(file->journal_.truncate(at));
    BARISTA_RETURN_IF_ERROR(file->journal_.sync());
  }
  *out = std::move(file);
  return Status();
}

Status OverlayFile::write_journal_header() {
  Vec<uint8_t> header;
  header.insert(header.end(), kJournalMagic, kJournalMagic + 8);
  put32(&header, kFileVersion);
  put32(&header, 0);
  put64(&header, fingerprint_);
  put64(&header, sequence_);
  put64(&header, fingerprint64(header.data(), header.size()));
  return journal_.append(header.data(), header.size());
}

void OverlayFile::record_learned(uint64_t user, Span<LearnedState> steps) {
  // A record holds at most kMaxRecordBody bytes: a long observation is split.
  const size_t per_record = (kMaxRecordBody - 32) / 12;
  for (size_t begin = 0; begin < steps.size(); begin += per_record) {
    const size_t count = std::min(per_record, steps.size() - begin);
    Vec<uint8_t> body;
    put64(&body, ++sequence_);
    body.push_back(kLearned);
    put64(&body, user);
    put32(&body, static_cast<uint32_t>(count));
    for (size_t i = begin; i < begin + count; ++i) {
      put32(&body, steps[i].index);
      putf(&body, steps[i].z);
      putf(&body, steps[i].n);
    }
    put32(&pending_, static_cast<uint32_t>(body.size()));
    put64(&pending_, fingerprint64(body.data(), body.size()));
    pending_.insert(pending_.end(), body.begin(), body.end());
  }
}

void OverlayFile::record_remembered(uint64_t user, Span<uint64_t> items) {
  Vec<uint8_t> body;
  put64(&body, ++sequence_);
  body.push_back(kRemembered);
  put64(&body, user);
  put32(&body, static_cast<uint32_t>(items.size()));
  for (uint64_t item : items) put64(&body, item);
  put32(&pending_, static_cast<uint32_t>(body.size()));
  put64(&pending_, fingerprint64(body.data(), body.size()));
  pending_.insert(pending_.end(), body.begin(), body.end());
}

void OverlayFile::record_forget(uint64_t user) {
  Vec<uint8_t> body;
  put64(&body, ++sequence_);
  body.push_back(kForget);
  put64(&body, user);
  put32(&pending_, static_cast<uint32_t>(body.size()));
  put64(&pending_, fingerprint64(body.data(), body.size()));
  pending_.insert(pending_.end(), body.begin(), body.end());
  forgotten_ = true;
}

Status OverlayFile::sync(const OverlayStore& store, const CustomerMemory& memory) {
  // After a failed write or fsync the journal cannot be trusted: since
  // Linux 4.13 the pages whose fsync failed may be dropped while the next
  // fsync succeeds. Nothing is acknowledged again until everything has been
  // rewritten from memory by a compaction.
  if (rewrite_) return compact(store, memory);
  Status status;
  if (!pending_.empty()) {
    status = journal_.append(pending_.data(), pending_.size());
    if (status.ok()) {
      appended_unsynced_ += pending_.size();
      pending_.clear();
    }
  }
  if (status.ok()) status = journal_.sync();
  if (!status.ok()) {
    rewrite_ = true;
    return status;
  }
  appended_unsynced_ = 0;
  if (forgotten_ || journal_.size() > std::max(kCompactAfter, 2 * snapshot_bytes_)) return compact(store, memory);
  return Status();
}

Status OverlayFile::compact(const OverlayStore& store, const CustomerMemory& memory) {
  // Everything recorded goes into the snapshot first (pending records too).
  Vec<uint8_t> body;
  body.reserve(store.size() * kSnapshotEntry);
  store.for_each_oldest_first([&](const OverlayStore::Entry& e) {
    put64(&body, e.user);
    put32(&body, e.index);
    putf(&body, e.z);
    putf(&body, e.n);
  });
  put64(&body, memory.customers());
  memory.for_each_oldest_first([&](uint64_t user, Span<uint64_t> items) {
    put64(&body, user);
    put32(&body, static_cast<uint32_t>(items.size()));
    for (uint64_t item : items) put64(&body, item);
  });
  Vec<uint8_t> file;
  file.insert(file.end(), kSnapshotMagic, kSnapshotMagic + 8);
  put32(&file, kFileVersion);
  put32(&file, 0);
  put64(&file, fingerprint_);
  put64(&file, sequence_);
  put64(&file, store.size());
  put64(&file, fingerprint64(body.data(), body.size()));
  put64(&file, fingerprint64(file.data(), file.size()));
  file.insert(file.end(), body.begin(), body.end());
  // Until the journal is afresh too, a failure leaves the next sync to
  // compact again.
  rewrite_ = true;
  BARISTA_RETURN_IF_ERROR(replace_file_durably(path_, file.data(), file.size()));
  snapshot_bytes_ = file.size();
  pending_.clear();
  appended_unsynced_ = 0;
  // The snapshot holds it all: the journal starts afresh after it.
  BARISTA_RETURN_IF_ERROR(journal_.truncate(0));
  BARISTA_RETURN_IF_ERROR(write_journal_header());
  BARISTA_RETURN_IF_ERROR(journal_.sync());
  forgotten_ = false;
  rewrite_ = false;
  return Status();
}

}  // namespace barista::internal
