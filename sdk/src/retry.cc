// Retry policy, backoff, idempotency. See refbridge/retry.h.
#include "refbridge/retry.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <thread>

namespace refbridge {

std::string_view to_string(Idempotency i) noexcept {
  return i == Idempotency::kIdempotent ? "idempotent" : "non-idempotent";
}

Idempotency default_idempotency(HttpMethod method) noexcept {
  switch (method) {
    case HttpMethod::kGet:
    case HttpMethod::kPut:
    case HttpMethod::kDelete:
      return Idempotency::kIdempotent;
    default:
      return Idempotency::kNonIdempotent;
  }
}

bool is_transient(const Error& e) noexcept {
  // One classification for in-call and between-run retries (refbridge/error.h classify()); an
  // unreadable 2xx answer is transient between runs but is never seen here (parsed after execute).
  return classify(e) == ErrorClass::kTransient && e.code != ErrorCode::kInvalidResponse;
}

bool may_repeat(const Error& e, Idempotency idempotency) noexcept {
  if (idempotency == Idempotency::kIdempotent) return true;
  if (e.code == ErrorCode::kTransport && e.not_sent) return true;
  if (e.http_status == 429) return true;
  return e.http_status == 503 && e.retry_after_seconds >= 0;
}

namespace {

// An HTTP-date in any of the three formats of RFC 9110 §5.6.7, as UTC seconds.
std::optional<std::time_t> parse_http_date(const std::string& text) {
  static constexpr const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // obsolete RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %e %H:%M:%S %Y",       // obsolete asctime: Sun Nov  6 08:49:37 1994
  };
  for (const char* format : kFormats) {
    std::tm tm{};
    const char* end = ::strptime(text.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') return ::timegm(&tm);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(const HttpResponse& response,
                                                            std::chrono::sys_time<std::chrono::milliseconds> now) {
  auto value = response.header("Retry-After");
  if (!value) return std::nullopt;
  std::string text = *value;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(text.begin());
  if (text.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(text.front()))) {
    std::int64_t seconds = -1;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || p != text.data() + text.size() || seconds < 0) return std::nullopt;
    constexpr std::int64_t kMaxSeconds = 366LL * 24 * 3600;  // anything longer is "much too long" anyway
    return std::chrono::milliseconds(std::min(seconds, kMaxSeconds) * 1000);
  }
  const auto at = parse_http_date(text);
  if (!at) return std::nullopt;
  const auto when = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::seconds(*at));
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(when - now));
}

Backoff::Backoff(const RetryPolicy& policy, std::uint64_t seed)
    : policy_(policy), seed_(seed) {}

std::chrono::milliseconds Backoff::ceiling(int n) const {
  const double cap = static_cast<double>(std::max<std::int64_t>(0, policy_.max_backoff.count()));
  const double initial = static_cast<double>(std::max<std::int64_t>(0, policy_.initial_backoff.count()));
  const double factor = std::pow(std::max(1.0, policy_.multiplier), std::max(0, n - 1));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(cap, initial * factor)));
}

std::chrono::milliseconds Backoff::next() {
  const auto top = ceiling(++drawn_).count();
  if (top <= 0) return std::chrono::milliseconds(0);
  if (!rng_) {
    std::random_device device;
    rng_.emplace(seed_ != 0 ? seed_ : (std::uint64_t{device()} << 32) ^ device());
  }
  std::uniform_int_distribution<std::int64_t> pick(0, top);
  return std::chrono::milliseconds(pick(*rng_));
}

RetryDecision decide_retry(const RetryPolicy& policy, const Error& e, Idempotency idempotency, int attempts_made,
                           std::chrono::milliseconds elapsed, Backoff& backoff) {
  if (!is_transient(e)) return {false, {}, "not-transient"};
  if (!may_repeat(e, idempotency)) return {false, {}, "not-idempotent"};
  if (attempts_made >= policy.max_attempts) return {false, {}, "attempts-exhausted"};
  RetryDecision d{true, {}, "retry"};
  const bool server_said = (e.http_status == 429 || e.http_status == 503) && e.retry_after_seconds >= 0;
  if (server_said) {
    d.wait = std::chrono::seconds(e.retry_after_seconds);
    d.reason = "retry-after";
    if (d.wait > policy.max_retry_after) return {false, d.wait, "retry-after-too-long"};
  } else {
    d.wait = backoff.next();
  }
  if (elapsed + d.wait >= policy.max_elapsed) return {false, d.wait, "time-exhausted"};
  return d;
}

RetrySleeper interruptible_sleeper(const CancellationToken* token) {
  if (token == nullptr) {
    return [](std::chrono::milliseconds d) {
      std::this_thread::sleep_for(d);
      return true;
    };
  }
  return [token](std::chrono::milliseconds d) { return token->wait_for(d); };
}

}  // namespace refbridge
