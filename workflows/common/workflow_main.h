#pragma once
// The one `main` of every workflow program: options, configuration, secrets, profile, connections,
// ledger, one run, the report, the exit status (../shared/docs/workflows.md "Common rules":
// scheduled, one run then exit; exit 0 when every record reached a final state or was scheduled
// for retry, non-zero only when the run itself could not proceed). Each program's main.cc is a
// call to workflow_main() with its run function.
//
// Usage: refbridge-<workflow> --config refbridge.yaml [--report out.json] [--metrics-file PATH]
//        refbridge-<workflow> --config refbridge.yaml --dry-run [--report out.json]
//            the run without any write: reads, validates, maps and looks the targets up, and prints
//            per record what it would do and every write withheld (dry_run.h); the ledger is an
//            in-memory copy (a missing one is not created); no metrics file
//        refbridge-<workflow> --config refbridge.yaml --check
//            configuration, secrets, ledger, DNS + TLS + authentication against PING and Primero,
//            the Primero form/lookup check; writes nothing (preflight.h)
//        refbridge-<workflow> --config refbridge.yaml --verify [--since 2026-12-01T00:00:00Z]
//            re-reads the destination of every record the ledger says was delivered and lists
//            those missing, duplicated or different; exit 65 when any (verify.h); writes nothing
//        refbridge-<workflow> --version   (program, project version and git commit; refbridge/version.h)
//        refbridge-<workflow> --print-config-reference   (doc/configuration.md, from config_keys.h)
// --metrics-file (or the key metrics_file) writes the Prometheus textfile at the end of every run,
// the run started or not (metrics.h; a failure to write it is logged, the exit status is the run's).
// Secrets come from the environment (config.h), never from arguments; they are registered with the
// logger's redaction before anything is logged. Exit statuses follow sysexits(3): the one table
// is exit_status.h (0 completed, 3 interrupted, 4 run deadline, 64 usage, 69 unavailable,
// 65 --verify found differences, 74 ledger I/O, 75 lease held, 77 authentication refused, 78
// configuration). Every fatal error
// is logged as a structured line too.

#include "config.h"
#include "cancellation.h"
#include "connections.h"
#include "ingestion.h"
#include "run_report.h"
#include "verify.h"

#include "refbridge/ping/client.h"
#include "refbridge/primero/client.h"

#include "refbridge/ledger.h"
#include "refbridge/log.h"
#include "refbridge/primero_requirements.h"
#include "refbridge/profile.h"
#include "refbridge/time.h"

#include <functional>
#include <string_view>
#include <vector>

namespace refbridge::workflows {

/// What a workflow run gets from workflow_main(); nothing owned, valid during the call.
struct WorkflowEnv {
  const WorkflowConfig& config;
  const Profile& profile;
  Connections& connections;
  ping::Ping& ping;        ///< the PING client: over HTTP, or the dry run's (dry_run.h)
  primero::Primero& primero;  ///< the Primero client: over HTTP, or the dry run's
  Ledger& ledger;          ///< the ledger file; --dry-run: an in-memory copy; --verify: read-only
  Logger& log;
  const Clock& clock;
  const Sleeper& sleep;
};

/// The generated checks of the workflow's mapping spec (generated/mappings/<spec>.h), run before
/// any record: the profile has every table and constant (else exit 78), its unconfirmed entries are
/// logged as warnings, and the Primero instance has every field and option value the mapping needs
/// (primero_config_check.h; else exit 78 with the list, nothing written).
struct MappingChecks {
  Result<void> (*check_profile)(const Profile&) = nullptr;
  std::vector<std::string> (*unconfirmed_entries)(const Profile&) = nullptr;
  std::vector<PrimeroRequirement> (*primero_requirements)(const Profile&) = nullptr;
  std::string_view primero_record_type;
};

/// Runs the workflow once. An error means the run could not start; a run that started returns its
/// report (RunReport::abort() when it stopped early).
using WorkflowRun = std::function<Result<RunReport>(WorkflowEnv& env)>;

/// --verify for the workflow (verify.h): the findings, or the error that stopped it.
using WorkflowVerify = std::function<Result<VerifyReport>(WorkflowEnv& env, const VerifyOptions& options)>;

/// What a workflow program is: its main.cc fills this in and calls workflow_main().
struct WorkflowDefinition {
  std::string_view id;     ///< "1.1", "1.2", "2.1" or "2.2"
  std::string_view title;  ///< the --help headline
  MappingChecks mapping;
  WorkflowRun run;
  WorkflowVerify verify;
};

/// The whole program (see the file comment); answers the process's exit status (exit_status.h).
int workflow_main(int argc, char** argv, const WorkflowDefinition& workflow);

}  // namespace refbridge::workflows
