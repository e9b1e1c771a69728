// Cancellation token. See refbridge/cancel.h.
#include "refbridge/cancel.h"

namespace refbridge {

void CancellationToken::cancel(std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (flag_.load(std::memory_order_relaxed)) return;
    reason_ = std::move(reason);
    flag_.store(true, std::memory_order_release);
  }
  changed_.notify_all();
}

std::string CancellationToken::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

bool CancellationToken::wait_for(std::chrono::milliseconds duration) const {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, duration, [this] { return flag_.load(std::memory_order_acquire); });
}

void CancellationToken::reset() {
  std::lock_guard lock(mutex_);
  reason_.clear();
  flag_.store(false, std::memory_order_release);
}

}  // namespace refbridge
