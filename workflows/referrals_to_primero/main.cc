// refbridge-referrals-to-primero: workflow 1.1 (proGres referrals -> Primero), one run then exit.
// Usage: refbridge-referrals-to-primero --config refbridge.yaml [--report 1.1.json]
// Secrets come from the environment (see workflows/common/config.h), never from arguments.
// Exit status: 0 when every record reached a final state or was left for retry; 2 when the run
// could not proceed (configuration, authentication, unreachable API); 1 on a usage error.

#include "config.h"
#include "connections.h"
#include "referrals_to_primero.h"

#include "mappings/progres_referral_to_primero_case.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

namespace {

int fail(refbridge::Logger& log, const refbridge::Error& e) {
  log.error("run.not_started", {{refbridge::LogKey::kWorkflow, "1.1"},
                                {refbridge::LogKey::kErrorCode, std::string(refbridge::to_string(e.code))},
                                {refbridge::LogKey::kMessage, e.message}});
  std::cerr << "refbridge 1.1: " << e.describe() << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"refbridge workflow 1.1: proGres referrals -> Primero cases and services"};
  std::string config_path;
  std::string report_path;
  app.add_option("--config", config_path, "YAML configuration file")->required()->check(CLI::ExistingFile);
  app.add_option("--report", report_path, "write the run report (JSON) to this file");
  CLI11_PARSE(app, argc, argv);

  refbridge::Logger log(std::cerr);
  auto config = refbridge::workflows::load_config(config_path);
  if (!config) return fail(log, config.error());
  log.add_secret(config.value().ping_token);
  log.add_secret(config.value().ping_subscription_key);
  log.add_secret(config.value().primero_password);

  auto profile = refbridge::load_profile(config.value().profile_path);
  if (!profile) return fail(log, profile.error());
  if (auto check = refbridge::mappings::progres_referral_to_primero_case_check_profile(profile.value()); !check) {
    return fail(log, check.error());
  }
  auto connections = refbridge::workflows::Connections::create(config.value());
  if (!connections) return fail(log, connections.error());

  refbridge::ping::PingClient ping(connections.value()->ping());
  refbridge::primero::PrimeroClient primero(connections.value()->primero());
  refbridge::SystemClock clock;
  const refbridge::workflows::ReferralsToPrimeroDeps deps{ping, primero, profile.value(), clock, log,
                                                         config.value().ping_page_size};
  const auto report = refbridge::workflows::run_referrals_to_primero(deps);

  if (!report_path.empty()) {
    std::ofstream out(report_path);
    out << report.to_json();
    if (!out) {
      std::cerr << "refbridge 1.1: cannot write the report to " << report_path << "\n";
      return 2;
    }
  }
  std::cout << report.summary_line() << "\n";
  return report.aborted() ? 2 : 0;
}
