#pragma once
// Metrics for alerting (issue 12): at the end of every run a workflow program writes, when
// `--metrics-file PATH` or the configuration key `metrics_file` names a file, the Prometheus text
// exposition format (version 0.0.4) for the node_exporter textfile collector, atomically (a
// temporary file beside it, then rename(2): the collector never reads half a file). `{workflow}`
// in the path is replaced by the workflow id, so four programs sharing one configuration write
// four files (the collector reads every *.prom file of its directory).
// Families (gauges unless said otherwise; labels never carry ids or personal data):
//   refbridge_build_info{workflow,version,commit}                     1
//   refbridge_run_records{workflow,state}                             this run's records per final state
//   refbridge_run_duration_seconds{workflow}                          this run's duration
//   refbridge_run_exit_status{workflow}                               the process's exit status (exit_status.h)
//   refbridge_last_run_timestamp_seconds{workflow,outcome}            end of this run (Unix time); outcome from
//                                                                     the exit status: completed, interrupted, ...
//   refbridge_last_success_timestamp_seconds{workflow}                end of the last completed run: set by a
//                                                                     completed run, carried over from the previous
//                                                                     file by the others (absent until one completed)
//   refbridge_ledger_records{workflow,state}                          the ledger's rows per state (Ledger::count_by_state),
//                                                                     failed = awaiting a retry
//   refbridge_http_requests_total{workflow,system,status_class}       counter, this run's requests (reset every run);
//                                                                     system ping | primero, status_class 2xx..5xx | error
//   refbridge_http_request_duration_seconds{workflow,system}          histogram of this run's request latency

#include "run_report.h"

#include "refbridge/error.h"

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge::workflows {

/// Requests per (system, status class) and latency per system, for one run. Thread-safe (the
/// counting transport of connections.cc calls observe() from every worker).
class RequestMetrics {
 public:
  /// Upper bounds of the latency histogram's buckets, seconds (+Inf is implied).
  static constexpr std::array<double, 10> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  struct Latency {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  ///< non-cumulative counts per bucket
    std::uint64_t count = 0;                               ///< every request, +Inf included
    double sum_seconds = 0;
  };

  /// Counts one request to `system` ("ping", "primero"): `status` is the HTTP status, 0 when no
  /// answer came (transport error, timeout); `latency` how long send() took.
  void observe(std::string_view system, int status, std::chrono::duration<double> latency);

  /// "2xx", "3xx", "4xx", "5xx", "1xx", or "error" (status 0 or outside 100..599).
  static std::string_view status_class(int status) noexcept;

  /// (system, status class) -> requests, sorted.
  [[nodiscard]] std::map<std::pair<std::string, std::string>, std::uint64_t> requests() const;
  /// system -> latency, sorted.
  [[nodiscard]] std::map<std::string, Latency> latency() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests_;
  std::map<std::string, Latency> latency_;
};

/// What one metrics file says about one run.
struct RunMetrics {
  std::string workflow;                 ///< "1.1" ...
  int exit_status = 0;                  ///< the process's exit status (exit_status.h)
  const RunReport* report = nullptr;    ///< the run's report; nullptr when the run did not start (zero counts)
  std::chrono::duration<double> duration{0};  ///< the run's duration (the report's when it has one)
  std::chrono::system_clock::time_point finished_at;  ///< the run's end
  std::optional<std::map<std::string, std::int64_t>> ledger_counts;  ///< Ledger::count_by_state, when the ledger opened
  const RequestMetrics* requests = nullptr;  ///< nullptr when no connection was made
};

/// The outcome label of an exit status: 0 completed, 3 interrupted, 4 run_timeout, 64 usage,
/// 69 unavailable, 70 software, 74 io_error, 75 lease_held, 77 no_permission, 78 config, else "exit_<n>".
std::string outcome_for_exit_status(int status);

/// The exposition text of `run`; `last_success` (Unix seconds) is written when set.
std::string prometheus_text(const RunMetrics& run, std::optional<double> last_success);

/// `path_template` with every "{workflow}" replaced by `workflow`.
std::string metrics_path_for(std::string path_template, std::string_view workflow);

/// Writes prometheus_text(run, ...) to `path` atomically (`<path>.tmp.<pid>`, fsync, rename),
/// mode 0644. last_success: the run's end when it completed (exit 0), else the value of
/// refbridge_last_success_timestamp_seconds for this workflow in the file `path` holds already.
/// Errors: kIo naming the file and the system's reason (the directory must exist).
Result<void> write_metrics_file(const std::string& path, const RunMetrics& run);

}  // namespace refbridge::workflows
