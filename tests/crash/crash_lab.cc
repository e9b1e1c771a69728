// See crash_lab.h.
#include "crash_lab.h"

#include "final_state.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <stdlib.h>

namespace refbridge::crash_test {
namespace {

constexpr const char* kToken = "crash-test-ping-token-1234";
constexpr const char* kPassword = "crash-test-primero-password-1234";

std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "refbridge-crash-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) FAIL("mkdtemp failed for " << tmpl);
  return tmpl;
}

// The workflow configuration: small pages and batches so that a run has many steps, one record at
// a time so that the k-th kill point is the same instant in every run, failed records retried by
// the very next run (retry_initial 0).
std::string config_yaml(const std::string& ledger_path, int concurrency) {
  return std::string("profile: ") + REFBRIDGE_PROFILE_PATH + "\n" +
         "ping:\n  base_url: http://127.0.0.1:1\n  page_size: 2\n"
         "primero:\n  base_url: http://127.0.0.1:1\n  user: primero_api\n  auth: basic\n"
         "ledger: " + ledger_path + "\n" +
         "sync:\n  concurrency: " + std::to_string(concurrency) + "\n  max_attempts: 5\n  retry_initial_seconds: 0\n  cursor_overlap_seconds: 120\n"
         "  initial_cursor: 2021-01-01T00:00:00.000Z\n  primero_page_size: 2\n  ingestion_batch_size: 2\n"
         "  ingestion_poll_interval_ms: 1\n  ingestion_timeout_seconds: 10\n"
         "unhcr:\n  user_names: [unhcr_cw@cpims-gambella.primero.org, unhcr_cw]\n  agencies: [UNHCR]\n"
         "  fallback_contact_user: cpims_admin\n"
         "http:\n  connect_timeout_ms: 5000\n  total_timeout_ms: 30000\n";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void WriteKiller::on_write(std::string_view method, std::string_view path) {
  {
    std::string kind(method);
    kind += ' ';
    std::size_t start = 0;
    while (start < path.size()) {
      const auto slash = path.find('/', start + 1);
      const auto segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
      const bool id = segment.size() > 4 && segment.find_first_of("0123456789") != std::string_view::npos;  // not "/v1"
      kind += id ? std::string("/{id}") : std::string(segment);
      start = slash == std::string_view::npos ? path.size() : slash;
    }
    std::lock_guard lock(mutex_);
    kinds_.push_back(std::move(kind));
  }
  const int n = ++writes_;
  if (!armed_.load() || n != kill_at_.load()) return;
  armed_ = false;
  pid_t pid = 0;
  while ((pid = child_.load()) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  fired_ = true;  // before the kill: the test thread's waitpid may return at once
  if (signal_.load() != SIGKILL) {
    ::kill(pid, signal_.load());  // a graceful stop: the workflow receives this write's answer
    return;
  }
  kill_and_await(pid);  // the answer to this write is sent (to nobody) only after the child died
}

std::vector<std::string> WriteKiller::kinds() const {
  std::lock_guard lock(mutex_);
  return kinds_;
}

Trial::Trial(const Scenario& scenario) : scenario_(scenario), dir_(make_temp_dir()), ledger_(path("ledger.sqlite")) {
  std::ofstream(path("config.yaml")) << config_yaml(path("ledger.sqlite"), scenario.concurrency);
  sandbox::SandboxOptions options;
  options.primero_password = kPassword;
  options.ping_token = kToken;
  options.on_write = [this](std::string_view method, std::string_view path) { killer_.on_write(method, path); };
  if (scenario.configure) scenario.configure(options);
  auto box = sandbox::Sandbox::start(options);
  if (!box) FAIL("the sandbox did not start: " << box.error().describe());
  box_ = std::move(box).value();
  scenario_.seed(*box_);
  seeded_cases_ = primero_case_ids(*box_);
}

Trial::~Trial() {
  if (box_) box_->stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

ChildExit Trial::run(const std::map<std::string, std::string>& extra_env) { return wait(start(extra_env)); }

ChildExit Trial::run_with(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra_env) {
  return wait(start(extra_env, args));
}

pid_t Trial::start(const std::map<std::string, std::string>& extra_env, const std::vector<std::string>& args) {
  std::map<std::string, std::string> env = extra_env;  // the test's values win over the sandbox's
  env.insert(ledger_env_.begin(), ledger_env_.end());
  env.emplace("REFBRIDGE_PING_BASE_URL", box_->ping_base_url());
  env.emplace("REFBRIDGE_PRIMERO_BASE_URL", box_->primero_base_url());
  env.emplace("REFBRIDGE_PING_TOKEN", kToken);
  env.emplace("REFBRIDGE_PRIMERO_PASSWORD", kPassword);
  std::vector<std::string> argv{"--config", path("config.yaml")};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn_child(scenario_.program, argv, env, path("output.txt"));
  killer_.set_child(pid);
  return pid;
}

ChildExit Trial::wait(pid_t pid) {
  const ChildExit end = wait_child(pid);
  killer_.set_child(0);
  std::ofstream(path("output.txt"), std::ios::app) << "---- " << end.describe() << "\n";
  return end;
}

std::vector<std::string> Trial::state() const {
  return final_state(*box_, seeded_cases_, ledger_, scenario_.workflow, deployment_);
}

void Trial::use_ledger(const std::string& url, const std::string& deployment, const std::string& password) {
  ledger_ = url;
  deployment_ = deployment;
  ledger_env_ = {{"REFBRIDGE_LEDGER", url}, {"REFBRIDGE_DEPLOYMENT", deployment}, {"REFBRIDGE_LEDGER_PASSWORD", password}};
  ::setenv("REFBRIDGE_LEDGER_PASSWORD", password.c_str(), 1);
}

std::string Trial::output() const { return read_text(path("output.txt")); }

Reference reference_run(const Scenario& scenario) {
  Trial trial(scenario);
  Reference ref;
  const ChildExit end = trial.run({{"REFBRIDGE_CRASH_TRACE", trial.path("trace.txt")}});
  INFO(trial.output());
  REQUIRE(end.exited);
  REQUIRE(end.code == 0);
  ref.writes = trial.killer().kinds();
  std::istringstream trace(read_text(trial.path("trace.txt")));
  std::string line;
  while (std::getline(trace, line)) ref.crash_points.push_back(line.substr(line.find(' ') + 1));
  ref.state = trial.state();
  // A second run on a settled world must change nothing (otherwise no comparison means anything).
  REQUIRE(trial.run().code == 0);
  const std::string drift = state_difference(ref.state, trial.state());
  INFO("a second uninterrupted run changed the state:\n" << drift);
  REQUIRE(drift.empty());
  return ref;
}

KillResult kill_and_rerun(const Scenario& scenario, const Reference& reference, KillKind kind, int k, int max_reruns,
                          const std::function<void(Trial&)>& prepare) {
  Trial trial(scenario);
  if (prepare) prepare(trial);
  KillResult result;
  ChildExit end;
  if (kind == KillKind::kRemoteWrite) {
    trial.killer().arm(k);
    end = trial.run();
    result.died_by_sigkill = end.killed_by(SIGKILL) && trial.killer().fired();
  } else {
    end = trial.run({{"REFBRIDGE_CRASH_AT", std::to_string(k)}});
    result.died_by_sigkill = end.killed_by(SIGKILL);
  }
  if (!result.died_by_sigkill) {
    result.output = trial.output();
    return result;
  }
  for (int i = 1; i <= max_reruns; ++i) {
    result.reruns = i;
    const ChildExit rerun = trial.run();
    if (!rerun.exited || rerun.code != 0) {
      result.difference = "rerun " + std::to_string(i) + " ended with " + rerun.describe();
      break;
    }
    result.difference = state_difference(reference.state, trial.state());
    if (result.difference.empty()) break;
  }
  if (!result.difference.empty()) result.output = trial.output();
  return result;
}

std::vector<int> kill_points(const std::vector<std::string>& points, std::size_t budget) {
  const int total = static_cast<int>(points.size());
  const char* all = std::getenv("REFBRIDGE_CRASH_ALL");
  std::set<int> chosen;
  if ((all != nullptr && std::string(all) == "1") || points.size() <= budget) {
    for (int k = 1; k <= total; ++k) chosen.insert(k);
    return {chosen.begin(), chosen.end()};
  }
  std::map<std::string, std::pair<int, int>> first_last;
  for (int k = 1; k <= total; ++k) {
    auto [it, inserted] = first_last.emplace(points[k - 1], std::make_pair(k, k));
    if (!inserted) it->second.second = k;
  }
  for (const auto& entry : first_last) {
    chosen.insert(entry.second.first);
    chosen.insert(entry.second.second);
  }
  // Then evenly spread points, halving the stride until the budget is reached.
  for (int stride = total / 2; stride >= 1 && chosen.size() < budget; stride /= 2) {
    for (int k = 1; k <= total && chosen.size() < budget; k += stride) chosen.insert(k);
  }
  return {chosen.begin(), chosen.end()};
}

std::string count_by_name(const std::vector<std::string>& points) {
  std::map<std::string, int> counts;
  for (const auto& p : points) ++counts[p];
  std::string out;
  for (const auto& entry : counts) out += (out.empty() ? "" : ", ") + entry.first + " x" + std::to_string(entry.second);
  return out;
}

}  // namespace refbridge::crash_test
