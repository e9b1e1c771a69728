// Request caps per system. See refbridge/http_limits.h.
#include "refbridge/http_limits.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace refbridge {
namespace {

using SteadyClock = std::chrono::steady_clock;

class LimitedTransport final : public HttpTransport {
 public:
  LimitedTransport(std::unique_ptr<HttpTransport> inner, RequestLimits limits)
      : inner_(std::move(inner)),
        limits_(limits),
        spacing_(limits.max_per_second > 0
                     ? std::chrono::round<SteadyClock::duration>(std::chrono::duration<double>(1.0 / limits.max_per_second))
                     : SteadyClock::duration::zero()) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    SteadyClock::time_point start;
    {
      std::unique_lock lock(mutex_);
      slot_free_.wait(lock, [&] { return limits_.max_in_flight <= 0 || in_flight_ < limits_.max_in_flight; });
      ++in_flight_;
      start = std::max(SteadyClock::now(), next_start_);
      next_start_ = start + spacing_;
    }
    std::this_thread::sleep_until(start);  // the rate cap's turn; at once without one
    auto answer = inner_->send(request);
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
    }
    slot_free_.notify_one();
    return answer;
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
  RequestLimits limits_;
  SteadyClock::duration spacing_;
  std::mutex mutex_;
  std::condition_variable slot_free_;
  int in_flight_ = 0;                  // guarded by mutex_
  SteadyClock::time_point next_start_;  // guarded by mutex_: the earliest start of the next request
};

}  // namespace

std::unique_ptr<HttpTransport> make_limited_transport(std::unique_ptr<HttpTransport> inner, RequestLimits limits) {
  if (limits.max_in_flight <= 0 && limits.max_per_second <= 0) return inner;
  return std::make_unique<LimitedTransport>(std::move(inner), limits);
}

}  // namespace refbridge
