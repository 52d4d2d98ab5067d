// File I/O for the overlay and the model file (the rest of the platform
// layer: opening regular files only, reading and appending, fsync of files
// and directories, atomic replacement, an exclusive advisory lock). One implementation file per OS
// (file_io_posix.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/alloc.h"
#include "common/status.h"

namespace barista::internal {

// Every function here refuses special files (FIFOs, devices, directories)
// with IO_ERROR, without blocking on them.

// Opens `path` with open(2) `flags` (O_NONBLOCK and O_CLOEXEC added, so
// that a FIFO cannot block) and refuses anything but a regular file; the
// descriptor is blocking afterwards. *missing, when given, says whether the
// failure was that nothing is at `path`.
Status open_regular_file(const std::string& path, int flags, unsigned mode, int* out, bool* missing = nullptr);

// OK when `path` names a regular file or nothing; INVALID_ARGUMENT for an
// empty path, IO_ERROR for anything else there.
Status check_regular_or_absent(const std::string& path);

// Reads a whole file; *exists is false (and the call succeeds) when there is
// no such file.
Status read_whole_file(const std::string& path, Vec<uint8_t>* out, bool* exists);

// Writes `path` so that either the old or the new contents survive a crash:
// a temporary file, fsync, rename over `path`, fsync of the directory. The
// temporary file is anonymous until complete (O_TMPFILE; elsewhere uniquely
// named `path`.tmp.PID.N), and removed on failure: a killed or failed write
// leaves no stray file. Errors name the OS reason (ENOSPC, EISDIR, ...).
Status replace_file_durably(const std::string& path, const uint8_t* data, size_t size);

// What replace_file_durably needs, checked before the work that produces
// the data: `path` is a regular file or nothing, and its folder takes new
// files. Leaves nothing behind.
Status check_replaceable(const std::string& path);

// Removes `path` durably (a missing file is fine).
Status remove_file_durably(const std::string& path);

// A file this process appends to, exclusively (an advisory lock keeps a
// second writer out).
class AppendFile {
 public:
  AppendFile() = default;
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Opens (creating if needed) and locks `path`; *created says whether it
  // was created, in which case its directory entry is already durable.
  Status open(const std::string& path, bool* created);
  Status read_all(Vec<uint8_t>* out);
  Status append(const uint8_t* data, size_t size);
  Status truncate(uint64_t size);
  Status sync();
  uint64_t size() const { return size_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

}  // namespace barista::internal
