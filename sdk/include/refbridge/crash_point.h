#pragma once
// Fault injection for the crash-safety tests (tests/crash/; issue 5 "kill each workflow with
// SIGKILL at many points ... rerun ... no lost and no duplicate records"). A crash point is a named
// place in the code where a test can make the whole process die at once by SIGKILL, as an OOM kill
// or a power cut of the container would: after each ledger commit (sdk/src/ledger_sqlite.cc) and
// between the steps of a record (a remote write returned, the ledger has not yet recorded it;
// workflows/*).
//
// Environment, read once at the first crash_point() call of the process:
//   REFBRIDGE_CRASH_AT=<n>        n >= 1: the n-th crash_point() hit of the process (all names
//                                 counted together, from every thread) raises SIGKILL. A value that
//                                 is not a positive decimal integer is ignored (nothing is killed).
//   REFBRIDGE_CRASH_TRACE=<file>  every hit appends the line "<n> <name>\n" to <file> (created 0600
//                                 when missing), so that a test learns how many points a run has.
// Both unset (every production run): crash_point() is inert; its cost is one atomic load and a
// branch. Never set them outside tests: a process killed on purpose leaves its records to the next run.

#include <string_view>

namespace refbridge {

namespace detail {
/// True when REFBRIDGE_CRASH_AT or REFBRIDGE_CRASH_TRACE is set (read once, thread-safe).
bool crash_points_armed() noexcept;
/// Counts one hit of `name`, traces it, and raises SIGKILL when it is the chosen one.
void crash_point_hit(std::string_view name) noexcept;
}  // namespace detail

/// A fault-injection point named `name` (ids-free, e.g. "ledger.record", "1.1.case-written"; it
/// only appears in the trace file). Inert unless the environment above arms it.
inline void crash_point(std::string_view name) noexcept {
  if (detail::crash_points_armed()) detail::crash_point_hit(name);
}

}  // namespace refbridge
