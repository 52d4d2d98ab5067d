#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "platform/file_io.h"

namespace barista::internal {

namespace {

Status io_error(const char* what, const std::string& path) {
  return make_error(BARISTA_STATUS_IO_ERROR, "cannot %s '%s': %s", what, path.c_str(), std::strerror(errno));
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status sync_directory(const std::string& path) {
  const std::string directory = directory_of(path);
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open the directory", directory);
  const int result = fsync(fd);
  const int error = errno;
  close(fd);
  errno = error;
  if (result != 0) return io_error("sync the directory", directory);
  return Status();
}

Status write_all(int fd, const uint8_t* data, size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return io_error("write", path);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return Status();
}

Status read_all_fd(int fd, uint64_t size, Vec<uint8_t>* out, const std::string& path) {
  out->resize(size);
  uint64_t done = 0;
  while (done < size) {
    const ssize_t got = pread(fd, out->data() + done, size - done, static_cast<off_t>(done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path);
    }
    if (got == 0) break;  // shorter than it was: keep what is there
    done += static_cast<uint64_t>(got);
  }
  out->resize(done);
  return Status();
}

}  // namespace

Status open_regular_file(const std::string& path, int flags, unsigned mode, int* out, bool* missing) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_NONBLOCK | O_CLOEXEC, static_cast<mode_t>(mode));
  } while (fd < 0 && errno == EINTR);
  if (missing != nullptr) *missing = fd < 0 && errno == ENOENT;
  if (fd < 0) return io_error("open", path);
  struct stat info;
  Status status;
  if (fstat(fd, &info) != 0) {
    status = io_error("stat", path);
  } else if (!S_ISREG(info.st_mode)) {
    status = make_error(BARISTA_STATUS_IO_ERROR, "'%s' is not a regular file", path.c_str());
  } else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
    status = io_error("open", path);
  }
  if (!status.ok()) {
    close(fd);
    return status;
  }
  *out = fd;
  return Status();
}

Status check_regular_or_absent(const std::string& path) {
  if (path.empty()) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the path is empty");
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status();
    return io_error("stat", path);
  }
  if (!S_ISREG(info.st_mode)) {
    return make_error(BARISTA_STATUS_IO_ERROR, "'%s' is not a regular file", path.c_str());
  }
  return Status();
}

Status read_whole_file(const std::string& path, Vec<uint8_t>* out, bool* exists) {
  int fd = -1;
  bool missing = false;
  const Status opened = open_regular_file(path, O_RDONLY, 0, &fd, &missing);
  if (!opened.ok()) {
    if (missing) {
      *exists = false;
      out->clear();
      return Status();
    }
    return opened;
  }
  *exists = true;
  struct stat info;
  Status status = fstat(fd, &info) == 0 ? Status() : io_error("stat", path);
  if (status.ok()) status = read_all_fd(fd, static_cast<uint64_t>(info.st_size), out, path);
  close(fd);
  return status;
}

namespace {

// Calls try_name(name) with names beside `path` that nothing has yet,
// `path`.tmp.PID.N with N counting up from the clock, until it succeeds
// (returns true) or fails otherwise than with EEXIST. Unique, so that two
// writers never share a temporary file.
template <class TryName>
Status unique_name_beside(const std::string& path, const char* what, TryName&& try_name, std::string* name) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t n = static_cast<uint64_t>(now.tv_nsec);
  for (int attempt = 0; attempt < 100; ++attempt, ++n) {
    *name = path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(n);
    if (try_name(*name)) return Status();
    if (errno != EEXIST) break;
  }
  const Status failed = io_error(what, path);
  name->clear();
  return failed;
}

// A new empty file beside `path`, open for writing.
Status create_unique_beside(const std::string& path, int* fd, std::string* name) {
  return unique_name_beside(
      path, "create a file beside",
      [&](const std::string& candidate) {
        do {
          *fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        } while (*fd < 0 && errno == EINTR);
        return *fd >= 0;
      },
      name);
}

// An anonymous file in the folder of `path`, or -1 where the system or the
// file system has none (errno says why).
int open_anonymous_beside(const std::string& path) {
#if defined(O_TMPFILE)
  return ::open(directory_of(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
#else
  errno = EOPNOTSUPP;
  return -1;
#endif
}

// Gives the anonymous file `fd` a unique name beside `path`.
Status link_beside(int fd, const std::string& path, std::string* name) {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  return unique_name_beside(
      path, "link a new file beside",
      [&](const std::string& candidate) {
        return linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, candidate.c_str(), AT_SYMLINK_FOLLOW) == 0;
      },
      name);
}

}  // namespace

Status check_replaceable(const std::string& path) {
  BARISTA_RETURN_IF_ERROR(check_regular_or_absent(path));
  // Creating a file there is the only honest test of a writable folder
  // (permissions, read-only mounts, ACLs); an anonymous one leaves nothing.
  int fd = open_anonymous_beside(path);
  if (fd >= 0) {
    close(fd);
    return Status();
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return io_error("write into the folder of", path);
  std::string name;
  BARISTA_RETURN_IF_ERROR(create_unique_beside(path, &fd, &name));
  close(fd);
  ::unlink(name.c_str());
  return Status();
}

Status replace_file_durably(const std::string& path, const uint8_t* data, size_t size) {
  BARISTA_RETURN_IF_ERROR(check_regular_or_absent(path));
  // The data goes into an anonymous file (O_TMPFILE) that gets a name only
  // once it is complete and synced, so a process killed while writing
  // leaves nothing behind. Where there are no anonymous files (or no /proc
  // to name one by), into a uniquely named file, removed on failure.
  std::string temporary;
  Status status;
  bool named = false;
  int fd = open_anonymous_beside(path);
  if (fd >= 0) {
    status = write_all(fd, data, size, path);
    if (status.ok() && fsync(fd) != 0) status = io_error("sync", path);
    named = status.ok() && link_beside(fd, path, &temporary).ok();
    close(fd);
  }
  if (status.ok() && !named) {
    BARISTA_RETURN_IF_ERROR(create_unique_beside(path, &fd, &temporary));
    status = write_all(fd, data, size, temporary);
    if (status.ok() && fsync(fd) != 0) status = io_error("sync", temporary);
    close(fd);
  }
  if (status.ok() && std::rename(temporary.c_str(), path.c_str()) != 0) status = io_error("rename into", path);
  if (!status.ok()) {
    if (!temporary.empty()) ::unlink(temporary.c_str());
    return status;
  }
  return sync_directory(path);
}

Status remove_file_durably(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("remove", path);
  return sync_directory(path);
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) close(fd_);  // also releases the lock
}

Status AppendFile::open(const std::string& path, bool* created) {
  path_ = path;
  int fd = -1;
  *created = false;
  bool missing = false;
  Status opened = open_regular_file(path, O_RDWR, 0, &fd, &missing);
  if (!opened.ok() && missing) {
    opened = open_regular_file(path, O_RDWR | O_CREAT | O_EXCL, 0644, &fd);
    *created = opened.ok();
  }
  BARISTA_RETURN_IF_ERROR(opened);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return make_error(BARISTA_STATUS_IO_ERROR, "'%s' is in use by another overlay (one writer at a time)",
                        path.c_str());
    }
    errno = error;
    return io_error("lock", path);
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    const Status status = io_error("stat", path);
    close(fd);
    return status;
  }
  fd_ = fd;
  size_ = static_cast<uint64_t>(info.st_size);
  if (*created) return sync_directory(path);  // the new name survives a crash
  return Status();
}

Status AppendFile::read_all(Vec<uint8_t>* out) { return read_all_fd(fd_, size_, out, path_); }

Status AppendFile::append(const uint8_t* data, size_t size) {
  if (lseek(fd_, static_cast<off_t>(size_), SEEK_SET) < 0) return io_error("seek in", path_);
  BARISTA_RETURN_IF_ERROR(write_all(fd_, data, size, path_));
  size_ += size;
  return Status();
}

Status AppendFile::truncate(uint64_t size) {
  if (ftruncate(fd_, static_cast<off_t>(size)) != 0) return io_error("truncate", path_);
  size_ = size;
  return Status();
}

Status AppendFile::sync() {
  if (fdatasync(fd_) != 0) return io_error("sync", path_);
  return Status();
}

}  // namespace barista::internal
