#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/alloc.h"
#include "platform/file_io.h"
#include "platform/file_map.h"

namespace barista::internal {

FileMap::~FileMap() { release(); }

FileMap::FileMap(FileMap&& other) noexcept : data_(other.data_), size_(other.size_), copied_(other.copied_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.copied_ = false;
}

FileMap& FileMap::operator=(FileMap&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    copied_ = other.copied_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.copied_ = false;
  }
  return *this;
}

void FileMap::release() {
  if (data_ != nullptr) {
    if (copied_) {
      deallocate(const_cast<uint8_t*>(data_));
    } else {
      munmap(const_cast<uint8_t*>(data_), size_);
    }
  }
  data_ = nullptr;
  size_ = 0;
  copied_ = false;
}

namespace {

// Opens `path` for reading (a regular file, without blocking on a FIFO)
// and checks that it has 1 to max_size bytes.
Status open_checked(const char* path, uint64_t max_size, int* out_fd, uint64_t* out_size) {
  int fd = -1;
  BARISTA_RETURN_IF_ERROR(open_regular_file(path, O_RDONLY, 0, &fd));
  struct stat info;
  Status status;
  if (fstat(fd, &info) != 0) {
    status = make_error(BARISTA_STATUS_IO_ERROR, "cannot stat '%s': %s", path, std::strerror(errno));
  } else if (static_cast<uint64_t>(info.st_size) > max_size) {
    status = make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "'%s' is %llu bytes, more than the %llu a model may have", path,
                        static_cast<unsigned long long>(info.st_size), static_cast<unsigned long long>(max_size));
  } else if (info.st_size == 0) {
    status = make_error(BARISTA_STATUS_NOT_A_MODEL, "'%s' is empty", path);
  }
  if (!status.ok()) {
    close(fd);
    return status;
  }
  *out_fd = fd;
  *out_size = static_cast<uint64_t>(info.st_size);
  return Status();
}

}  // namespace

Status FileMap::open(const char* path, uint64_t max_size, FileMap* out) {
  int fd = -1;
  uint64_t size = 0;
  BARISTA_RETURN_IF_ERROR(open_checked(path, max_size, &fd, &size));
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

Status FileMap::read(const char* path, uint64_t max_size, FileMap* out) {
  int fd = -1;
  uint64_t size = 0;
  BARISTA_RETURN_IF_ERROR(open_checked(path, max_size, &fd, &size));
  auto* copy = static_cast<uint8_t*>(allocate_aligned(size, 64));
  if (copy == nullptr) {
    close(fd);
    return make_error(BARISTA_STATUS_OUT_OF_MEMORY, "cannot allocate %llu bytes to read '%s' into",
                      static_cast<unsigned long long>(size), path);
  }
  uint64_t done = 0;
  Status status;
  while (done < size && status.ok()) {
    const ssize_t got = pread(fd, copy + done, size - done, static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      status = make_error(BARISTA_STATUS_IO_ERROR, "cannot read '%s': %s", path, std::strerror(errno));
    } else if (got == 0) {
      status = make_error(BARISTA_STATUS_IO_ERROR, "'%s' became shorter while it was read", path);
    } else {
      done += static_cast<uint64_t>(got);
    }
  }
  close(fd);
  if (!status.ok()) {
    deallocate(copy);
    return status;
  }
  out->release();
  out->data_ = copy;
  out->size_ = size;
  out->copied_ = true;
  return Status();
}

}  // namespace barista::internal
