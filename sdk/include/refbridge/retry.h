#pragma once
// In-call retry of transient failures, as three separate parts (../shared/docs/cpp-sdk-style-anchors.md
// §3 practice 8; google-cloud-cpp retry_policy.h / backoff_policy.h / idempotency.h; the Kiota /
// Microsoft Graph RetryHandler design in codegen-anchors.md §1.4):
//   - when to stop: RetryPolicy::max_attempts and max_elapsed (whichever comes first);
//   - how long to wait: truncated exponential backoff with full jitter (Backoff), or the server's
//     Retry-After on 429/503 (seconds or HTTP-date), refused when longer than max_retry_after;
//   - whether the call may be repeated at all: Idempotency, generated per operation
//     (schemas: GET/PUT/DELETE and keyed PATCH idempotent; POST only with `x-refbridge-idempotent:
//     true`). A non-idempotent call is repeated only when the server certainly did not process it.
// Between-run retries of failed records are a different mechanism (workflows/common/record_book.h).
// Clock, sleeper and RNG seed are injected so tests observe every wait without sleeping.

#include "refbridge/cancel.h"
#include "refbridge/error.h"
#include "refbridge/http.h"
#include "refbridge/time.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>

namespace refbridge {

/// May the same request be sent again after a failure whose outcome is unknown?
enum class Idempotency {
  kIdempotent,     ///< repeating it leaves the server as one call would (GET, PUT, DELETE, keyed PATCH, deduplicated POST)
  kNonIdempotent,  ///< repeating it may act twice (e.g. Primero createCase creates a second case)
};

/// "idempotent" / "non-idempotent".
std::string_view to_string(Idempotency i) noexcept;

/// The default when the schema says nothing: GET, PUT, DELETE idempotent (RFC 9110 §9.2.2), POST
/// and PATCH not. Generated clients pass the schema's decision instead (a PATCH addressed by a
/// path parameter is idempotent there; see codegen/src/schema_loader.cc).
Idempotency default_idempotency(HttpMethod method) noexcept;

/// When to stop retrying and how long to wait. Units: milliseconds. Defaults: 4 attempts within
/// 60 s, waits drawn from [0, min(30 s, 0.5 s x 2^(retry-1))], Retry-After honoured up to 60 s.
struct RetryPolicy {
  int max_attempts = 4;                           ///< attempts in all, the first included (1 = never retry)
  std::chrono::milliseconds max_elapsed{60'000};  ///< no retry whose wait would end later than this after the first send
  std::chrono::milliseconds initial_backoff{500}; ///< ceiling of the first wait
  double multiplier = 2.0;                        ///< the ceiling grows by this factor per retry (>= 1)
  std::chrono::milliseconds max_backoff{30'000};  ///< cap of the ceiling
  std::chrono::milliseconds max_retry_after{60'000};  ///< a longer Retry-After is not waited for: the error is returned
  std::uint64_t jitter_seed = 0;                  ///< 0: seeded from std::random_device; else deterministic (tests)

  /// One attempt, no retry.
  static RetryPolicy no_retry() {
    RetryPolicy p;
    p.max_attempts = 1;
    return p;
  }
};

/// Transient failures (worth one more attempt): classify(e) == ErrorClass::kTransient
/// (refbridge/error.h: transport failures, timeouts, HTTP 408, 429, 500, 502, 503, 504), except an
/// unreadable answer (kInvalidResponse), which the between-run retry handles.
bool is_transient(const Error& e) noexcept;

/// Whether the failed call may be sent again given its idempotency: always for an idempotent one;
/// a non-idempotent one only when the server certainly did not act on it: the request never left
/// (Error::not_sent: DNS failure, connection refused), 429 (RFC 6585 §4: the request was refused
/// for rate), or 503 with Retry-After (the server refused it and said when to come back; Primero
/// config-update 503, primero-api-v2.md §3). A 500/502/504 or a reset/timeout after sending may
/// have been processed, so a POST is not repeated (google-cloud-cpp: only idempotent RPCs retry).
bool may_repeat(const Error& e, Idempotency idempotency) noexcept;

/// The Retry-After header of `response` as a wait from `now`: delta-seconds ("120") or an
/// HTTP-date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §10.2.3 and §5.6.7); a date in
/// the past gives 0. std::nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(const HttpResponse& response,
                                                            std::chrono::sys_time<std::chrono::milliseconds> now);

/// Truncated exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
/// architecture blog): the n-th wait (n from 1) is uniform in [0, min(max_backoff, initial x
/// multiplier^(n-1))]. One instance per call (it counts the retries of that call); not thread-safe.
class Backoff {
 public:
  /// `seed` 0 draws a seed from std::random_device. The generator is seeded at the first next(),
  /// so a call that needs no retry (nearly all) costs no seeding.
  Backoff(const RetryPolicy& policy, std::uint64_t seed);
  /// The ceiling of the n-th wait (n >= 1).
  [[nodiscard]] std::chrono::milliseconds ceiling(int n) const;
  /// The next wait.
  std::chrono::milliseconds next();

 private:
  const RetryPolicy& policy_;
  std::uint64_t seed_;
  std::optional<std::mt19937_64> rng_;  ///< made at the first next()
  int drawn_ = 0;
};

/// The verdict after a failed attempt.
struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds wait{0};  ///< before the next attempt (when retry)
  std::string_view reason;            ///< why not: "not-transient", "not-idempotent", "attempts-exhausted",
                                      ///< "time-exhausted", "retry-after-too-long"; "retry" / "retry-after" when retrying
};

/// Decides after attempt number `attempts_made` (from 1) failed with `e`, `elapsed` after the
/// first send. The wait is e.retry_after_seconds for 429/503 when set (else backoff.next()).
RetryDecision decide_retry(const RetryPolicy& policy, const Error& e, Idempotency idempotency, int attempts_made,
                           std::chrono::milliseconds elapsed, Backoff& backoff);

/// Waits between attempts; returns false when the wait was cut short (cancellation): no further
/// attempt is made then.
using RetrySleeper = std::function<bool(std::chrono::milliseconds)>;

/// Sleeps on `token` (ends early, returning false, once it is cancelled); a plain sleep when null.
RetrySleeper interruptible_sleeper(const CancellationToken* token);

/// What the retry loop needs besides the policy; nothing owned.
struct RetryEnv {
  const Clock& clock;
  const RetrySleeper& sleep;
  const CancellationToken* cancel = nullptr;  ///< when cancelled, no further attempt starts
};

/// Called before each wait: the attempt that failed (from 1), its error and the wait.
using RetryObserver = std::function<void(int attempt, const Error& error, std::chrono::milliseconds wait)>;

/// Runs `attempt` until it succeeds or decide_retry() says stop, waiting in between with env.sleep.
/// Returns the success, or the last error with " (after N attempts)" appended when more than one
/// was made (and " (retry cancelled)" when a wait was cut short or the token was cancelled).
template <class T, class Attempt>
Result<T> retry_loop(const RetryPolicy& policy, Idempotency idempotency, const RetryEnv& env, std::uint64_t seed,
                     Attempt&& attempt, const RetryObserver& on_retry = {}) {
  Backoff backoff(policy, seed);
  const auto start = env.clock.now();
  for (int n = 1;; ++n) {
    Result<T> r = attempt();
    if (r) return r;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(env.clock.now() - start);
    const RetryDecision d = decide_retry(policy, r.error(), idempotency, n, elapsed, backoff);
    const bool cancelled_now = env.cancel != nullptr && env.cancel->cancelled();
    if (!d.retry || cancelled_now) {
      Error e = std::move(r).error();
      if (n > 1) e.message += " (after " + std::to_string(n) + " attempts)";
      if (d.retry && cancelled_now) e.message += " (retry cancelled)";
      return e;
    }
    if (on_retry) on_retry(n, r.error(), d.wait);
    if (!env.sleep(d.wait)) {
      Error e = std::move(r).error();
      e.message += " (after " + std::to_string(n) + " attempt" + (n > 1 ? "s" : "") + "; retry cancelled)";
      return e;
    }
  }
}

}  // namespace refbridge
