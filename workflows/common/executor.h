#pragma once
// Bounded concurrency for independent records (../shared/docs/workflows.md "Common rules": one
// record's failure never stops the others; the issue's "processed concurrently, with a
// configurable bound (default 8)"). A fixed set of worker threads takes tasks from a queue that
// holds at most 2 x workers tasks: submit() blocks when it is full, so a producer that streams
// pages never holds more than a few pages of records in memory.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace refbridge::workflows {

class BoundedExecutor {
 public:
  /// Starts `workers` threads (clamped to 1..64).
  explicit BoundedExecutor(int workers);
  /// Waits for every submitted task, then joins the workers.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  /// Queues `task`; blocks while the queue is full. Tasks must report their own outcome (a task
  /// that throws is counted in escaped_exceptions() and otherwise ignored).
  void submit(std::function<void()> task);
  /// Blocks until every task submitted so far has finished.
  void wait_idle();
  /// Tasks that ended with an exception (should stay 0: workflow code returns errors as values).
  [[nodiscard]] std::size_t escaped_exceptions() const;

 private:
  void work();

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  std::size_t escaped_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace refbridge::workflows
