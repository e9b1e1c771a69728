#pragma once
// Internal to the SDK: the cached bearer token shared by the token-based authenticators (OAuth2
// client credentials, Primero <= 2.10 token login). One fetch at a time: concurrent callers that
// find the token missing or due wait for the first caller's fetch and then share its token.
// After a 401, invalidate() drops the token only when it is the one this thread last used, so a
// burst of 401s from several workers causes one new fetch, not one per worker.
// A refused fetch with a wait (429 + Retry-After) is remembered: until the wait is over, get()
// returns the same kRateLimited error (remaining wait in retry_after_seconds) without asking the
// server again, so no worker can loop on the login endpoint.

#include "refbridge/error.h"
#include "refbridge/time.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace refbridge::detail {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

/// A fetched token. Units: instants from the cache's Clock (UTC, milliseconds).
struct FetchedToken {
  std::string value;
  std::optional<Instant> refresh_at;  ///< fetch a new one from this instant on; none = only after a 401
  std::optional<Instant> expires_at;  ///< unusable from this instant on; none = until a 401
};

class TokenCache {
 public:
  using Fetch = std::function<Result<FetchedToken>()>;

  /// `clock` is not owned and must outlive the cache.
  explicit TokenCache(const Clock& clock) : clock_(&clock) {}

  /// The current token, calling `fetch` (under the lock) when there is none or it is due. When a
  /// proactive refresh fails but the old token has not expired yet, the old token is returned.
  /// Errors: those of `fetch`; kRateLimited while an earlier 429's wait lasts.
  Result<std::string> get(const Fetch& fetch);

  /// Drops the token this thread last received from get(), unless another thread already
  /// replaced it. Always returns true (a retry with the next token may succeed).
  bool invalidate();

 private:
  const Clock* clock_;
  std::mutex mutex_;
  std::string token_;  // the members below are guarded by mutex_
  std::optional<Instant> refresh_at_;
  std::optional<Instant> expires_at_;
  std::uint64_t generation_ = 0;  // incremented by every fetch and every drop
  std::optional<Instant> throttled_until_;
  Error throttle_error_;
};

}  // namespace refbridge::detail
