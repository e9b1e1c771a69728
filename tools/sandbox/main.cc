// refbridge-sandbox: serves a local PING server and a local Primero v2 server on 127.0.0.1
// until SIGINT/SIGTERM, optionally seeded from the flow A fixtures. See sandbox.h.
// Credentials come from the environment only: REFBRIDGE_SANDBOX_PRIMERO_PASSWORD and
// REFBRIDGE_SANDBOX_PING_TOKEN (unset = that server accepts any caller).
#include "refbridge/log.h"
#include "sandbox.h"

#include <algorithm>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

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
  // ---- PING ingestion and decisions ----
  std::string dump_ping_incoming;
  std::string dump_ping_ingestions;
  int synthetic_interventions = 0;
  int synthetic_decisions = 0;
  // ---- Primero referrals, users, seeding ----
  int synthetic_primero_cases = 0;
  std::string synthetic_kind = "referrals";
  std::uint64_t synthetic_seed = 1;
  // Shapes of real data (issue "No duplicate, ever"): interventions per child, referrals per case.
  int synthetic_per_child = 1;
  int synthetic_per_case = 1;
  std::string faults_file;  // ---- fault injection ----
  app.add_option("--fixtures", fixtures, "Seed PING from the flow A files in this fixtures directory")->check(CLI::ExistingDirectory);
  app.add_option("--ping-port", options.ping_port, "PING port (0 = ephemeral)")->check(CLI::Range(0, 65535));
  app.add_option("--primero-port", options.primero_port, "Primero port (0 = ephemeral)")->check(CLI::Range(0, 65535));
  app.add_option("--primero-user", options.primero_user, "Primero user name accepted by the server");
  std::string primero_forms_file;
  std::string primero_lookups_file;
  app.add_option("--primero-version", options.primero_version,
                 "Primero version to emulate (default 2.15.2.1): >= 2.11 session cookie + CSRF login, <= 2.10 JWT login");
  app.add_option("--primero-forms", primero_forms_file,
                 "Primero forms as GET /api/v2/forms answers them (default: the stock CP + Gambella configuration)")
      ->check(CLI::ExistingFile);
  app.add_flag("--primero-millisecond-ranges", options.primero_millisecond_ranges,
               "Compare last_updated_at ranges at milliseconds, not Primero's whole seconds (for the workflows' "
               "cursor reading until it copes with whole seconds)");
  app.add_option("--primero-lookups", primero_lookups_file,
                 "Primero lookups as GET /api/v2/lookups answers them (default: the stock + Gambella lookups)")
      ->check(CLI::ExistingFile);
  app.add_option("--threads", options.server_threads,
                 "Worker threads per server; at least the connections clients hold at once (default 72)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--keep-alive-requests", options.keep_alive_max_requests,
                 "Requests per kept-alive connection before the server closes it (default 10000)")
      ->check(CLI::Range(1, 100000000));
  app.add_option("--ports-file", ports_file, "Write {\"ping_base_url\",\"primero_base_url\"} here once listening");
  app.add_option("--dump-primero", dump_primero, "Write the Primero cases JSON here on shutdown");
  app.add_option("--dump-ping", dump_ping, "Write the PING interventions JSON here on shutdown");
  app.add_flag("--verbose", verbose, "Log every request (statuses and durations only)");
  // ---- PING ingestion and decisions ----
  app.add_option("--dump-ping-incoming", dump_ping_incoming, "Write the PING incoming referrals (decisions) JSON here on shutdown");
  app.add_option("--dump-ping-ingestions", dump_ping_ingestions, "Write the PING ingestion transactions JSON here on shutdown");
  app.add_option("--ingestion-polls", options.ingestion_polls_to_complete,
                 "GET of an ingestion transaction that completes it (0 or 1 = the first)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--synthetic-interventions", synthetic_interventions,
                 "Generate N synthetic pending PING referral interventions SYN-1..SYN-N (load tests; --synthetic-seed)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--synthetic-decisions", synthetic_decisions,
                 "Generate N synthetic pending PING decisions on made-up Primero referral ids (load tests; --synthetic-seed)")
      ->check(CLI::Range(0, 1000000));
  // ---- Primero referrals, users, seeding ----
  app.add_option("--synthetic-primero-cases", synthetic_primero_cases, "Generate N synthetic Primero cases (load tests)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--synthetic-kind", synthetic_kind, "decisions (workflow 1.2 input) or referrals (workflow 2.1 input)")
      ->check(CLI::IsMember({"decisions", "referrals"}));
  app.add_option("--synthetic-referrals-per-child", synthetic_per_child,
                 "With --synthetic-interventions N: K interventions per individual, ceil(N/K) individuals (real data: several)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--synthetic-referrals-per-case", synthetic_per_case,
                 "With --synthetic-primero-cases N: N referrals (service rows) on ceil(N/K) cases, K per case; "
                 "--synthetic-decisions then gives K decisions per case")
      ->check(CLI::Range(1, 1000));
  app.add_option("--synthetic-seed", synthetic_seed, "Seed of the synthetic records (Primero cases, PING interventions and decisions)");
  app.add_option("--faults", faults_file, "Fault plan (YAML, see tools/sandbox/faults.h) applied from the start")
      ->check(CLI::ExistingFile);
  // ---- PING OAuth2 ---- (client secret from REFBRIDGE_SANDBOX_PING_CLIENT_SECRET)
  std::string ping_oauth_client_id;
  int ping_token_lifetime = 3600;
  app.add_option("--ping-oauth-client-id", ping_oauth_client_id,
                 "Serve POST /oauth2/token for this client id (secret: env REFBRIDGE_SANDBOX_PING_CLIENT_SECRET)");
  app.add_option("--ping-token-lifetime", ping_token_lifetime, "expires_in of issued PING tokens, seconds")
      ->check(CLI::Range(1, 86400));
  app.set_version_flag("--version", REFBRIDGE_VERSION_LINE);  // set by tools/CMakeLists.txt
  CLI11_PARSE(app, argc, argv);

  refbridge::Logger logger(std::cerr, verbose ? refbridge::LogLevel::kDebug : refbridge::LogLevel::kInfo);
  for (const auto& [file, text] : {std::pair{&primero_forms_file, &options.primero_forms_json},
                                   std::pair{&primero_lookups_file, &options.primero_lookups_json}}) {
    if (file->empty()) continue;
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) {
      logger.error("sandbox.config_unreadable", {{refbridge::LogKey::kMessage, *file}});
      return 1;
    }
    *text = content.str();
  }
  options.primero_password = env_or_empty("REFBRIDGE_SANDBOX_PRIMERO_PASSWORD");
  options.ping_token = env_or_empty("REFBRIDGE_SANDBOX_PING_TOKEN");
  logger.add_secret(options.primero_password);
  logger.add_secret(options.ping_token);
  if (options.primero_password.empty()) logger.warn("sandbox.primero.auth_disabled");
  if (options.ping_token.empty()) logger.warn("sandbox.ping.auth_disabled");
  options.logger = &logger;
  if (!ping_oauth_client_id.empty()) {  // ---- PING OAuth2 ----
    options.ping_oauth = refbridge::sandbox::PingOAuthOptions{
        ping_oauth_client_id, env_or_empty("REFBRIDGE_SANDBOX_PING_CLIENT_SECRET"), ping_token_lifetime};
    logger.add_secret(options.ping_oauth->client_secret);
  }
  if (!faults_file.empty()) {
    auto plan = refbridge::sandbox::load_fault_plan(faults_file);
    if (!plan) {
      logger.error("sandbox.faults_invalid", {{refbridge::LogKey::kMessage, plan.error().describe()}});
      return 1;
    }
    logger.warn("sandbox.faults_enabled", {{refbridge::LogKey::kCount, std::to_string(plan.value().rules.size())}});
    options.faults = std::move(plan).value();
  }

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
    // ---- PING ingestion and decisions ---- (notices and counts are logged by the sandbox)
    auto decisions = sandbox->seed_ping_decisions_from_fixtures(fixtures);
    if (!decisions) {
      logger.error("sandbox.seed_failed", {{refbridge::LogKey::kMessage, decisions.error().describe()}});
      return 1;
    }
    std::cout << "ping decisions seeded: " << decisions.value().records << " records, " << decisions.value().decisions
              << " decisions, " << decisions.value().notices.size() << " notices" << std::endl;
    // ---- Primero referrals, users, seeding ---- (notices and counts are logged by the sandbox)
    auto primero_report = sandbox->seed_primero_from_fixtures(fixtures);
    if (!primero_report) {
      logger.error("sandbox.seed_failed", {{refbridge::LogKey::kMessage, primero_report.error().describe()}});
      return 1;
    }
    std::cout << "primero seeded: " << primero_report.value().cases << " cases, " << primero_report.value().referrals
              << " referrals, " << primero_report.value().notices.size() << " notices" << std::endl;
  }
  std::vector<std::string> synthetic_referral_ids;  // "<case_id>#<suffix>" of synthetic referrals to UNHCR
  // ---- Primero referrals, users, seeding ----
  if (synthetic_primero_cases > 0) {
    const auto kind = synthetic_kind == "decisions" ? refbridge::sandbox::SyntheticCaseKind::kDecisions
                                                    : refbridge::sandbox::SyntheticCaseKind::kReferralsToUnhcr;
    auto synthetic = sandbox->seed_synthetic_primero_cases(synthetic_primero_cases, kind, synthetic_seed, synthetic_per_case);
    if (!synthetic) {
      logger.error("sandbox.synthetic_failed", {{refbridge::LogKey::kMessage, synthetic.error().describe()}});
      return 1;
    }
    if (kind == refbridge::sandbox::SyntheticCaseKind::kReferralsToUnhcr) {
      for (const auto& c : synthetic.value()) synthetic_referral_ids.push_back(c.org_referral_id());
    }
    const auto case_count = (synthetic_primero_cases + synthetic_per_case - 1) / synthetic_per_case;
    std::cout << "primero synthetic: " << synthetic.value().size() << " " << synthetic_kind << " on " << case_count
              << " cases (" << synthetic_per_case << " per case)" << std::endl;
  }
  // ---- PING ingestion and decisions ----
  if (synthetic_interventions > 0) {
    auto made = sandbox->seed_synthetic_interventions(synthetic_interventions, synthetic_seed, synthetic_per_child);
    if (!made) {
      logger.error("sandbox.synthetic_failed", {{refbridge::LogKey::kMessage, made.error().describe()}});
      return 1;
    }
    std::cout << "ping synthetic: " << made.value().interventions << " interventions, " << made.value().individuals
              << " individuals held" << std::endl;
  }
  if (synthetic_decisions > 0) {
    // Decisions on the synthetic Primero referrals when there are some (workflow 2.2's load), else on
    // made-up referral ids.
    auto ids = refbridge::sandbox::Sandbox::synthetic_org_referral_ids(synthetic_decisions, synthetic_seed);
    if (!synthetic_referral_ids.empty()) {
      synthetic_referral_ids.resize(std::min<std::size_t>(synthetic_referral_ids.size(), static_cast<std::size_t>(synthetic_decisions)));
      ids = synthetic_referral_ids;
    }
    auto made = sandbox->seed_synthetic_decisions(ids, synthetic_seed);
    if (!made) {
      logger.error("sandbox.synthetic_failed", {{refbridge::LogKey::kMessage, made.error().describe()}});
      return 1;
    }
    std::cout << "ping synthetic: " << made.value().decisions << " decisions held" << std::endl;
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
  // ---- PING ingestion and decisions ----
  if (!dump_ping_incoming.empty() && !write_file(dump_ping_incoming, sandbox->ping_incoming_referrals_json())) {
    logger.error("sandbox.dump_failed", {{refbridge::LogKey::kMessage, "ping incoming"}});
    rc = 1;
  }
  if (!dump_ping_ingestions.empty() && !write_file(dump_ping_ingestions, sandbox->ping_ingestions_json())) {
    logger.error("sandbox.dump_failed", {{refbridge::LogKey::kMessage, "ping ingestions"}});
    rc = 1;
  }
  logger.info("sandbox.stopped", {{refbridge::LogKey::kCount, std::to_string(sandbox->primero_case_count())}});
  return rc;
}
