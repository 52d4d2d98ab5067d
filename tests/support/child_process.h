// Running a piece of a test in a forked child, for what would harm the test
// process itself: resource limits (RLIMIT_AS, RLIMIT_FSIZE), fatal signals.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

namespace barista_test {

// The address space this process has reserved, in bytes.
inline size_t address_space_in_use() {
  unsigned long pages = 0;
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  if (std::fscanf(statm, "%lu", &pages) != 1) pages = 0;
  std::fclose(statm);
  return pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

struct ChildResult {
  int exit_code = -1000;  // or -signal when the child died of one
  std::string message;    // what the child wrote to its message descriptor
};

// Runs body(message_fd) in a forked child, which exits with what it returns.
inline ChildResult run_in_child(const std::function<int(int message_fd)>& body) {
  ChildResult result;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return result;
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    _exit(body(pipe_fds[1]));
  }
  close(pipe_fds[1]);
  char buffer[512];
  ssize_t got = 0;
  while ((got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) result.message.append(buffer, static_cast<size_t>(got));
  close(pipe_fds[0]);
  int wstatus = 0;
  if (pid < 0 || waitpid(pid, &wstatus, 0) != pid) return result;
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus);
  return result;
}

// Writes `text` to a child's message descriptor.
inline void tell_parent(int message_fd, const std::string& text) {
  if (::write(message_fd, text.data(), text.size()) < 0) _exit(4);
}

}  // namespace barista_test
