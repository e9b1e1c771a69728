// Shared workflow program. See workflow_main.h.
#include "workflow_main.h"

#include "refbridge/ledger_postgres.h"

#include "config_keys.h"
#include "dry_run.h"
#include "exit_status.h"
#include "metrics.h"
#include "preflight.h"
#include "primero_config_check.h"

#include "refbridge/version.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

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

/// The command line (workflow_main.h "Usage").
struct Options {
  std::string config_path;
  std::string report_path;
  std::string metrics_path;
  bool dry_run = false;
  bool check = false;
  bool verify = false;
  std::string since;
  [[nodiscard]] bool real_run() const { return !dry_run && !check && !verify; }
};

/// Parses argv into `o`; answers an exit status when the program must end now (help, version,
/// usage error), std::nullopt to go on.
std::optional<int> parse_options(int argc, char** argv, const WorkflowDefinition& w, Options& o) {
  CLI::App app{std::string(w.title)};
  const std::string program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "refbridge";
  app.set_version_flag("--version", version_line(program + " (workflow " + std::string(w.id) + ")"));
  app.add_flag_callback(
      "--print-config-reference",
      [] {
        std::cout << config_reference_markdown();
        throw CLI::Success();
      },
      "print the configuration reference (Markdown, doc/configuration.md) and exit");
  app.add_option("--config", o.config_path, "YAML configuration file")->required()->check(CLI::ExistingFile);
  app.add_option("--report", o.report_path, "write the run report (JSON) to this file");
  app.add_option("--metrics-file", o.metrics_path,
                 "write Prometheus metrics here at the end of the run ({workflow} = the workflow id; "
                 "overrides the metrics_file key)");
  auto* dry = app.add_flag("--dry-run", o.dry_run,
                           "read, validate, map and look the targets up; print what would be written; write nothing");
  auto* check = app.add_flag("--check", o.check,
                             "check configuration, secrets, ledger, connectivity, authentication and the Primero "
                             "forms; write nothing");
  auto* verify = app.add_flag("--verify", o.verify,
                              "re-read the destination of every delivered record and list those missing, duplicated "
                              "or different (exit 65 when any); write nothing");
  app.add_option("--since", o.since, "with --verify: only records delivered at or after this ISO-8601 instant")
      ->needs(verify);
  dry->excludes(check, verify);
  check->excludes(verify);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

/// The mapping's profile check and its unconfirmed entries as warnings (MappingChecks).
Result<void> check_mapping_profile(const WorkflowDefinition& w, const Profile& profile, Logger& log) {
  if (w.mapping.check_profile != nullptr) {
    REFBRIDGE_TRY(w.mapping.check_profile(profile));
  }
  if (w.mapping.unconfirmed_entries == nullptr) return ok();
  for (const auto& line : w.mapping.unconfirmed_entries(profile)) {
    log.warn("profile.unconfirmed", {{LogKey::kWorkflow, std::string(w.id)}, {LogKey::kMessage, line}});
  }
  return ok();
}

/// The Primero instance has what the mapping needs (primero_config_check.h).
Result<void> check_primero_forms(const WorkflowDefinition& w, primero::Primero& primero, const WorkflowConfig& c,
                                 const Profile& profile, Logger& log) {
  if (w.mapping.primero_requirements == nullptr) return ok();
  return check_primero_configuration(primero, w.mapping.primero_requirements(profile),
                                     primero_check_settings(c, profile, w.mapping.primero_record_type), log, w.id);
}

/// The --check step "profile": loaded, and the mapping's tables and constants all there.
Result<std::string> profile_step(const WorkflowDefinition& w, const std::string& path, const Result<Profile>& profile,
                                 Logger& log) {
  if (!profile) return profile.error();
  REFBRIDGE_TRY(check_mapping_profile(w, profile.value(), log));
  return path + ": every table and constant the mapping uses";
}

/// --check (preflight.h): every step that can run, each reported.
int run_check(const WorkflowDefinition& w, const Options& o, Logger& log) {
  PreflightReport checks;
  auto config = load_config(o.config_path);
  checks.add("configuration", config ? Result<std::string>(o.config_path + ": every key known and valid")
                                     : Result<std::string>(config.error()));
  if (config) {
    const WorkflowConfig& c = config.value();
    checks.add("secrets", std::string("every secret the configuration needs was read (NAME or NAME_FILE)"));
    auto profile = load_profile(c.profile_path);
    checks.add("profile", profile_step(w, c.profile_path, profile, log));
    checks.add("ledger", probe_ledger(c.ledger_path, c.deployment));
    auto connections = Connections::create(c, &log);
    if (!connections) {
      checks.add("connections", connections.error());
    } else {
      ping::PingClient ping(connections.value()->ping());
      primero::PrimeroClient primero(connections.value()->primero());
      checks.add("PING " + c.ping_base_url, probe_ping(ping));
      checks.add("Primero " + c.primero_base_url, probe_primero(primero));
      if (profile) {
        auto forms = check_primero_forms(w, primero, c, profile.value(), log);
        checks.add("Primero forms and lookups", forms ? Result<std::string>(std::string("every field and option value the mapping needs"))
                                                      : Result<std::string>(forms.error()));
      }
    }
  }
  std::cout << checks.text(w.id);
  return checks.exit_status();
}

/// The ledger the mode works on: the file (run), an in-memory copy (dry run), read-only or none (verify).
/// A PostgreSQL ledger (`ledger: postgresql://...`) is opened for `deployment`; --dry-run on it is
/// refused (kConfig) rather than writing to the shared database.
Result<std::unique_ptr<Ledger>> open_ledger_for(const Options& o, const std::string& path, const std::string& deployment) {
  if (is_postgres_url(path)) {
    if (o.dry_run) {
      return make_error(ErrorCode::kConfig, "--dry-run works on an in-memory copy of a SQLite ledger only; with the "
                                            "PostgreSQL ledger " + describe_postgres_url(path) +
                                            " use --check, or a configuration whose `ledger` is a copy in a SQLite file");
    }
    return open_ledger(path, deployment, o.verify ? LedgerOpenMode::kReadOnly : LedgerOpenMode::kCreate);
  }
  if (o.dry_run) return open_sqlite_ledger_snapshot(path);
  if (!o.verify) return open_sqlite_ledger(path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return open_sqlite_ledger(":memory:");  // nothing delivered yet
  return open_sqlite_ledger(path, LedgerOpenMode::kReadOnly);
}

Result<VerifyOptions> verify_options(const Options& o) {
  VerifyOptions v;
  if (o.since.empty()) return v;
  auto since = DateTime::parse(o.since);
  if (!since) return make_error(ErrorCode::kInvalidInput, "--since '" + o.since + "' is not an ISO-8601 date-time with a zone offset");
  v.since = since.value().utc;
  return v;
}

int run_program(int argc, char** argv, const WorkflowDefinition& w) {
  Options o;
  if (auto done = parse_options(argc, argv, w, o)) return *done;
  const std::string_view id = w.id;
  Logger log(std::cerr);
  if (o.check) return run_check(w, o, log);
  MetricsAtEnd metrics(log, id);
  if (o.real_run()) metrics.set_path(o.metrics_path);
  auto config = load_config(o.config_path);
  if (!config) return metrics.finish(not_started(log, id, config.error()));
  const WorkflowConfig& c = config.value();
  if (o.real_run()) metrics.set_path(c.metrics_file);
  // Before any other thread starts: SIGINT/SIGTERM and run_timeout raise run_cancellation().
  ShutdownWatcher shutdown(log, c.run_timeout, c.shutdown_grace);
  // Every secret was registered with redaction when load_config() read it (refbridge/secrets.h).

  auto profile = load_profile(c.profile_path);
  if (!profile) return metrics.finish(not_started(log, id, profile.error()));
  if (auto p = check_mapping_profile(w, profile.value(), log); !p) return metrics.finish(not_started(log, id, p.error()));
  auto connections = Connections::create(c, &log);
  if (!connections) return metrics.finish(not_started(log, id, connections.error()));
  metrics.connections = connections.value().get();
  auto ledger = open_ledger_for(o, c.ledger_path, c.deployment);
  if (!ledger) return metrics.finish(not_started(log, id, ledger.error()));
  metrics.ledger = ledger.value().get();

  ping::PingClient ping_http(connections.value()->ping());
  primero::PrimeroClient primero_http(connections.value()->primero());
  DryRunJournal journal;
  DryRunPing ping_dry(ping_http, journal);
  DryRunPrimero primero_dry(primero_http, journal);
  ping::Ping& ping = o.dry_run ? static_cast<ping::Ping&>(ping_dry) : ping_http;
  primero::Primero& primero = o.dry_run ? static_cast<primero::Primero&>(primero_dry) : primero_http;
  // Before any record: the instance has every field and option value the mapping needs.
  if (auto f = check_primero_forms(w, primero, c, profile.value(), log); !f) return metrics.finish(not_started(log, id, f.error()));

  SystemClock clock;
  const Sleeper sleep = real_sleeper();
  const auto run_ledger = freeze_cursor_on_cancel(*ledger.value(), run_cancellation());
  WorkflowEnv env{c, profile.value(), *connections.value(), ping, primero, *run_ledger, log, clock, sleep};
  if (o.verify) {
    auto options = verify_options(o);
    if (!options) {  // a bad --since is a command-line error (64), not configuration
      std::cerr << "refbridge " << id << ": " << options.error().message << "\n";
      return kExitUsage;
    }
    auto verified = w.verify(env, options.value());
    if (!verified) return not_started(log, id, verified.error());
    std::cout << verified.value().text();
    return verified.value().exit_status();
  }
  auto report = w.run(env);
  if (!report) return metrics.finish(not_started(log, id, report.error()));
  metrics.report = &report.value();
  if (auto wr = write_report(report.value(), o.report_path); !wr) return metrics.finish(not_started(log, id, wr.error()));
  if (o.dry_run) std::cout << dry_run_records(report.value()) << dry_run_summary(journal);
  std::cout << (o.dry_run ? "dry run " : "") << report.value().summary_line() << "\n";
  if (run_cancellation().cancelled()) return metrics.finish(exit_status_for(run_cancellation()));
  if (report.value().aborted()) std::cerr << "refbridge " << id << ": " << report.value().abort_reason() << "\n";
  return metrics.finish(report.value().exit_status());
}

}  // namespace

int workflow_main(int argc, char** argv, const WorkflowDefinition& workflow) {
  return run_program(argc, argv, workflow);
}

}  // namespace refbridge::workflows
