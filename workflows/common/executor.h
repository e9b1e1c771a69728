#pragma once
// Bounded concurrency for independent records (../shared/docs/workflows.md "Common rules": one
// record's failure never stops the others; the issue's "processed concurrently, with a
// configurable bound (default 8)"). A fixed set of worker threads takes tasks from a queue that
// holds at most 2 x workers tasks: submit() blocks when it is full, so a producer that streams
// pages never holds more than a few pages of records in memory.
// Cancellation (cancellation.h): once the stop token is raised, queued and newly submitted tasks
// are not started (counted by note_task_not_started()); running tasks finish.

#include "cancellation.h"

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
  /// Starts `workers` threads (clamped to 1..64). `stop` (not owned; default: the run's
  /// cancellation) stops the executor from starting tasks once cancelled; null: never stops.
  explicit BoundedExecutor(int workers, const CancellationToken* stop = &run_cancellation());
  /// Waits for every submitted task, then joins the workers.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  /// Queues `task`; blocks while the queue is full. Tasks must report their own outcome (a task
  /// that throws is counted in escaped_exceptions() and otherwise ignored). After cancellation
  /// the task is dropped at once (never run).
  void submit(std::function<void()> task);
  /// Blocks until every task submitted so far has finished.
  void wait_idle();
  /// Tasks that ended with an exception (should stay 0: workflow code returns errors as values).
  [[nodiscard]] std::size_t escaped_exceptions() const;
  /// Tasks of this executor dropped because of cancellation.
  [[nodiscard]] std::size_t not_started() const;

 private:
  void work();

  /// True (and the task counted as not started) when the stop token is raised. Caller holds mutex_.
  bool drop_if_stopped();

  std::size_t capacity_;
  const CancellationToken* stop_;
  std::size_t not_started_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  std::size_t escaped_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace refbridge::workflows
