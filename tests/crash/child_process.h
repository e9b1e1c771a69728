#pragma once
// Test support for the crash-safety tests: runs a workflow executable as a child process
// (posix_spawn) with an environment of the test's choosing, and tells how it ended.

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace refbridge::crash_test {

/// How a child process ended.
struct ChildExit {
  bool exited = false;    ///< returned from main / called exit: `code` is valid
  int code = -1;          ///< exit status (0..255)
  bool signaled = false;  ///< killed by a signal: `signal` is valid
  int signal = 0;

  [[nodiscard]] bool killed_by(int sig) const { return signaled && signal == sig; }
  /// "exit 0", "exit 2", "signal 9 (Killed)".
  [[nodiscard]] std::string describe() const;
};

/// Starts `program` with `args` (argv[1..]) and an environment made of the test process's own
/// variables minus every REFBRIDGE_* one, plus `env` (NAME -> value). stdout and stderr are
/// appended to `output_path`. Returns the child's pid; fails the current test when the spawn fails.
pid_t spawn_child(const std::string& program, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env, const std::string& output_path);

/// Waits for the child `pid` (reaping it) and tells how it ended; fails the test on a wait error.
ChildExit wait_child(pid_t pid);

/// SIGKILLs `pid` and returns once it is dead, without reaping it (the thread that started it
/// still waits for it with wait_child()). Safe to call from any thread.
void kill_and_await(pid_t pid);

}  // namespace refbridge::crash_test
