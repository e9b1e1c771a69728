// Run guard. See run_guard.h.
#include "run_guard.h"

#include <algorithm>

namespace refbridge::workflows {

RunGuard::RunGuard(int threshold) : threshold_(std::max(1, threshold)) {}

void RunGuard::stop(const Error& cause) {
  {
    std::lock_guard lock(mutex_);
    if (cause_) return;
    cause_ = cause;
  }
  token_.cancel(std::string(to_string(cause.code)));
}

bool RunGuard::note_failure(const Error& e) {
  if (classify(e) == ErrorClass::kRunLevel) {
    Error cause = e;
    cause.message = (e.system.empty() ? std::string() : e.system + ": ") + e.message +
                    " (a run-level failure: the run stopped and no record was charged)";
    stop(cause);
    return true;
  }
  if (!is_unavailable(e)) return stopped();
  const std::string system = e.system.empty() ? std::string("remote system") : e.system;
  int count = 0;
  {
    std::lock_guard lock(mutex_);
    count = ++consecutive_[system];
  }
  if (count >= threshold_) {
    Error cause = e;
    cause.message = system + " unavailable: " + std::to_string(count) +
                    " consecutive records failed without an answer (last: " + e.describe() +
                    "); the run stopped (sync.breaker_threshold) and no record was charged";
    stop(cause);
  }
  return stopped();
}

void RunGuard::note_success() {
  std::lock_guard lock(mutex_);
  consecutive_.clear();
}

std::optional<Error> RunGuard::cause() const {
  std::lock_guard lock(mutex_);
  return cause_;
}

}  // namespace refbridge::workflows
