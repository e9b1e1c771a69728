// Bounded executor. See executor.h.
#include "executor.h"

#include <algorithm>

namespace refbridge::workflows {

BoundedExecutor::BoundedExecutor(int workers, const CancellationToken* stop) : stop_(stop) {
  const int n = std::clamp(workers, 1, 64);
  capacity_ = static_cast<std::size_t>(2 * n);
  threads_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
}

BoundedExecutor::~BoundedExecutor() {
  wait_idle();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

bool BoundedExecutor::drop_if_stopped() {
  if (stop_ == nullptr || !stop_->cancelled()) return false;
  ++not_started_;
  note_task_not_started();
  return true;
}

std::size_t BoundedExecutor::not_started() const {
  std::lock_guard lock(mutex_);
  return not_started_;
}

void BoundedExecutor::submit(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.size() < capacity_ || (stop_ != nullptr && stop_->cancelled()); });
  if (drop_if_stopped()) return;
  queue_.push_back(std::move(task));
  changed_.notify_all();
}

void BoundedExecutor::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

std::size_t BoundedExecutor::escaped_exceptions() const {
  std::lock_guard lock(mutex_);
  return escaped_;
}

void BoundedExecutor::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    auto task = std::move(queue_.front());
    queue_.pop_front();
    if (drop_if_stopped()) {
      changed_.notify_all();  // room in the queue; wait_idle() may be waiting for an empty queue
      continue;
    }
    ++running_;
    changed_.notify_all();  // room in the queue
    lock.unlock();
    bool escaped = false;
    try {
      task();
    } catch (...) {
      escaped = true;
    }
    lock.lock();
    --running_;
    escaped_ += escaped ? 1 : 0;
    changed_.notify_all();
  }
}

}  // namespace refbridge::workflows
