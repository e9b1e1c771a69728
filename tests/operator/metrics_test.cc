// The metrics file (issue 12, metrics.h): the Prometheus text format (checked by the parser below,
// and by `promtool check metrics` when promtool is installed), written atomically at the end of
// every run by workflow_main, carrying the last success over failed runs, labels free of ids.
#include "metrics.h"
#include "operator_support.h"
#include "workflow_main.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using refbridge::testing::OperatorDir;
using refbridge::testing::read_text;
using namespace refbridge::workflows;

namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// Parses the text exposition format 0.0.4 strictly enough to catch what the collector refuses:
/// HELP/TYPE before a family's samples and once, families not interleaved, valid names and label
/// syntax, numeric values, histogram buckets cumulative up to +Inf == _count. FAILs otherwise.
std::vector<Sample> parse_exposition(const std::string& text) {
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  const std::regex comment(R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+))");
  const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))");
  const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)\"(,|$))");
  std::map<std::string, std::string> types;
  std::set<std::string> closed;
  std::string current;
  std::vector<Sample> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    INFO(line);
    std::smatch m;
    if (std::regex_match(line, m, comment)) {
      const std::string family = m[2];
      if (family != current) {
        REQUIRE(closed.count(family) == 0);
        if (!current.empty()) closed.insert(current);
        current = family;
      }
      if (m[1] == "TYPE") {
        REQUIRE(types.count(family) == 0);
        REQUIRE(std::set<std::string>{"gauge", "counter", "histogram", "summary", "untyped"}.count(m[3]) == 1);
        types[family] = m[3];
      }
      continue;
    }
    REQUIRE(std::regex_match(line, m, sample));
    Sample s{m[1], {}, 0};
    std::string family = s.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base = s.name.substr(0, s.name.size() - std::min(s.name.size(), std::strlen(suffix)));
      if (s.name.size() > std::strlen(suffix) && s.name.substr(base.size()) == suffix && types[base] == "histogram") family = base;
    }
    REQUIRE(family == current);
    REQUIRE(types.count(family) == 1);
    std::string labels = m[3];
    for (std::smatch lm; !labels.empty();) {
      REQUIRE(std::regex_search(labels, lm, label, std::regex_constants::match_continuous));
      REQUIRE(s.labels.emplace(lm[1], lm[2]).second);
      labels = lm.suffix();
    }
    const std::string value = m[4];
    s.value = value == "+Inf" ? INFINITY : std::stod(value);
    out.push_back(std::move(s));
  }
  // Histograms: cumulative buckets, the +Inf bucket equal to _count.
  std::map<std::string, double> last_bucket, inf_bucket, count;
  for (const auto& s : out) {
    if (s.name.size() > 7 && s.name.substr(s.name.size() - 7) == "_bucket") {
      const std::string series = s.name + s.labels.at("workflow") + s.labels.at("system");
      CHECK(s.value >= last_bucket[series]);
      last_bucket[series] = s.value;
      if (s.labels.at("le") == "+Inf") inf_bucket[series] = s.value;
    }
    if (s.name.size() > 6 && s.name.substr(s.name.size() - 6) == "_count") count[s.name + s.labels.at("workflow") + s.labels.at("system")] = s.value;
  }
  for (const auto& [series, v] : inf_bucket) {
    const std::string key = std::regex_replace(series, std::regex("_bucket"), "_count");
    CHECK(count[key] == v);
  }
  return out;
}

const Sample* find(const std::vector<Sample>& samples, const std::string& name, const std::map<std::string, std::string>& labels) {
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) match = match && s.labels.count(k) == 1 && s.labels.at(k) == v;
    if (match) return &s;
  }
  return nullptr;
}

/// The value of the sample `find` answers; FAILs when there is none.
double value(const std::vector<Sample>& samples, const std::string& name, const std::map<std::string, std::string>& labels) {
  const Sample* s = find(samples, name, labels);
  INFO(name);
  REQUIRE(s != nullptr);
  return s->value;
}

void check_with_promtool(const OperatorDir& dir, const std::string& path) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) return;  // Debian's prometheus is not installed
  const auto r = refbridge::testing::run_program(dir, "promtool", {"check", "metrics"}, "", read_text(path));
  INFO(r.out << r.err);
  CHECK(r.exit == 0);
}

RunReport sample_report() {
  RunReport report("1.1", std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{1'735'725'600'000}});
  for (int i = 0; i < 3; ++i) report.add({"989-22-PRTITV-000005" + std::to_string(i), "", "", "", RecordState::kDelivered, "", "", {}});
  report.add({"989-22-PRTITV-0000054", "guid-54", "", "", RecordState::kRejected, "accepted-type-gate", "type 99", {}});
  report.finish(std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{1'735'725'602'500}});
  return report;
}

}  // namespace

TEST_CASE("metrics: every family in the text format, labels free of record ids") {
  const RunReport report = sample_report();
  RequestMetrics requests;
  requests.observe("primero", 200, std::chrono::milliseconds(30));
  requests.observe("primero", 201, std::chrono::milliseconds(700));
  requests.observe("ping", 503, std::chrono::seconds(2));
  requests.observe("ping", 0, std::chrono::seconds(100));
  RunMetrics m;
  m.workflow = "1.1";
  m.report = &report;
  m.duration = std::chrono::milliseconds(2500);
  m.finished_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'735'725'602));
  m.ledger_counts = std::map<std::string, std::int64_t>{{"delivered", 3}, {"failed", 2}, {"rejected", 1}};
  m.requests = &requests;
  const std::string text = prometheus_text(m, 1'735'725'602.0);
  INFO(text);
  const auto samples = parse_exposition(text);

  CHECK(value(samples, "refbridge_run_records", {{"state", "delivered"}}) == 3);
  CHECK(value(samples, "refbridge_run_records", {{"state", "rejected"}}) == 1);
  CHECK(value(samples, "refbridge_run_records", {{"state", "failed"}}) == 0);
  CHECK(value(samples, "refbridge_run_duration_seconds", {{"workflow", "1.1"}}) == 2.5);
  CHECK(value(samples, "refbridge_last_run_timestamp_seconds", {{"outcome", "completed"}}) == 1'735'725'602.0);
  CHECK(find(samples, "refbridge_last_success_timestamp_seconds", {{"workflow", "1.1"}}) != nullptr);
  CHECK(value(samples, "refbridge_ledger_records", {{"state", "failed"}}) == 2);
  CHECK(value(samples, "refbridge_http_requests_total", {{"system", "primero"}, {"status_class", "2xx"}}) == 2);
  CHECK(value(samples, "refbridge_http_requests_total", {{"system", "ping"}, {"status_class", "5xx"}}) == 1);
  CHECK(value(samples, "refbridge_http_requests_total", {{"system", "ping"}, {"status_class", "error"}}) == 1);
  CHECK(value(samples, "refbridge_http_request_duration_seconds_bucket", {{"system", "primero"}, {"le", "0.05"}}) == 1);
  CHECK(value(samples, "refbridge_http_request_duration_seconds_bucket", {{"system", "ping"}, {"le", "60"}}) == 1);
  CHECK(value(samples, "refbridge_http_request_duration_seconds_count", {{"system", "ping"}}) == 2);
  const std::set<std::string> allowed{"workflow", "state", "outcome", "system", "status_class", "le", "version", "commit"};
  for (const auto& s : samples) {
    for (const auto& [k, v] : s.labels) {
      INFO(s.name << " " << k << "=" << v);
      CHECK(allowed.count(k) == 1);
      CHECK(v.find("PRTITV") == std::string::npos);
      CHECK(v.find("guid") == std::string::npos);
    }
  }
}

TEST_CASE("metrics: the file is replaced atomically and keeps the last success across failed runs") {
  OperatorDir dir;
  const std::string path = metrics_path_for(dir.file("refbridge-{workflow}.prom"), "2.1");
  CHECK(path == dir.file("refbridge-2.1.prom"));
  RunMetrics m;
  m.workflow = "2.1";
  m.exit_status = 69;
  m.finished_at = std::chrono::system_clock::time_point(std::chrono::seconds(1000));
  REQUIRE(write_metrics_file(path, m));
  CHECK(read_text(path).find("refbridge_last_success_timestamp_seconds") == std::string::npos);
  CHECK(read_text(path).find("refbridge_run_records{workflow=\"2.1\",state=\"delivered\"} 0\n") != std::string::npos);

  m.exit_status = 0;
  m.finished_at = std::chrono::system_clock::time_point(std::chrono::seconds(2000));
  REQUIRE(write_metrics_file(path, m));
  m.exit_status = 77;
  m.finished_at = std::chrono::system_clock::time_point(std::chrono::seconds(3000));
  REQUIRE(write_metrics_file(path, m));
  const auto samples = parse_exposition(read_text(path));
  CHECK(value(samples, "refbridge_last_success_timestamp_seconds", {{"workflow", "2.1"}}) == 2000);
  CHECK(value(samples, "refbridge_last_run_timestamp_seconds", {{"outcome", "no_permission"}}) == 3000);
  CHECK(value(samples, "refbridge_run_exit_status", {}) == 77);
  check_with_promtool(dir, path);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.path().extension() != ".txt";
  CHECK(files == 1);  // no temporary file left behind

  auto refused = write_metrics_file(dir.file("missing-dir/x.prom"), m);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == refbridge::ErrorCode::kIo);
  CHECK(refused.error().message.find("missing-dir/x.prom.tmp.") != std::string::npos);
}

TEST_CASE("metrics: workflow_main writes the file after a run, with requests and ledger counts, and on a config error") {
  OperatorDir dir;
  ::setenv("REFBRIDGE_PING_TOKEN", "operator-test-token", 1);
  ::setenv("REFBRIDGE_PRIMERO_PASSWORD", "operator-test-password", 1);
  const std::string config = dir.write("c.yaml",
      "profile: " REFBRIDGE_SOURCE_DIR "/schemas/profiles/gambella.yaml\nledger: ledger.sqlite\n"
      "metrics_file: m-{workflow}.prom\nping:\n  base_url: http://127.0.0.1:1\n"
      "primero:\n  base_url: http://127.0.0.1:1\n  user: api\nretry:\n  max_attempts: 1\n");
  const WorkflowRun run = [](WorkflowEnv& env) -> refbridge::Result<RunReport> {
    (void)env.connections.ping().execute(refbridge::HttpMethod::kGet, env.connections.ping().url().str());  // refused
    RunReport report = sample_report();
    return report;
  };
  std::string a0 = "refbridge-test", a1 = "--config", a2 = config;
  char* argv[] = {a0.data(), a1.data(), a2.data()};
  const WorkflowDefinition workflow{.id = "1.1", .title = "test", .mapping = {}, .run = run, .verify = {}};
  CHECK(workflow_main(3, argv, workflow) == 0);
  auto samples = parse_exposition(read_text(dir.file("m-1.1.prom")));
  CHECK(value(samples, "refbridge_run_records", {{"state", "delivered"}}) == 3);
  CHECK(value(samples, "refbridge_http_requests_total", {{"system", "ping"}, {"status_class", "error"}}) == 1);
  CHECK(find(samples, "refbridge_ledger_records", {{"state", "delivered"}}) != nullptr);
  CHECK(find(samples, "refbridge_last_success_timestamp_seconds", {}) != nullptr);

  // A configuration error: exit 78, the file (named by --metrics-file) says so, the success is kept.
  const std::string broken = dir.write("broken.yaml", read_text(config) + "synk:\n  concurrency: 1\n");
  std::string b1 = "--config", b2 = broken, b3 = "--metrics-file", b4 = dir.file("m-{workflow}.prom");
  char* argv2[] = {a0.data(), b1.data(), b2.data(), b3.data(), b4.data()};
  CHECK(workflow_main(5, argv2, workflow) == 78);
  samples = parse_exposition(read_text(dir.file("m-1.1.prom")));
  CHECK(find(samples, "refbridge_last_run_timestamp_seconds", {{"outcome", "config"}}) != nullptr);
  CHECK(find(samples, "refbridge_last_success_timestamp_seconds", {}) != nullptr);
  CHECK(find(samples, "refbridge_ledger_records", {}) == nullptr);
}
