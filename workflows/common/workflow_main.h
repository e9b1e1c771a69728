#pragma once
// The one `main` of every workflow program: options, configuration, secrets, profile, connections,
// ledger, one run, the report, the exit status (../shared/docs/workflows.md "Common rules":
// scheduled, one run then exit; exit 0 when every record reached a final state or was scheduled
// for retry, non-zero only when the run itself could not proceed). Each program's main.cc is a
// call to workflow_main() with its run function.
//
// Usage: refbridge-<workflow> --config refbridge.yaml [--report out.json] [--metrics-file PATH]
//        refbridge-<workflow> --version   (program, project version and git commit; refbridge/version.h)
//        refbridge-<workflow> --print-config-reference   (doc/configuration.md, from config_keys.h)
// --metrics-file (or the key metrics_file) writes the Prometheus textfile at the end of every run,
// the run started or not (metrics.h; a failure to write it is logged, the exit status is the run's).
// Secrets come from the environment (config.h), never from arguments; they are registered with the
// logger's redaction before anything is logged. Exit statuses follow sysexits(3): the one table
// is exit_status.h (0 completed, 3 interrupted, 4 run deadline, 64 usage, 69 unavailable,
// 74 ledger I/O, 75 lease held, 77 authentication refused, 78 configuration). Every fatal error
// is logged as a structured line too.

#include "config.h"
#include "cancellation.h"
#include "connections.h"
#include "ingestion.h"
#include "run_report.h"

#include "refbridge/ledger.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"
#include "refbridge/time.h"

#include <functional>
#include <string_view>

namespace refbridge::workflows {

/// What a workflow run gets from workflow_main(); nothing owned, valid during the call.
struct WorkflowEnv {
  const WorkflowConfig& config;
  const Profile& profile;
  Connections& connections;
  Ledger& ledger;
  Logger& log;
  const Clock& clock;
  const Sleeper& sleep;
};

/// Runs the workflow once. An error means the run could not start (e.g. the profile lacks what the
/// mapping needs); a run that started returns its report (RunReport::abort() when it stopped early).
using WorkflowRun = std::function<Result<RunReport>(WorkflowEnv& env)>;

/// The whole program (see the file comment). `id` is "1.1", "1.2", "2.1" or "2.2".
int workflow_main(int argc, char** argv, std::string_view id, std::string_view title, const WorkflowRun& run);

}  // namespace refbridge::workflows
