// refbridge-sandbox: serves a local PING server and a local Primero v2 server on 127.0.0.1
// until SIGINT/SIGTERM, optionally seeded from the flow A fixtures. See sandbox.h.
// Credentials come from the environment only: REFBRIDGE_SANDBOX_PRIMERO_PASSWORD and
// REFBRIDGE_SANDBOX_PING_TOKEN (unset = that server accepts any caller).
#include "refbridge/log.h"
#include "sandbox.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace {

bool write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << text;
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;  // readers never see a partial file
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"refbridge sandbox: local PING and Primero v2 servers on 127.0.0.1"};
  std::string fixtures;
  std::string ports_file;
  std::string dump_primero;
  std::string dump_ping;
  refbridge::sandbox::SandboxOptions options;
  bool verbose = false;
  app.add_option("--fixtures", fixtures, "Seed PING from the flow A files in this fixtures directory")->check(CLI::ExistingDirectory);
  app.add_option("--ping-port", options.ping_port, "PING port (0 = ephemeral)")->check(CLI::Range(0, 65535));
  app.add_option("--primero-port", options.primero_port, "Primero port (0 = ephemeral)")->check(CLI::Range(0, 65535));
  app.add_option("--primero-user", options.primero_user, "Primero user name accepted by the server");
  app.add_option("--ports-file", ports_file, "Write {\"ping_base_url\",\"primero_base_url\"} here once listening");
  app.add_option("--dump-primero", dump_primero, "Write the Primero cases JSON here on shutdown");
  app.add_option("--dump-ping", dump_ping, "Write the PING interventions JSON here on shutdown");
  app.add_flag("--verbose", verbose, "Log every request (statuses and durations only)");
  CLI11_PARSE(app, argc, argv);

  refbridge::Logger logger(std::cerr, verbose ? refbridge::LogLevel::kDebug : refbridge::LogLevel::kInfo);
  options.primero_password = env_or_empty("REFBRIDGE_SANDBOX_PRIMERO_PASSWORD");
  options.ping_token = env_or_empty("REFBRIDGE_SANDBOX_PING_TOKEN");
  logger.add_secret(options.primero_password);
  logger.add_secret(options.ping_token);
  if (options.primero_password.empty()) logger.warn("sandbox.primero.auth_disabled");
  if (options.ping_token.empty()) logger.warn("sandbox.ping.auth_disabled");
  options.logger = &logger;

  // Block the stop signals before any thread starts, so that only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto started = refbridge::sandbox::Sandbox::start(options);
  if (!started) {
    logger.error("sandbox.start_failed", {{refbridge::LogKey::kMessage, started.error().describe()}});
    return 1;
  }
  auto sandbox = std::move(started).value();

  if (!fixtures.empty()) {
    auto report = sandbox->seed_ping_from_fixtures(fixtures);
    if (!report) {
      logger.error("sandbox.seed_failed", {{refbridge::LogKey::kMessage, report.error().describe()}});
      return 1;
    }
    for (const auto& notice : report.value().notices) logger.warn("sandbox.seed_notice", {{refbridge::LogKey::kMessage, notice}});
    logger.info("sandbox.seed_counts", {{refbridge::LogKey::kCount, std::to_string(report.value().rows)}});
  }
  if (!ports_file.empty()) {
    const std::string text = "{\"ping_base_url\":" + json_string(sandbox->ping_base_url()) +
                             ",\"primero_base_url\":" + json_string(sandbox->primero_base_url()) + "}\n";
    if (!write_file(ports_file, text)) {
      logger.error("sandbox.ports_file_failed");
      return 1;
    }
  }
  logger.info("sandbox.listening", {{refbridge::LogKey::kMessage, "ping " + sandbox->ping_base_url() + " primero " +
                                                                      sandbox->primero_base_url()}});

  int received = 0;
  sigwait(&signals, &received);
  logger.info("sandbox.stopping", {{refbridge::LogKey::kMessage, received == SIGINT ? "SIGINT" : "SIGTERM"}});
  sandbox->stop();

  int rc = 0;
  if (!dump_primero.empty() && !write_file(dump_primero, sandbox->primero_cases_json())) {
    logger.error("sandbox.dump_failed", {{refbridge::LogKey::kMessage, "primero"}});
    rc = 1;
  }
  if (!dump_ping.empty() && !write_file(dump_ping, sandbox->ping_interventions_json())) {
    logger.error("sandbox.dump_failed", {{refbridge::LogKey::kMessage, "ping"}});
    rc = 1;
  }
  logger.info("sandbox.stopped", {{refbridge::LogKey::kCount, std::to_string(sandbox->primero_case_count())}});
  return rc;
}
