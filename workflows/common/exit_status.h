#pragma once
// Exit statuses of every refbridge program, following sysexits(3). This is the one table; the
// README's "Exit statuses" section repeats it. Source: the "No duplicate, ever" issue.
//
//   status  name             when
//   0       EX_OK            the run completed: every record reached a final state or was left for retry
//   3       (interrupted)    SIGINT/SIGTERM stopped the run (cancellation.h)
//   4       (run deadline)   run_timeout_seconds stopped the run (cancellation.h)
//   64      EX_USAGE         bad command line (unknown option, missing --config)
//   65      EX_DATAERR       --verify: a delivered record is missing, duplicated or different in the
//                            destination (verify.h); every one is listed
//   69      EX_UNAVAILABLE   a remote system is unavailable: listing failed, or the breaker saw
//                            sync.breaker_threshold consecutive transport failures to one system
//   70      EX_SOFTWARE      an internal error (a bug in refbridge)
//   74      EX_IOERR         the ledger or the report file could not be read or written
//   75      EX_TEMPFAIL      another run of the same workflow holds the run lease; nothing was done
//   77      EX_NOPERM        authentication or authorization refused (after the allowed re-login)
//   78      EX_CONFIG        configuration error: bad or unknown key, missing secret, profile check failed,
//                            the Primero instance lacks a field or option value (primero_config_check.h)
// Codes 3 and 4 predate this table and keep their meaning (schedulers already alert on them).

#include "refbridge/error.h"

namespace refbridge::workflows {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInterrupted = 3;
inline constexpr int kExitRunTimeout = 4;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitDataMismatch = 65;  // EX_DATAERR: --verify found records missing, duplicated or different
inline constexpr int kExitUnavailable = 69;
inline constexpr int kExitSoftware = 70;
inline constexpr int kExitIoError = 74;
inline constexpr int kExitLeaseHeld = 75;
inline constexpr int kExitNoPermission = 77;
inline constexpr int kExitConfig = 78;

/// The exit status for a run that could not start or go on because of `e` (see the table):
/// kLocked 75; kUnauthorized/kForbidden 77; kConfig/kInvalidInput 78; kIo 74; kInternal 70;
/// every remote failure (transport, timeout, HTTP, unreadable answer) 69.
[[nodiscard]] int exit_status_for_error(const Error& e) noexcept;

}  // namespace refbridge::workflows
