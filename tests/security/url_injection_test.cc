// Every value the generated clients put into a URL is encoded: ids holding '&', '#', '/', '%',
// '?', '=', '+', spaces and non-ASCII text arrive as exactly one path segment or one query value,
// byte for byte, at a capturing server and at the sandbox.
#include "refbridge/ping/client.h"
#include "refbridge/primero/client.h"
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "sandbox.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

using namespace refbridge;

namespace {

const std::vector<std::string> kHostile = {
    "a&b=c", "x#frag", "../../admin", "50%25%", "with space", "plus+sign", "q?x=1", "Ahmed \xC3\x89lodie \xE2\x80\x94 \xD8\xB9\xD9\x84\xD9\x8A",
    "a/b/c%2Fd",
};

/// Records the raw request target (path and query exactly as received) of every request.
struct CaptureServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mutex;
  std::vector<std::string> targets;

  CaptureServer() {
    server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex);
        targets.push_back(req.target);
      }
      res.status = 404;
      res.set_content(R"({"title":"Not Found","status":404})", "application/problem+json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();
  }
  ~CaptureServer() {
    server.stop();
    thread.join();
  }
  std::string last() {
    std::lock_guard lock(mutex);
    return targets.empty() ? std::string() : targets.back();
  }
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::string decode(const std::string& s) { return httplib::detail::decode_url(s, false); }

}  // namespace

TEST_CASE("hostile ids reach the server as one path segment and one query value") {
  CaptureServer capture;
  const std::string base = "http://127.0.0.1:" + std::to_string(capture.port);
  auto transport = make_curl_transport({});
  auto auth = make_static_bearer("url-test-token");
  auto conn = ApiConnection::create(base, *transport, *auth).value();
  ping::PingClient ping(conn);
  primero::PrimeroClient primero(conn);
  for (const auto& id : kHostile) {
    INFO(id);
    (void)ping.get_intervention({.interventionId = id});
    const auto target = capture.last();
    CHECK(target.find('#') == std::string::npos);
    CHECK(target.find('?') == std::string::npos);
    const auto segments = split(target, '/');
    REQUIRE(segments.size() == 4);  // "", "v1", "interventions", <id>
    CHECK(decode(segments[3]) == id);

    primero::ListCasesRequest list;
    list.unhcr_individual_no = id;
    list.case_id = "second";
    (void)primero.list_cases(list);
    const auto with_query = capture.last();
    const auto q = with_query.find('?');
    REQUIRE(q != std::string::npos);
    CHECK(with_query.substr(0, q) == "/api/v2/cases");
    const auto params = split(with_query.substr(q + 1), '&');
    REQUIRE(params.size() == 2);
    const auto first = split(params[0], '=');
    REQUIRE(first.size() == 2);
    CHECK(first[0] == "unhcr_individual_no");
    CHECK(decode(first[1]) == id);
    CHECK(params[1] == "case_id=second");
  }
}

TEST_CASE("the sandbox finds an intervention and a Primero case by hostile ids through the generated clients") {
  auto box = sandbox::Sandbox::start({}).value();
  auto transport = make_curl_transport({});
  auto auth = make_static_bearer("url-test-token");
  auto ping_conn = ApiConnection::create(box->ping_base_url(), *transport, *auth).value();
  auto primero_conn = ApiConnection::create(box->primero_base_url(), *transport, *auth).value();
  ping::PingClient ping(ping_conn);
  primero::PrimeroClient primero(primero_conn);
  REQUIRE(box->add_primero_case(R"({"name_first":"decoy","unhcr_individual_no":"a"})"));
  for (const auto& id : kHostile) {
    INFO(id);
    const std::string row = R"({"interventions":[{"progres_lpinterventionid":")" + id +
                            R"(","progres_interventionnumber":"N-)" + std::to_string(&id - kHostile.data()) +
                            R"(","individuals.progres_individualid":"ind-1"}]})";
    REQUIRE(box->seed_ping_from_json(row, "hostile"));
    REQUIRE(box->transfer_status(id));
    auto got = ping.get_intervention({.interventionId = id});
    INFO((got ? std::string() : got.error().describe()));
    REQUIRE(got);
    CHECK(got.value().progres_lpinterventionid == id);

    // Primero reads "a..b" in a filter value as a range (primero-api-v2.md §4): that is its
    // filter syntax, not an encoding matter (the capture test above shows the value arrives whole).
    if (id.find("..") != std::string::npos) continue;

    REQUIRE(box->add_primero_case(R"({"unhcr_individual_no":")" + id + R"("})"));
    primero::ListCasesRequest list;
    list.unhcr_individual_no = id;
    auto found = primero.list_cases(list);
    INFO((found ? std::string() : found.error().describe()));
    REQUIRE(found);
    REQUIRE(found.value().data.size() == 1);
  }
}
