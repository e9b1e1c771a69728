// The sandbox under load (issue "Fast where it counts"): the case indexes answer exactly as a scan
// and follow every write, requests in flight at once are served at once (latency injection and
// slow writes do not serialise them), kept-alive connections are not closed every 5 requests, and
// GET /_sandbox/stats counts the API requests. No timings are asserted: concurrency is shown by
// requests that can only complete when all of them are in the server together.
#include "test_support.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace sandbox_test;

namespace {

std::set<std::string> ids(httplib::Client& c, const std::string& query) {
  auto res = c.Get(("/api/v2/cases?" + query).c_str());
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto d = parse(res->body);
  std::set<std::string> out;
  for (const auto& item : d["data"].GetArray()) out.insert(str(item, "id"));
  CHECK(d["metadata"]["total"].GetInt() == static_cast<int>(out.size()));
  return out;
}

}  // namespace

TEST_CASE("Primero identifier and last_updated_at searches follow every write", "[sandbox][primero][index]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string a = create(*c, R"({"unhcr_individual_no":"989-00000226","sex":"male"})");
  const std::string b = create(*c, R"({"unhcr_individual_no":"989-00000227","sex":"female"})");
  const std::string a_short = str(parse(c->Get(("/api/v2/cases/" + a).c_str())->body)["data"], "short_id");
  CHECK(ids(*c, "unhcr_individual_no=989-00000226") == std::set<std::string>{a});
  CHECK(ids(*c, "unhcr_individual_no[]=989-00000226&unhcr_individual_no[]=989-00000227") == std::set<std::string>{a, b});
  CHECK(ids(*c, "unhcr_individual_no=989-00000226&sex=female").empty());  // every filter still applies
  CHECK(ids(*c, "short_id=" + a_short) == std::set<std::string>{a});

  // The PATCH moves case a to another individual number: the old value finds nothing.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a later whole second than both creations
  auto patched = c->Patch(("/api/v2/cases/" + a).c_str(), R"({"data":{"unhcr_individual_no":"989-00000999"}})",
                          "application/json");
  REQUIRE(patched->status == 200);
  CHECK(ids(*c, "unhcr_individual_no=989-00000226").empty());
  CHECK(ids(*c, "unhcr_individual_no=989-00000999") == std::set<std::string>{a});
  const std::string stamp = str(parse(c->Get(("/api/v2/cases/" + a).c_str())->body)["data"], "last_updated_at");
  CHECK(ids(*c, "last_updated_at=" + stamp + "..") == std::set<std::string>{a});
  CHECK(ids(*c, "last_updated_at=2000-01-01T00:00:00Z..") == std::set<std::string>{a, b});
  CHECK(ids(*c, "last_updated_at=2000-01-01T00:00:00Z..2000-01-02T00:00:00Z").empty());

  // A referral stamps the case too; a disabled case keeps its identifiers searchable.
  REQUIRE(c->Delete(("/api/v2/cases/" + b).c_str())->status == 200);
  const std::string b_stamp = str(parse(c->Get(("/api/v2/cases/" + b).c_str())->body)["data"], "last_updated_at");
  CHECK(ids(*c, "last_updated_at=" + b_stamp + "..").count(b) == 1);
  CHECK(ids(*c, "unhcr_individual_no=989-00000227&record_state=false") == std::set<std::string>{b});

  // A member only one case holds is a filter (known field), an unknown one is ignored.
  const std::string d = create(*c, R"({"unhcr_individual_no":"989-00000300","age":4})");
  CHECK(ids(*c, "age=4") == std::set<std::string>{d});
}

TEST_CASE("requests in flight at once are served at once", "[sandbox][primero][capacity]") {
  constexpr int kInFlight = 24;
  std::mutex m;
  std::condition_variable all_in;
  int inside = 0;
  bool reached = false;
  // Every case create blocks in the server until all kInFlight creates are inside it (or 60 s
  // pass): with fewer workers than requests, or one lock around them, that never happens.
  auto sb = start_sandbox(1000, [&](auto& o) {
    o.server_threads = kInFlight + 4;
    o.on_write = [&](std::string_view, std::string_view) {
      std::unique_lock lock(m);
      if (++inside == kInFlight) reached = true;
      all_in.notify_all();
      all_in.wait_for(lock, std::chrono::seconds(60), [&] { return reached; });
    };
  });
  std::vector<std::thread> senders;
  std::vector<int> statuses(kInFlight, 0);
  for (int i = 0; i < kInFlight; ++i) {
    senders.emplace_back([&, i] {
      auto c = primero_client(*sb);
      c->set_read_timeout(120, 0);
      auto res = c->Post("/api/v2/cases", R"({"data":{"sex":"male"}})", "application/json");
      statuses[static_cast<std::size_t>(i)] = res ? res->status : -1;
    });
  }
  for (auto& t : senders) t.join();
  CHECK(reached);
  CHECK(std::count(statuses.begin(), statuses.end(), 200) == kInFlight);
  CHECK(sb->primero_case_count() == static_cast<std::size_t>(kInFlight));
}

TEST_CASE("a kept-alive connection carries many requests, and /_sandbox/stats counts them", "[sandbox][primero][capacity]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  c->set_keep_alive(true);
  for (int i = 0; i < 12; ++i) {
    auto res = c->Get("/api/v2/cases?per=1");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    INFO("request " << i + 1);
    CHECK(res->get_header_value("Connection") != "close");  // cpp-httplib's default closes after 5
  }
  httplib::Client admin("127.0.0.1", sb->ping_port());
  auto stats = admin.Get("/_sandbox/stats");
  REQUIRE(stats->status == 200);
  auto s = parse(stats->body);
  CHECK(s["primero_requests"].GetUint64() == 12);
  CHECK(s["ping_requests"].GetUint64() == 0);  // admin routes are not counted
  CHECK(s["cpu_user_ms"].IsInt64());
  CHECK(s["cpu_system_ms"].IsInt64());

  refbridge::sandbox::SandboxOptions bad;
  bad.server_threads = 0;
  CHECK_FALSE(refbridge::sandbox::Sandbox::start(bad).has_value());
}
