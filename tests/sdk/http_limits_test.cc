// Request caps per system (refbridge/http_limits.h): the in-flight cap is never exceeded however
// many workers send, every request is answered, and the rate cap spaces request starts.
#include "refbridge/http_limits.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace {

/// Answers 200 after holding the request a moment; records the most requests seen at once and
/// the start time of every request.
class SlowTransport final : public refbridge::HttpTransport {
 public:
  refbridge::Result<refbridge::HttpResponse> send(const refbridge::HttpRequest&) override {
    const int now = ++inside_;
    int seen = most_.load();
    while (now > seen && !most_.compare_exchange_weak(seen, now)) {
    }
    {
      std::lock_guard lock(mutex_);
      starts_.push_back(std::chrono::steady_clock::now());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    --inside_;
    refbridge::HttpResponse r;
    r.status = 200;
    return r;
  }
  std::atomic<int> inside_{0};
  std::atomic<int> most_{0};
  std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> starts_;
};

int send_from_workers(refbridge::HttpTransport& t, int workers, int each) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < each; ++i) {
        auto r = t.send(refbridge::HttpRequest{});
        if (r && r.value().status == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  return ok.load();
}

}  // namespace

TEST_CASE("the in-flight cap holds under 16 workers and every request is answered", "[sdk][http][limits]") {
  auto inner = std::make_unique<SlowTransport>();
  auto* slow = inner.get();
  auto limited = refbridge::make_limited_transport(std::move(inner), {.max_in_flight = 3, .max_per_second = 0});
  CHECK(send_from_workers(*limited, 16, 5) == 80);
  CHECK(slow->most_.load() <= 3);
  CHECK(slow->most_.load() >= 1);
}

TEST_CASE("the rate cap spaces request starts, and no caps leave the transport itself", "[sdk][http][limits]") {
  auto inner = std::make_unique<SlowTransport>();
  auto* slow = inner.get();
  auto limited = refbridge::make_limited_transport(std::move(inner), {.max_in_flight = 0, .max_per_second = 200});
  const auto before = std::chrono::steady_clock::now();
  CHECK(send_from_workers(*limited, 4, 5) == 20);
  auto starts = slow->starts_;
  std::sort(starts.begin(), starts.end());
  REQUIRE(starts.size() == 20);
  // 200 per second = one start per 5 ms at most: the 20th start comes 19 intervals after the first
  // turn, which was no earlier than `before`.
  CHECK(starts.back() - before >= std::chrono::milliseconds(19 * 5));

  auto plain = std::make_unique<SlowTransport>();
  auto* raw = plain.get();
  CHECK(refbridge::make_limited_transport(std::move(plain), {}).get() == raw);
}
