#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform/file_map.h"

namespace barista::internal {

FileMap::~FileMap() { release(); }

FileMap::FileMap(FileMap&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

FileMap& FileMap::operator=(FileMap&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void FileMap::release() {
  if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

Status FileMap::open(const char* path, uint64_t max_size, FileMap* out) {
  int fd;
  do {
    // Without blocking: opening a FIFO would wait for a writer.
    fd = ::open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return make_error(BARISTA_STATUS_IO_ERROR, "cannot open '%s': %s", path, std::strerror(errno));
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    const int error = errno;
    close(fd);
    return make_error(BARISTA_STATUS_IO_ERROR, "cannot stat '%s': %s", path, std::strerror(error));
  }
  if (!S_ISREG(info.st_mode)) {
    close(fd);
    return make_error(BARISTA_STATUS_IO_ERROR, "'%s' is not a regular file", path);
  }
  const uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > max_size) {
    close(fd);
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "'%s' is %llu bytes, more than the %llu a model may have", path,
                      static_cast<unsigned long long>(size), static_cast<unsigned long long>(max_size));
  }
  if (size == 0) {
    close(fd);
    return make_error(BARISTA_STATUS_NOT_A_MODEL, "'%s' is empty", path);
  }
  void* address = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int error = errno;
  close(fd);  // the mapping keeps the file alive
  if (address == MAP_FAILED) {
    return make_error(BARISTA_STATUS_IO_ERROR, "cannot map '%s': %s", path, std::strerror(error));
  }
  out->release();
  out->data_ = static_cast<const uint8_t*>(address);
  out->size_ = size;
  return Status();
}

}  // namespace barista::internal
