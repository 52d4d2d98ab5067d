// Read-only memory mapping of a whole file (or a private copy of it): the
// one platform-specific piece the runtime needs. One implementation file
// per OS (file_map_posix.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/status.h"

namespace barista::internal {

class FileMap {
 public:
  FileMap() = default;
  ~FileMap();
  FileMap(const FileMap&) = delete;
  FileMap& operator=(const FileMap&) = delete;
  FileMap(FileMap&& other) noexcept;
  FileMap& operator=(FileMap&& other) noexcept;

  // Maps `path` read-only. Files larger than `max_size` are refused with
  // BARISTA_STATUS_LIMIT_EXCEEDED before mapping.
  static Status open(const char* path, uint64_t max_size, FileMap* out);
  // Reads `path` into memory of its own (64-byte aligned) instead: what was
  // read stays as it was whatever later happens to the file (truncated,
  // rewritten in place). The same refusals as open(); OUT_OF_MEMORY when
  // the copy cannot be allocated.
  static Status read(const char* path, uint64_t max_size, FileMap* out);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // Whether the bytes are a copy in memory of our own (read()), not a mapping.
  bool copied() const { return copied_; }

 private:
  void release();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool copied_ = false;  // data_ is an allocation of ours, not a mapping
};

}  // namespace barista::internal
