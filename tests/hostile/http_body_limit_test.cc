// Hostile answers through the whole client stack (generated PingClient -> ApiConnection -> libcurl)
// from a loopback server started by the test on an ephemeral port: an oversized body, a body
// nested 100,000 deep, and an error body nested as deep each give a clear error, never a crash.
#include "refbridge/ping/client.h"
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>

using namespace refbridge;

namespace {

// Answers every GET with the status and body set by the test.
struct HostileServer {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  int status = 200;
  std::string body;

  HostileServer() {
    server.Get(".*", [this](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_content(body, "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HostileServer() {
    server.stop();
    thread.join();
  }
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;
};

RetrySettings one_attempt() {
  RetrySettings retry;
  retry.policy = RetryPolicy::no_retry();
  return retry;
}

// A PING client over the loopback server, one attempt per call.
struct Client {
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<Authenticator> auth = make_static_bearer("test-token");
  ApiConnection conn;
  ping::PingClient ping;

  Client(int port, HttpOptions options)
      : transport(make_curl_transport(std::move(options))),
        conn(ApiConnection::create("http://127.0.0.1:" + std::to_string(port) + "/", *transport, *auth, one_attempt())
                 .value()),
        ping(conn) {}
};

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("an answer over the transport's body limit is refused with a clear error", "[hostile][http]") {
  HostileServer s;
  s.body = R"({"progres_lpinterventionid":")" + std::string(4096, 'a') + R"("})";
  HttpOptions options;
  options.max_response_bytes = 1024;
  Client c(s.port, options);
  auto r = c.ping.get_intervention({"891cc1a1-681f-ec11-8105-00155d340606"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidResponse);
  CHECK_THAT(r.error().message, Catch::Contains("larger than 1024 bytes"));
}

TEST_CASE("a 2xx body nested 100,000 deep is refused as not following the schema", "[hostile][http]") {
  HostileServer s;
  s.body = nested_arrays(100'000);
  Client c(s.port, {});
  auto r = c.ping.get_intervention({"891cc1a1-681f-ec11-8105-00155d340606"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidResponse);
  CHECK_THAT(r.error().message, Catch::Contains("JSON refused at byte 64: nested deeper than 64 levels"));
}

TEST_CASE("an error body nested 100,000 deep is summarised as its status, without a stack overflow",
          "[hostile][http]") {
  HostileServer s;
  s.status = 422;
  s.body = R"({"errors":)" + nested_arrays(100'000) + "}";
  Client c(s.port, {});
  auto r = c.ping.get_intervention({"891cc1a1-681f-ec11-8105-00155d340606"});
  REQUIRE_FALSE(r);
  CHECK(r.error().http_status == 422);
  CHECK_THAT(r.error().message, Catch::EndsWith("HTTP 422"));  // the body could not be summarised

  HttpResponse deep;
  deep.status = 500;
  deep.body = std::string(100'000, '{');
  CHECK(summarize_error_body(deep) == "HTTP 500");
}
