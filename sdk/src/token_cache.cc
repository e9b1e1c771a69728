// Shared bearer-token cache. See token_cache.h.
#include "token_cache.h"

namespace refbridge::detail {
namespace {

/// The cache and generation of the token this thread last received (one slot is enough: a worker
/// applies, sends and, on a 401, invalidates on the same connection before it sends anything else).
struct LastUsed {
  const TokenCache* cache = nullptr;
  std::uint64_t generation = 0;
};
thread_local LastUsed last_used;

}  // namespace

Result<std::string> TokenCache::get(const Fetch& fetch) {
  std::lock_guard lock(mutex_);
  const Instant now = clock_->now();
  if (throttled_until_ && now < *throttled_until_) {
    Error e = throttle_error_;
    e.retry_after_seconds =
        static_cast<int>(std::chrono::ceil<std::chrono::seconds>(*throttled_until_ - now).count());
    return e;
  }
  const bool due = token_.empty() || (refresh_at_ && now >= *refresh_at_);
  if (due) {
    auto fetched = fetch();
    if (fetched) {
      token_ = std::move(fetched.value().value);
      refresh_at_ = fetched.value().refresh_at;
      expires_at_ = fetched.value().expires_at;
      throttled_until_.reset();
      ++generation_;
    } else {
      const Error& e = fetched.error();
      if (e.code == ErrorCode::kRateLimited && e.retry_after_seconds > 0) {
        throttled_until_ = now + std::chrono::seconds(e.retry_after_seconds);
        throttle_error_ = e;
      }
      const bool old_usable = !token_.empty() && (!expires_at_ || now < *expires_at_);
      if (!old_usable) return e;
    }
  }
  last_used = {this, generation_};
  return token_;
}

bool TokenCache::invalidate() {
  std::lock_guard lock(mutex_);
  const bool replaced_since = last_used.cache == this && last_used.generation != generation_;
  if (!replaced_since && !token_.empty()) {
    token_.clear();
    refresh_at_.reset();
    expires_at_.reset();
    ++generation_;
  }
  return true;
}

}  // namespace refbridge::detail
