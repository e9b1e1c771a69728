// Retry policy, backoff with full jitter, Retry-After, idempotency gate and the retry loop
// (refbridge/retry.h), with a fake clock and a recording sleeper: no test sleeps.
#include "refbridge/retry.h"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace refbridge;
using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

namespace {

// A clock that only moves when the sleeper sleeps (or a test advances it).
struct FakeTime final : Clock {
  std::chrono::sys_time<Ms> t{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
  std::vector<Ms> waits;
  [[nodiscard]] std::chrono::sys_time<Ms> now() const override { return t; }
  RetrySleeper sleeper() {
    return [this](Ms d) {
      waits.push_back(d);
      t += d;
      return true;
    };
  }
};

Error http_error(int status, int retry_after = -1) {
  Error e = make_error(status >= 500 ? ErrorCode::kServerError : status == 429 ? ErrorCode::kRateLimited : ErrorCode::kHttp,
                       "answered " + std::to_string(status), status);
  e.retry_after_seconds = retry_after;
  return e;
}

Error refused() {
  Error e = make_error(ErrorCode::kTransport, "POST failed: Couldn't connect to server");
  e.not_sent = true;
  return e;
}

// Runs the loop over scripted failures (then success), returning the result and the attempts made.
struct Script {
  std::vector<Error> failures;
  int calls = 0;
  Result<int> operator()() {
    const auto i = static_cast<std::size_t>(calls++);
    if (i < failures.size()) return failures[i];
    return 42;
  }
};

}  // namespace

TEST_CASE("transient failures are transport, timeout, 408, 429, 500, 502, 503, 504") {
  CHECK(is_transient(make_error(ErrorCode::kTransport, "reset")));
  CHECK(is_transient(make_error(ErrorCode::kTimeout, "timeout")));
  for (int s : {408, 429, 500, 502, 503, 504}) CHECK(is_transient(http_error(s)));
  for (int s : {400, 401, 403, 404, 409, 422, 501}) CHECK_FALSE(is_transient(http_error(s)));
  CHECK_FALSE(is_transient(make_error(ErrorCode::kInvalidResponse, "bad body", 200)));
}

TEST_CASE("a non-idempotent call is repeated only when the server certainly did not act on it") {
  const auto no = Idempotency::kNonIdempotent;
  CHECK(may_repeat(refused(), no));
  CHECK(may_repeat(http_error(429), no));
  CHECK(may_repeat(http_error(503, 30), no));
  CHECK_FALSE(may_repeat(http_error(503), no));  // a 503 without Retry-After may come from a proxy after the fact
  CHECK_FALSE(may_repeat(http_error(500), no));
  CHECK_FALSE(may_repeat(http_error(502), no));
  CHECK_FALSE(may_repeat(http_error(504), no));
  CHECK_FALSE(may_repeat(make_error(ErrorCode::kTransport, "connection reset"), no));
  CHECK_FALSE(may_repeat(make_error(ErrorCode::kTimeout, "timed out"), no));
  CHECK(may_repeat(http_error(500), Idempotency::kIdempotent));
  CHECK(default_idempotency(HttpMethod::kGet) == Idempotency::kIdempotent);
  CHECK(default_idempotency(HttpMethod::kPut) == Idempotency::kIdempotent);
  CHECK(default_idempotency(HttpMethod::kDelete) == Idempotency::kIdempotent);
  CHECK(default_idempotency(HttpMethod::kPost) == Idempotency::kNonIdempotent);
  CHECK(default_idempotency(HttpMethod::kPatch) == Idempotency::kNonIdempotent);
}

TEST_CASE("backoff ceilings grow exponentially up to the cap and every wait lies in the full-jitter range") {
  RetryPolicy p;
  p.initial_backoff = 100ms;
  p.multiplier = 2;
  p.max_backoff = 1000ms;
  Backoff b(p, 7);
  CHECK(b.ceiling(1) == 100ms);
  CHECK(b.ceiling(2) == 200ms);
  CHECK(b.ceiling(4) == 800ms);
  CHECK(b.ceiling(5) == 1000ms);
  CHECK(b.ceiling(60) == 1000ms);
  // Full jitter: uniform in [0, ceiling]; over many draws the low and the high end are both reached.
  Ms low = 1000ms;
  Ms high = 0ms;
  for (int call = 0; call < 400; ++call) {
    Backoff per_call(p, 1000 + static_cast<std::uint64_t>(call));
    for (int n = 1; n <= 6; ++n) {
      const Ms w = per_call.next();
      REQUIRE(w >= 0ms);
      REQUIRE(w <= per_call.ceiling(n));
      if (n == 6) {
        low = std::min(low, w);
        high = std::max(high, w);
      }
    }
  }
  CHECK(low < 100ms);
  CHECK(high > 900ms);
}

TEST_CASE("the same seed gives the same waits") {
  RetryPolicy p;
  Backoff a(p, 99);
  Backoff b(p, 99);
  for (int i = 0; i < 5; ++i) CHECK(a.next() == b.next());
}

TEST_CASE("Retry-After is read as delta-seconds or as an HTTP-date") {
  const auto now = std::chrono::sys_time<Ms>(std::chrono::sys_days{std::chrono::year{1994} / 11 / 6}) + 8h + 49min + 7s;
  auto with = [](std::string v) { return HttpResponse{503, {{"retry-after", std::move(v)}}, ""}; };
  CHECK(parse_retry_after(with("120"), now) == Ms(120'000));
  CHECK(parse_retry_after(with(" 0 "), now) == Ms(0));
  CHECK(parse_retry_after(with("Sun, 06 Nov 1994 08:49:37 GMT"), now) == Ms(30'000));   // IMF-fixdate
  CHECK(parse_retry_after(with("Sunday, 06-Nov-94 08:49:37 GMT"), now) == Ms(30'000));  // RFC 850
  CHECK(parse_retry_after(with("Sun Nov  6 08:49:37 1994"), now) == Ms(30'000));        // asctime
  CHECK(parse_retry_after(with("Sun, 06 Nov 1994 08:00:00 GMT"), now) == Ms(0));        // in the past
  CHECK_FALSE(parse_retry_after(with("-5"), now));
  CHECK_FALSE(parse_retry_after(with("soon"), now));
  CHECK_FALSE(parse_retry_after(with("12abc"), now));
  CHECK_FALSE(parse_retry_after(HttpResponse{503, {}, ""}, now));
}

TEST_CASE("the loop stops after max_attempts and reports how many were made") {
  FakeTime time;
  const auto sleep = time.sleeper();
  RetryPolicy p;
  p.max_attempts = 3;
  p.jitter_seed = 1;
  Script s{{http_error(500), http_error(502), http_error(503), http_error(504)}};
  auto r = retry_loop<int>(p, Idempotency::kIdempotent, {time, sleep}, 1, s);
  REQUIRE_FALSE(r);
  CHECK(s.calls == 3);
  CHECK(time.waits.size() == 2);
  CHECK(r.error().http_status == 503);
  CHECK(r.error().message == "answered 503 (after 3 attempts)");
}

TEST_CASE("the loop stops when the next wait would pass max_elapsed") {
  FakeTime time;
  const auto sleep = time.sleeper();
  RetryPolicy p;
  p.max_attempts = 100;
  p.max_elapsed = 10s;
  p.max_retry_after = 60s;
  // Each failure asks for 4 s: waits at 0 s and 4 s fit (end at 8 s), the third would end at 12 s.
  Script s{std::vector<Error>(10, http_error(429, 4))};
  auto r = retry_loop<int>(p, Idempotency::kIdempotent, {time, sleep}, 1, s);
  REQUIRE_FALSE(r);
  CHECK(s.calls == 3);
  CHECK(time.waits == std::vector<Ms>{4s, 4s});
}

TEST_CASE("Retry-After is honoured exactly and a longer one than max_retry_after is not waited for") {
  FakeTime time;
  const auto sleep = time.sleeper();
  RetryPolicy p;
  p.max_retry_after = 30s;
  p.max_elapsed = 120s;
  Script ok_after{{http_error(503, 20)}};
  REQUIRE(retry_loop<int>(p, Idempotency::kNonIdempotent, {time, sleep}, 1, ok_after));
  CHECK(time.waits == std::vector<Ms>{20s});
  CHECK(ok_after.calls == 2);

  Script too_long{{http_error(503, 31)}};
  Backoff b(p, 1);
  CHECK(decide_retry(p, http_error(503, 31), Idempotency::kIdempotent, 1, 0ms, b).reason == "retry-after-too-long");
  auto r = retry_loop<int>(p, Idempotency::kIdempotent, {time, sleep}, 1, too_long);
  REQUIRE_FALSE(r);
  CHECK(r.error().retry_after_seconds == 31);  // kept for the between-run retry
  CHECK(too_long.calls == 1);
  CHECK(time.waits.size() == 1);
}

TEST_CASE("a POST is not repeated after a 500 but is after connection refused") {
  FakeTime time;
  const auto sleep = time.sleeper();
  RetryPolicy p;
  p.jitter_seed = 3;
  Script after_500{{http_error(500)}};
  auto r = retry_loop<int>(p, Idempotency::kNonIdempotent, {time, sleep}, 1, after_500);
  REQUIRE_FALSE(r);
  CHECK(after_500.calls == 1);
  CHECK(r.error().message == "answered 500");

  Script after_refused{{refused(), refused()}};
  auto r2 = retry_loop<int>(p, Idempotency::kNonIdempotent, {time, sleep}, 1, after_refused);
  REQUIRE(r2);
  CHECK(r2.value() == 42);
  CHECK(after_refused.calls == 3);
  for (auto w : time.waits) CHECK(w <= p.max_backoff);
}

TEST_CASE("a permanent error is never retried") {
  FakeTime time;
  const auto sleep = time.sleeper();
  Script s{{http_error(422)}};
  auto r = retry_loop<int>(RetryPolicy{}, Idempotency::kIdempotent, {time, sleep}, 1, s);
  REQUIRE_FALSE(r);
  CHECK(s.calls == 1);
  CHECK(time.waits.empty());
}

TEST_CASE("cancellation ends a wait early and no further attempt starts") {
  CancellationToken token;
  const RetrySleeper sleep = interruptible_sleeper(&token);
  SystemClock clock;
  RetryPolicy p;
  p.max_retry_after = 600s;
  p.max_elapsed = 900s;
  Script s{std::vector<Error>(5, http_error(503, 300))};  // would wait 5 minutes
  std::thread canceller([&] { token.cancel("SIGTERM"); });
  auto r = retry_loop<int>(p, Idempotency::kIdempotent, {clock, sleep, &token}, 1, s);
  canceller.join();
  REQUIRE_FALSE(r);
  CHECK(s.calls == 1);
  CHECK(r.error().message.find("retry cancelled") != std::string::npos);
  CHECK(token.reason() == "SIGTERM");
  CHECK_FALSE(token.wait_for(1h));  // already cancelled: returns at once
}
