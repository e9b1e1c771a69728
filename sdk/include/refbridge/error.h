#pragma once
// Error values for the whole SDK: every fallible public function returns Result<T>.
// Rule source: DEVELOPERS guide "Quality bar" (errors are values, no exceptions across the
// public API) and ../shared/docs/cpp-sdk-style-anchors.md §3 practice 5.

#include <boost/outcome/result.hpp>
#include <boost/outcome/try.hpp>

#include <string>
#include <string_view>

namespace refbridge {

/// What went wrong, coarse enough for a caller to decide what to do next.
/// classify() tells whether the same call may succeed later, never will, or whether the whole run
/// cannot go on.
enum class ErrorCode {
  kTransport,        ///< connection refused/reset, DNS, TLS failure (retryable)
  kTimeout,          ///< connect or total timeout elapsed (retryable)
  kHttp,             ///< any other non-2xx answer; see Error::http_status
  kUnauthorized,     ///< 401: credentials missing, wrong or expired
  kForbidden,        ///< 403: authenticated but not permitted
  kNotFound,         ///< 404
  kConflict,         ///< 409
  kUnprocessable,    ///< 422: the server rejected the body (validation)
  kRateLimited,      ///< 429 (retryable, honour Retry-After)
  kServerError,      ///< 5xx (retryable)
  kInvalidResponse,  ///< the server answered 2xx with a body that does not follow the schema
  kInvalidInput,     ///< input (JSON, YAML, configuration value) is malformed or violates a schema
  kRejected,         ///< a business rule refused the record (not retryable; the reason says which rule)
  kConfig,           ///< configuration missing or inconsistent
  kIo,               ///< file system error
  kInternal,         ///< a bug in refbridge
  kLocked,           ///< another run holds the workflow's run lease (refbridge/ledger.h RunLease); the message names the holder
};

/// Stable lower-case name of a code ("transport", "unprocessable", ...), used in logs and reports.
std::string_view to_string(ErrorCode code) noexcept;

/// An error a person can act on. `message` never contains personal data or secrets:
/// it names ids, field names, codes and HTTP statuses only.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  int http_status = 0;  ///< the HTTP status when the error came from an HTTP answer, else 0
  int retry_after_seconds = -1;  ///< Retry-After header in seconds when the server sent one, else -1
  std::string rule;  ///< for kRejected: the business rule's id (e.g. "accepted-type-gate"), else empty
  bool not_sent = false;  ///< kTransport only: the request certainly never reached the server (DNS failure,
                          ///< connection refused), so even a non-idempotent call may be sent again (refbridge/retry.h)

  std::string system;  ///< the remote system the error came from ("PING", "Primero"), empty when local
  /// "<code>: <message>" (plus " (HTTP <status>)" when set), for logs and reports.
  [[nodiscard]] std::string describe() const;
};

/// The one classification of errors, used by the in-call retry (refbridge/retry.h) and by the
/// between-run retry of records (workflows/common/record_life.h). Source: the "No duplicate,
/// ever" issue (error classes) and ../shared/docs/workflows.md "Common rules".
enum class ErrorClass {
  kTransient,  ///< may succeed later: transport, timeout, HTTP 408/429/500/502/503/504, unreadable answer, local I/O
  kPermanent,  ///< will not succeed as it is: business rule, 400, 404, 409, 413, 422, other 4xx, 501, 505, bad input
  kRunLevel,   ///< nothing in this run can succeed: 401/403 (after the allowed re-login), configuration, lease held
};

/// Stable lower-case name: "transient", "permanent", "run-level".
std::string_view to_string(ErrorClass c) noexcept;

/// The class of `e` (see ErrorClass). Codes first, then the HTTP status for kHttp/kServerError.
[[nodiscard]] ErrorClass classify(const Error& e) noexcept;

/// True when `e` says the remote system did not answer for this request: transport failure,
/// timeout, or a gateway's 502/503/504. Such failures are not the record's fault: they count no
/// attempt and feed the run's breaker (workflows/common/breaker.h).
[[nodiscard]] bool is_unavailable(const Error& e) noexcept;

/// Builds an Error; a short-hand used throughout the SDK and generated code.
[[nodiscard]] Error make_error(ErrorCode code, std::string message, int http_status = 0);

/// A business-rule rejection: kRejected with the rule id and a reason a person can act on.
[[nodiscard]] Error make_rejection(std::string rule, std::string reason);

/// Result<T>: a T or an Error. Accessing the wrong alternative terminates (never UB).
template <class T>
using Result = boost::outcome_v2::basic_result<T, Error, boost::outcome_v2::policy::terminate>;

/// Result<void> success value: `return refbridge::ok();`
inline auto ok() { return boost::outcome_v2::success(); }

}  // namespace refbridge

/// Propagates an error: `REFBRIDGE_TRY(auto x, f());` or `REFBRIDGE_TRY(f());`
#define REFBRIDGE_TRY BOOST_OUTCOME_TRY
