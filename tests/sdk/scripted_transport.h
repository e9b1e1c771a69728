#pragma once
// Test doubles for the authenticators' tests (auth_test.cc, auth_primero_test.cc): a transport that
// answers from a script and records every request, and a clock moved by hand.

#include "refbridge/http.h"
#include "refbridge/time.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::test {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

/// Records every request and answers with `handler` (thread-safe).
struct ScriptedTransport final : HttpTransport {
  explicit ScriptedTransport(Handler h) : handler(std::move(h)) {}
  Result<HttpResponse> send(const HttpRequest& request) override {
    {
      std::lock_guard lock(mutex);
      requests.push_back(request);
    }
    return handler(request);
  }
  std::size_t count(std::string_view url_part) {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& r : requests) n += r.url.find(url_part) != std::string::npos ? 1 : 0;
    return n;
  }
  Handler handler;
  std::mutex mutex;
  std::vector<HttpRequest> requests;
};

/// A clock the test moves by hand.
struct ManualClock final : Clock {
  std::chrono::sys_time<std::chrono::milliseconds> now() const override { return t.load(); }
  void advance(std::chrono::milliseconds d) { t = t.load() + d; }
  std::atomic<std::chrono::sys_time<std::chrono::milliseconds>> t{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
};

inline std::string header_of(const HttpRequest& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.first == name) return h.second;
  }
  return {};
}

inline HttpResponse answer(int status, std::string body, std::vector<HttpHeader> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace refbridge::test
