// Retry and run-limit configuration. See config_retry.h.
#include "config_retry.h"

namespace refbridge::workflows {
namespace {

/// `node[key]` as an integer within [lo, hi] (named `prefix + key` in errors), or `fallback`.
Result<long> bounded(const YAML::Node& node, const std::string& prefix, const std::string& key, long fallback, long lo,
                     long hi) {
  long v = fallback;
  if (node && node.IsMap() && node[key]) {
    try {
      v = node[key].as<long>();
    } catch (const YAML::Exception&) {
      return make_error(ErrorCode::kConfig, "configuration: '" + prefix + key + "' must be an integer (line " +
                                                std::to_string(node[key].Mark().line + 1) + ")");
    }
  }
  if (v < lo || v > hi) {
    return make_error(ErrorCode::kConfig, "configuration: '" + prefix + key + "' must be between " +
                                              std::to_string(lo) + " and " + std::to_string(hi));
  }
  return v;
}

}  // namespace

Result<void> load_run_limits(const YAML::Node& root, WorkflowConfig& c) {
  using std::chrono::milliseconds;
  constexpr long kHourMs = 3'600'000;
  const YAML::Node r = root["retry"];
  if (r && !r.IsMap()) return make_error(ErrorCode::kConfig, "configuration: 'retry' must be a mapping");
  RetryPolicy& p = c.retry;
  REFBRIDGE_TRY(auto attempts, bounded(r, "retry.", "max_attempts", p.max_attempts, 1, 20));
  REFBRIDGE_TRY(auto elapsed, bounded(r, "retry.", "max_elapsed_ms", p.max_elapsed.count(), 0, kHourMs));
  REFBRIDGE_TRY(auto initial, bounded(r, "retry.", "initial_backoff_ms", p.initial_backoff.count(), 0, kHourMs));
  REFBRIDGE_TRY(auto cap, bounded(r, "retry.", "max_backoff_ms", p.max_backoff.count(), 0, kHourMs));
  REFBRIDGE_TRY(auto retry_after, bounded(r, "retry.", "max_retry_after_ms", p.max_retry_after.count(), 0, kHourMs));
  p.max_attempts = static_cast<int>(attempts);
  p.max_elapsed = milliseconds(elapsed);
  p.initial_backoff = milliseconds(initial);
  p.max_backoff = milliseconds(cap);
  p.max_retry_after = milliseconds(retry_after);

  constexpr long kWeek = 7 * 86'400;
  REFBRIDGE_TRY(auto run_timeout, bounded(root, "", "run_timeout_seconds", c.run_timeout.count(), 0, kWeek));
  REFBRIDGE_TRY(auto grace, bounded(root, "", "shutdown_grace_seconds", c.shutdown_grace.count(), 0, 3600));
  c.run_timeout = std::chrono::seconds(run_timeout);
  c.shutdown_grace = std::chrono::seconds(grace);
  return ok();
}

}  // namespace refbridge::workflows
