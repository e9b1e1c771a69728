#pragma once
// fork() helpers for the ledger tests: a child runs a function and _exit()s with its answer (no
// Catch2 in the child), a pipe lets the parent wait for "ready" or release several children at once.
// Never fork with a ledger open in the parent (SQLite connections must not cross fork()).

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <stdexcept>

namespace refbridge::testing {

/// A pipe; both ends closed by the destructor.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_read() {
    if (fds[0] >= 0) ::close(fds[0]);
    fds[0] = -1;
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
  /// Writes one byte (a "ready" signal).
  void signal() const { (void)!::write(fds[1], "y", 1); }
  /// Blocks until one byte arrives (true) or every writer closed its end (false).
  [[nodiscard]] bool wait() const {
    char c = 0;
    return ::read(fds[0], &c, 1) == 1;
  }
};

/// Forks; the child runs `body` and _exit()s with its result (exit status 100 on an exception).
inline pid_t fork_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int code = 100;
    try {
      code = body();
    } catch (...) {
    }
    ::_exit(code);
  }
  return pid;
}

/// Waits for the child; its exit status, or 128 + signal number when a signal ended it.
inline int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace refbridge::testing
