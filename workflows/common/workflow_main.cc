// Shared workflow program. See workflow_main.h.
#include "workflow_main.h"

#include "config_keys.h"
#include "exit_status.h"
#include "metrics.h"

#include "refbridge/version.h"

#include <CLI/CLI.hpp>

#include <chrono>
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

/// Writes the metrics file (metrics.h) when the program ends, whichever way: the pieces are set
/// as the program gets them (nullptr / unset: that part is reported as absent or zero).
class MetricsAtEnd {
 public:
  MetricsAtEnd(Logger& log, std::string_view id) : log_(log), id_(id), started_(std::chrono::system_clock::now()) {}

  void set_path(const std::string& path_template) {
    if (path_.empty() && !path_template.empty()) path_ = metrics_path_for(path_template, id_);
  }
  Ledger* ledger = nullptr;
  const Connections* connections = nullptr;
  const RunReport* report = nullptr;

  /// Writes the file (a failure is logged, the exit status stays the run's) and answers `status`.
  int finish(int status) {
    if (path_.empty()) return status;
    RunMetrics m;
    m.workflow = std::string(id_);
    m.exit_status = status;
    m.report = report;
    m.finished_at = std::chrono::system_clock::now();
    m.duration = report != nullptr ? std::chrono::duration<double>(report->finished_at() - report->started_at())
                                   : std::chrono::duration<double>(m.finished_at - started_);
    if (ledger != nullptr) {
      if (auto counts = ledger->count_by_state(id_)) m.ledger_counts = std::move(counts.value());
    }
    m.requests = connections != nullptr ? &connections->request_metrics() : nullptr;
    if (auto w = write_metrics_file(path_, m); !w) {
      log_.error("metrics.not_written", {{LogKey::kWorkflow, m.workflow}, {LogKey::kMessage, w.error().message}});
      std::cerr << "refbridge " << id_ << ": " << w.error().describe() << "\n";
    }
    return status;
  }

 private:
  Logger& log_;
  std::string_view id_;
  std::chrono::system_clock::time_point started_;
  std::string path_;
};

int run_program(int argc, char** argv, std::string_view id, std::string_view title, const WorkflowRun& run) {
  CLI::App app{std::string(title)};
  const std::string program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "refbridge";
  app.set_version_flag("--version", version_line(program + " (workflow " + std::string(id) + ")"));
  std::string config_path;
  std::string report_path;
  std::string metrics_path;
  app.add_flag_callback(
      "--print-config-reference",
      [] {
        std::cout << config_reference_markdown();
        throw CLI::Success();
      },
      "print the configuration reference (Markdown, doc/configuration.md) and exit");
  app.add_option("--config", config_path, "YAML configuration file")->required()->check(CLI::ExistingFile);
  app.add_option("--report", report_path, "write the run report (JSON) to this file");
  app.add_option("--metrics-file", metrics_path,
                 "write Prometheus metrics here at the end of the run ({workflow} = the workflow id; "
                 "overrides the metrics_file key)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  Logger log(std::cerr);
  MetricsAtEnd metrics(log, id);
  metrics.set_path(metrics_path);
  auto config = load_config(config_path);
  if (!config) return metrics.finish(not_started(log, id, config.error()));
  const WorkflowConfig& c = config.value();
  metrics.set_path(c.metrics_file);
  // Before any other thread starts: SIGINT/SIGTERM and run_timeout raise run_cancellation().
  ShutdownWatcher shutdown(log, c.run_timeout, c.shutdown_grace);
  // Every secret was registered with redaction when load_config() read it (refbridge/secrets.h).

  auto profile = load_profile(c.profile_path);
  if (!profile) return metrics.finish(not_started(log, id, profile.error()));
  auto connections = Connections::create(c, &log);
  if (!connections) return metrics.finish(not_started(log, id, connections.error()));
  metrics.connections = connections.value().get();
  auto ledger = open_sqlite_ledger(c.ledger_path);
  if (!ledger) return metrics.finish(not_started(log, id, ledger.error()));
  metrics.ledger = ledger.value().get();

  SystemClock clock;
  const Sleeper sleep = real_sleeper();
  const auto run_ledger = freeze_cursor_on_cancel(*ledger.value(), run_cancellation());
  WorkflowEnv env{c, profile.value(), *connections.value(), *run_ledger, log, clock, sleep};
  auto report = run(env);
  if (!report) return metrics.finish(not_started(log, id, report.error()));
  metrics.report = &report.value();
  if (auto w = write_report(report.value(), report_path); !w) return metrics.finish(not_started(log, id, w.error()));
  std::cout << report.value().summary_line() << "\n";
  if (run_cancellation().cancelled()) return metrics.finish(exit_status_for(run_cancellation()));
  if (report.value().aborted()) std::cerr << "refbridge " << id << ": " << report.value().abort_reason() << "\n";
  return metrics.finish(report.value().exit_status());
}

}  // namespace

int workflow_main(int argc, char** argv, std::string_view id, std::string_view title, const WorkflowRun& run) {
  return run_program(argc, argv, id, title, run);
}

}  // namespace refbridge::workflows
