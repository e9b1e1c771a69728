// Bounded executor. See executor.h.
#include "executor.h"

#include <algorithm>

namespace refbridge::workflows {

BoundedExecutor::BoundedExecutor(int workers, const CancellationToken* stop, const CancellationToken* abort)
    : stop_(stop), abort_(abort) {
  const int n = std::clamp(workers, 1, 64);
  capacity_ = static_cast<std::size_t>(2 * n);
  chain_capacity_ = static_cast<std::size_t>(16 * n);
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

bool BoundedExecutor::stop_raised() const {
  return (stop_ != nullptr && stop_->cancelled()) || (abort_ != nullptr && abort_->cancelled());
}

bool BoundedExecutor::drop_if_stopped() {
  if (!stop_raised()) return false;
  ++not_started_;
  note_task_not_started();
  return true;
}

std::size_t BoundedExecutor::not_started() const {
  std::lock_guard lock(mutex_);
  return not_started_;
}

void BoundedExecutor::submit(std::function<void()> task) { submit(std::string(), std::move(task)); }

void BoundedExecutor::submit(const std::string& order_key, std::function<void()> task) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return (queue_.size() < capacity_ && chained_ < chain_capacity_) || stop_raised(); });
  if (drop_if_stopped()) return;
  if (!order_key.empty()) {
    auto [chain, fresh] = chains_.try_emplace(order_key);
    if (!fresh) {  // the key is busy (running or queued): wait behind it
      chain->second.push_back(Task{order_key, std::move(task)});
      ++chained_;
      return;
    }
  }
  queue_.push_back(Task{order_key, std::move(task)});
  changed_.notify_all();
}

void BoundedExecutor::release_key(const std::string& key) {
  auto chain = chains_.find(key);
  if (chain == chains_.end()) return;
  if (chain->second.empty()) {
    chains_.erase(chain);
    return;
  }
  queue_.push_back(std::move(chain->second.front()));
  chain->second.pop_front();
  --chained_;
}

void BoundedExecutor::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.empty() && chained_ == 0 && running_ == 0; });
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
    Task task = std::move(queue_.front());
    queue_.pop_front();
    if (drop_if_stopped()) {
      if (!task.key.empty()) release_key(task.key);  // its chain is dropped in turn
      changed_.notify_all();  // room in the queue; wait_idle() may be waiting for an empty queue
      continue;
    }
    ++running_;
    changed_.notify_all();  // room in the queue
    lock.unlock();
    bool escaped = false;
    try {
      task.run();
    } catch (...) {
      escaped = true;
    }
    lock.lock();
    --running_;
    if (!task.key.empty()) release_key(task.key);
    escaped_ += escaped ? 1 : 0;
    changed_.notify_all();
  }
}

}  // namespace refbridge::workflows
