// Durable replacement of a file (the overlay's snapshots, model files): the
// old or the new contents, never a stray temporary file, and the OS reason
// in every error. Writes are cut short with RLIMIT_FSIZE in a child: with
// SIGXFSZ at its default the kernel kills the writer mid-write; ignored, the
// write fails with EFBIG.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "platform/file_io.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

using namespace barista::internal;

namespace {

std::vector<std::string> names_in(const std::string& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) names.push_back(entry.path().filename());
  return names;
}

std::string contents_of(const std::string& path) {
  Vec<uint8_t> bytes;
  bool exists = false;
  REQUIRE(read_whole_file(path, &bytes, &exists).ok());
  return std::string(bytes.begin(), bytes.end());
}

// Replaces `path` with `size` bytes in a child whose files may not grow past
// 4 KiB; returns the child's exit code (1: the call failed, its message in
// *message), or -signal.
int replace_with_size_limit(const std::string& path, size_t size, bool die_at_limit, std::string* message = nullptr) {
  const barista_test::ChildResult child = barista_test::run_in_child([&](int message_fd) {
    // The limit holds for every file the child writes: its stdout and
    // stderr (a sanitizer's warnings) may be files already past 4 KiB.
    const int null = ::open("/dev/null", O_WRONLY);
    if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) return 5;
    std::signal(SIGXFSZ, die_at_limit ? SIG_DFL : SIG_IGN);
    const rlimit limit{4096, RLIM_INFINITY};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 3;
    const std::vector<uint8_t> data(size, 'n');
    const Status status = replace_file_durably(path, data.data(), data.size());
    if (!status.ok()) barista_test::tell_parent(message_fd, status.message());
    return status.ok() ? 0 : 1;
  });
  if (message != nullptr) *message = child.message;
  return child.exit_code;
}

}  // namespace

TEST_CASE("a file replaced durably: the old or the new contents, and nothing else in the folder") {
  barista_test::TempDir dir;
  const std::string path = dir.file("snapshot");
  const std::string old_text = "old contents";
  REQUIRE(replace_file_durably(path, reinterpret_cast<const uint8_t*>(old_text.data()), old_text.size()).ok());
  CHECK(contents_of(path) == old_text);
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot"});

  // Killed in the middle of writing (SIGXFSZ at 4 KiB of 64 KiB): nothing
  // is left where the file system has anonymous files (O_TMPFILE: ext4,
  // xfs, btrfs, tmpfs); elsewhere one uniquely named file is.
  CHECK(replace_with_size_limit(path, 65536, true) == -SIGXFSZ);
  CHECK(contents_of(path) == old_text);
#if defined(O_TMPFILE)
  const int probe = ::open(dir.path().c_str(), O_TMPFILE | O_WRONLY, 0600);
#else
  const int probe = -1;
#endif
  if (probe >= 0) {
    close(probe);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot"});
  } else {
    MESSAGE("no anonymous files here: a killed write leaves its temporary file");
    CHECK(names_in(dir.path()).size() == 2);
    for (const std::string& name : names_in(dir.path())) {
      if (name != "snapshot") std::filesystem::remove(dir.file(name));
    }
  }

  // A write that fails (EFBIG): the OS reason in the message, no stray file.
  std::string message;
  CHECK(replace_with_size_limit(path, 65536, false, &message) == 1);
  CHECK(message.find("File too large") != std::string::npos);
  CHECK(contents_of(path) == old_text);
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot"});

  // Within the limit, it works in the same child.
  CHECK(replace_with_size_limit(path, 1000, true) == 0);
  CHECK(contents_of(path) == std::string(1000, 'n'));
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot"});
}

TEST_CASE("replacing or checking a path that cannot take a file: IO_ERROR with the OS reason, nothing created") {
  barista_test::TempDir dir;
  const uint8_t byte = 1;
  // A directory where the file should be.
  std::filesystem::create_directory(dir.file("folder"));
  Status s = replace_file_durably(dir.file("folder"), &byte, 1);
  CHECK(s.code() == BARISTA_STATUS_IO_ERROR);
  CHECK(s.message().find("not a regular file") != std::string::npos);
  CHECK(check_replaceable(dir.file("folder")).code() == BARISTA_STATUS_IO_ERROR);
  // A folder that does not exist.
  const std::string nowhere = dir.file("missing/model.barista");
  s = replace_file_durably(nowhere, &byte, 1);
  CHECK(s.code() == BARISTA_STATUS_IO_ERROR);
  CHECK(s.message().find("No such file or directory") != std::string::npos);
  s = check_replaceable(nowhere);
  CHECK(s.code() == BARISTA_STATUS_IO_ERROR);
  CHECK(s.message().find("No such file or directory") != std::string::npos);
  // A writable folder passes the check, and the check leaves nothing.
  CHECK(check_replaceable(dir.file("model.barista")).ok());
  CHECK(names_in(dir.path()) == std::vector<std::string>{"folder"});
}
