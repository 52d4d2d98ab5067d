#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

Status read_whole_file(const std::string& path, Vec<uint8_t>* out, bool* exists) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *exists = false;
      out->clear();
      return Status();
    }
    return io_error("open", path);
  }
  *exists = true;
  struct stat info;
  Status status = fstat(fd, &info) == 0 ? Status() : io_error("stat", path);
  if (status.ok()) status = read_all_fd(fd, static_cast<uint64_t>(info.st_size), out, path);
  close(fd);
  return status;
}

Status replace_file_durably(const std::string& path, const uint8_t* data, size_t size) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("create", temporary);
  Status status = write_all(fd, data, size, temporary);
  if (status.ok() && fsync(fd) != 0) status = io_error("sync", temporary);
  close(fd);
  if (status.ok() && std::rename(temporary.c_str(), path.c_str()) != 0) status = io_error("rename into", path);
  if (!status.ok()) {
    ::unlink(temporary.c_str());
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
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  *created = false;
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    *created = fd >= 0;
  }
  if (fd < 0) return io_error("open", path);
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
