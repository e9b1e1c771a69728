// The libcurl transport against a loopback server started by the test on an ephemeral port.
#include "refbridge/http.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include <thread>

using namespace refbridge;

namespace {

struct LoopbackServer {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  LoopbackServer() {
    server.Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.get_header_value("X-Test"), "text/plain");
    });
    server.Patch("/body", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_header("Retry-After", "7");
      res.set_content(req.body, "application/json");
    });
    server.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(4096, 'x'), "text/plain");
    });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    server.stop();
    thread.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

}  // namespace

TEST_CASE("curl transport sends headers and bodies and reads statuses and headers") {
  LoopbackServer s;
  auto t = make_curl_transport({});
  auto r = t->send({HttpMethod::kGet, s.url("/echo"), {{"X-Test", "hello"}}, std::nullopt});
  REQUIRE(r);
  CHECK(r.value().status == 200);
  CHECK(r.value().body == "hello");

  auto p = t->send({HttpMethod::kPatch, s.url("/body"), {{"Content-Type", "application/json"}}, std::string(R"({"a":1})")});
  REQUIRE(p);
  CHECK(p.value().status == 201);
  CHECK(p.value().body == R"({"a":1})");
  CHECK(p.value().header("retry-after") == std::optional<std::string>("7"));
}

TEST_CASE("curl transport reports refused connections, timeouts and oversized bodies as errors") {
  std::string closed_url;
  {
    LoopbackServer s;
    closed_url = s.url("/echo");
  }
  auto t = make_curl_transport({});
  auto refused = t->send({HttpMethod::kGet, closed_url, {}, std::nullopt});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kTransport);
  CHECK(classify(refused.error()) == ErrorClass::kTransient);

  LoopbackServer s;
  HttpOptions quick;
  quick.total_timeout = std::chrono::milliseconds(300);
  auto slow = make_curl_transport(quick)->send({HttpMethod::kGet, s.url("/slow"), {}, std::nullopt});
  REQUIRE_FALSE(slow);
  CHECK(slow.error().code == ErrorCode::kTimeout);

  HttpOptions small;
  small.max_response_bytes = 1024;
  auto big = make_curl_transport(small)->send({HttpMethod::kGet, s.url("/big"), {}, std::nullopt});
  REQUIRE_FALSE(big);
  CHECK(big.error().code == ErrorCode::kInvalidResponse);
}
