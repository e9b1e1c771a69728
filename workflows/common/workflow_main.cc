// Shared workflow program. See workflow_main.h.
#include "workflow_main.h"

#include "config_keys.h"
#include "exit_status.h"

#include "refbridge/version.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace refbridge::workflows {
namespace {

/// Logs a fatal start-up error (structured, then plain) and answers its exit status (exit_status.h).
int not_started(Logger& log, std::string_view id, const Error& e) {
  log.error("run.not_started", {{LogKey::kWorkflow, std::string(id)},
                                {LogKey::kErrorCode, std::string(to_string(e.code))},
                                {LogKey::kMessage, e.message}});
  std::cerr << "refbridge " << id << ": " << e.describe() << "\n";
  return exit_status_for_error(e);
}

Result<void> write_report(const RunReport& report, const std::string& path) {
  if (path.empty()) return ok();
  std::ofstream out(path);
  out << report.to_json();
  if (!out) return make_error(ErrorCode::kIo, "cannot write the report to " + path);
  return ok();
}

}  // namespace

int workflow_main(int argc, char** argv, std::string_view id, std::string_view title, const WorkflowRun& run) {
  CLI::App app{std::string(title)};
  const std::string program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "refbridge";
  app.set_version_flag("--version", version_line(program + " (workflow " + std::string(id) + ")"));
  std::string config_path;
  std::string report_path;
  app.add_flag_callback(
      "--print-config-reference",
      [] {
        std::cout << config_reference_markdown();
        throw CLI::Success();
      },
      "print the configuration reference (Markdown, doc/configuration.md) and exit");
  app.add_option("--config", config_path, "YAML configuration file")->required()->check(CLI::ExistingFile);
  app.add_option("--report", report_path, "write the run report (JSON) to this file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  Logger log(std::cerr);
  auto config = load_config(config_path);
  if (!config) return not_started(log, id, config.error());
  const WorkflowConfig& c = config.value();
  // Before any other thread starts: SIGINT/SIGTERM and run_timeout raise run_cancellation().
  ShutdownWatcher shutdown(log, c.run_timeout, c.shutdown_grace);
  // Every secret was registered with redaction when load_config() read it (refbridge/secrets.h).

  auto profile = load_profile(c.profile_path);
  if (!profile) return not_started(log, id, profile.error());
  auto connections = Connections::create(c, &log);
  if (!connections) return not_started(log, id, connections.error());
  auto ledger = open_sqlite_ledger(c.ledger_path);
  if (!ledger) return not_started(log, id, ledger.error());

  SystemClock clock;
  const Sleeper sleep = real_sleeper();
  const auto run_ledger = freeze_cursor_on_cancel(*ledger.value(), run_cancellation());
  WorkflowEnv env{c, profile.value(), *connections.value(), *run_ledger, log, clock, sleep};
  auto report = run(env);
  if (!report) return not_started(log, id, report.error());
  if (auto w = write_report(report.value(), report_path); !w) return not_started(log, id, w.error());
  std::cout << report.value().summary_line() << "\n";
  if (run_cancellation().cancelled()) return exit_status_for(run_cancellation());
  if (report.value().aborted()) std::cerr << "refbridge " << id << ": " << report.value().abort_reason() << "\n";
  return report.value().exit_status();
}

}  // namespace refbridge::workflows
