#pragma once
// Bounded concurrency for independent records (../shared/docs/workflows.md "Common rules": one
// record's failure never stops the others; the issue's "processed concurrently, with a
// configurable bound (default 8)"). A fixed set of worker threads takes tasks from a queue that
// holds at most 2 x workers ready tasks, and at most 16 x workers tasks wait behind a busy key:
// submit() blocks when either is full, so a producer that streams pages never holds more than a
// few pages of records in memory. The chains have their own, larger bound so that records of one
// key listed together (several interventions of one child) do not fill the queue and leave
// workers idle: at sync.concurrency 32 against a slow server that halved the throughput.
// Per-key ordering (the "No duplicate, ever" issue): a task submitted with an order key never runs
// while another task with the same key is running; it waits in that key's chain (FIFO) without
// holding a worker, and tasks of other keys go on concurrently. Workflows key records by the
// target they touch (1.1: the individual whose case is matched; 2.2, 1.2, 2.1: the Primero case),
// so two records of one child never search-then-create at the same time.
// Cancellation (cancellation.h): once a stop token is raised, queued, chained and newly submitted
// tasks are not started (counted by note_task_not_started()); running tasks finish.

#include "cancellation.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace refbridge::workflows {

class BoundedExecutor {
 public:
  /// Starts `workers` threads (clamped to 1..64). `stop` (not owned; default: the run's
  /// cancellation) stops the executor from starting tasks once cancelled; null: never stops.
  /// `abort` (not owned, may be null): a second token with the same effect (the run guard's,
  /// run_guard.h: a run-level failure stops the run).
  explicit BoundedExecutor(int workers, const CancellationToken* stop = &run_cancellation(),
                           const CancellationToken* abort = nullptr);
  /// Waits for every submitted task, then joins the workers.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  /// Queues `task`; blocks while the queue is full. Tasks must report their own outcome (a task
  /// that throws is counted in escaped_exceptions() and otherwise ignored). After cancellation
  /// the task is dropped at once (never run).
  void submit(std::function<void()> task);
  /// Queues `task` under `order_key` (see the file comment; empty: no ordering, as submit(task)).
  /// Tasks of one key run one at a time, in submission order. Blocks while the queue (chained
  /// tasks included) is full.
  void submit(const std::string& order_key, std::function<void()> task);
  /// Blocks until every task submitted so far has finished.
  void wait_idle();
  /// Tasks that ended with an exception (should stay 0: workflow code returns errors as values).
  [[nodiscard]] std::size_t escaped_exceptions() const;
  /// Tasks of this executor dropped because of cancellation.
  [[nodiscard]] std::size_t not_started() const;

 private:
  void work();

  struct Task {
    std::string key;  // empty: unordered
    std::function<void()> run;
  };

  /// True (and the task counted as not started) when a stop token is raised. Caller holds mutex_.
  bool drop_if_stopped();
  [[nodiscard]] bool stop_raised() const;
  /// After a keyed task ends: moves the next task of its chain to the queue, or frees the key.
  /// Caller holds mutex_.
  void release_key(const std::string& key);

  std::size_t capacity_;        // of queue_
  std::size_t chain_capacity_;  // of the chains (chained_)
  const CancellationToken* stop_;
  const CancellationToken* abort_;
  std::size_t not_started_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Task> queue_;                                         // ready to run
  std::unordered_map<std::string, std::deque<Task>> chains_;       // key busy -> tasks waiting for it
  std::size_t chained_ = 0;                                        // tasks in chains_
  std::size_t running_ = 0;
  std::size_t escaped_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace refbridge::workflows
