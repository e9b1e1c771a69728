#pragma once
// Cooperative cancellation shared by the retry loop (refbridge/retry.h), ApiConnection and the
// workflow engine (workflows/common/engine.h): one flag that any thread may raise once, and waits
// that end early when it is raised. Raising it from a POSIX signal handler is NOT allowed (a mutex
// is involved): workflow_main() receives SIGINT/SIGTERM on a dedicated thread (sigwait) and calls
// cancel() there. Source: the Transport issue ("sleeps must be interruptible by cancellation").

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace refbridge {

/// A one-way "stop" flag with interruptible waits. Thread-safe; not copyable (share it by reference).
class CancellationToken {
 public:
  CancellationToken() = default;
  CancellationToken(const CancellationToken&) = delete;
  CancellationToken& operator=(const CancellationToken&) = delete;

  /// Raises the flag (the first reason is kept, e.g. "SIGTERM" or "run_timeout") and wakes every
  /// wait_for(). Later calls change nothing.
  void cancel(std::string reason);
  /// True once cancel() was called.
  [[nodiscard]] bool cancelled() const noexcept { return flag_.load(std::memory_order_acquire); }
  /// The first cancel() reason, empty while not cancelled.
  [[nodiscard]] std::string reason() const;
  /// Sleeps `duration` (milliseconds) unless cancelled first. Returns true when the whole duration
  /// passed, false when the token was (or became) cancelled.
  bool wait_for(std::chrono::milliseconds duration) const;
  /// Lowers the flag again (tests and the start of a new run in the same process only).
  void reset();

 private:
  std::atomic<bool> flag_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string reason_;  // guarded by mutex_
};

}  // namespace refbridge
