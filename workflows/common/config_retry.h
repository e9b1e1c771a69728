#pragma once
// The configuration keys of in-call retries and run limits (documented in config.h):
//   retry: {max_attempts, max_elapsed_ms, initial_backoff_ms, max_backoff_ms, max_retry_after_ms}
//   run_timeout_seconds, shutdown_grace_seconds
// Units are in the key names (milliseconds or seconds). Source: the Transport issue; RetryPolicy
// in sdk/include/refbridge/retry.h.

#include "config.h"

#include <yaml-cpp/yaml.h>

namespace refbridge::workflows {

/// Reads `retry:`, `run_timeout_seconds` and `shutdown_grace_seconds` from the file's top level
/// into `c` (absent keys keep the defaults). Errors: kConfig naming the key and its allowed range,
/// or a wrong type with its line.
Result<void> load_run_limits(const YAML::Node& root, WorkflowConfig& c);

}  // namespace refbridge::workflows
