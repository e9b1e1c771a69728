#pragma once
// The seam between generated clients and the network: base URL + transport + authenticator +
// the API's error envelope. Generated client stubs build a URL with url(), call execute(), and
// parse the body per status. Only here does an HTTP status become an Error.
// Error envelopes decoded: Primero {"errors":[{status,resource,detail,message}]} and Devise
// {"error":"..."} (primero-api-v2.md §3, §2.6); PING RFC 7807 problem {type,title,status,detail}
// (ping-api.md "Errors").

#include "refbridge/auth.h"
#include "refbridge/cancel.h"
#include "refbridge/error.h"
#include "refbridge/http.h"
#include "refbridge/log.h"
#include "refbridge/retry.h"
#include "refbridge/time.h"
#include "refbridge/url.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace refbridge {

/// The value of a successful operation whose response has no body (e.g. 204).
struct NoContent {};

/// Maps a non-2xx status to an ErrorCode (401 kUnauthorized, 403 kForbidden, 404 kNotFound,
/// 409 kConflict, 422 kUnprocessable, 429 kRateLimited, 5xx kServerError, other kHttp).
ErrorCode error_code_for_status(int status) noexcept;

/// Summarises an error body of either envelope into a short message (at most 300 characters);
/// an unknown body gives "HTTP <status>".
std::string summarize_error_body(const HttpResponse& response);

/// How an ApiConnection retries transient failures within one call (refbridge/retry.h). Nothing
/// owned; what is set must outlive the connection.
struct RetrySettings {
  RetryPolicy policy;                         ///< default: 4 attempts within 60 s (RetryPolicy::no_retry() for one)
  const Clock* clock = nullptr;               ///< measures max_elapsed and reads HTTP-date Retry-After; null: system clock
  RetrySleeper sleep;                         ///< waits between attempts; empty: interruptible_sleeper(cancel)
  const CancellationToken* cancel = nullptr;  ///< once cancelled, waits end early and no further attempt starts
  Logger* log = nullptr;                      ///< each retry is logged as "http.retry" (warn); null: not logged
};

/// What the generated client knows about the operation it calls.
struct CallInfo {
  std::string_view operation;              ///< operationId, for logs ("getIntervention"); empty: the HTTP method
  std::optional<Idempotency> idempotency;  ///< the schema's decision; unset: default_idempotency(method)
};

class ApiConnection {
 public:
  /// `transport` and `auth` are not owned and must outlive the connection.
  /// Errors: kConfig when base_url is not an absolute http(s) URL.
  static Result<ApiConnection> create(std::string_view base_url, HttpTransport& transport, Authenticator& auth,
                                      RetrySettings retry = {});

  /// A builder positioned at the base URL.
  [[nodiscard]] UrlBuilder url() const { return base_; }

  /// Sends the request with credentials and "Accept: application/json" (and "Content-Type:
  /// application/json" when `body` is set). After a 401 the authenticator is invalidated and the
  /// request sent once more when it can log in again (not counted as a retry). A transient
  /// failure is retried per the connection's RetrySettings when `call.idempotency` allows it
  /// (retry_loop(); each retry logged with the operation, attempt, status and wait in ms, never
  /// the URL or a body). Returns the response for 2xx statuses. Thread-safe when the transport
  /// and the authenticator are.
  /// Errors: transport errors; for non-2xx an Error with error_code_for_status(), http_status,
  /// retry_after_seconds (Retry-After as seconds or HTTP-date, rounded up) and
  /// summarize_error_body() as message; " (after N attempts)" appended when retried. Every error's
  /// message starts with where it happened, "<system> <operation> on <host>: " (system as set by
  /// set_system(), operation = call.operation or the HTTP method, host = the base URL's host[:port]),
  /// e.g. "Primero listCases on primero.example.org: GET failed: Couldn't connect to server".
  Result<HttpResponse> execute(HttpMethod method, const std::string& url, std::optional<std::string> body = std::nullopt,
                               const std::vector<HttpHeader>& extra_headers = {}, const CallInfo& call = {});

  /// Names the remote system ("PING", "Primero") in every Error this connection returns
  /// (Error::system), so a caller can tell which system failed (the run breaker counts per system).
  void set_system(std::string system) { system_ = std::move(system); }
  [[nodiscard]] const std::string& system() const { return system_; }

 private:
  ApiConnection(UrlBuilder base, HttpTransport& transport, Authenticator& auth, RetrySettings retry);
  /// One attempt (plus the re-login after a 401).
  Result<HttpResponse> send_once(HttpRequest& request, HttpMethod method);

  UrlBuilder base_;
  HttpTransport* transport_;
  Authenticator* auth_;
  RetrySettings retry_;
  std::string system_;
  std::shared_ptr<std::atomic<std::uint64_t>> calls_ = std::make_shared<std::atomic<std::uint64_t>>(0);  // jitter seeds
};

/// Parses a 2xx body as T; a body that does not follow the schema gives kInvalidResponse with
/// the JSON path and the operation name (`what`). A string that is not well-formed UTF-8
/// (json::parse_document()) is the record's fault, not the server's: that kRejected error (rule
/// "invalid-utf8", "<JSON path>: invalid UTF-8 (...)", http_status 0) is returned unchanged, so
/// a workflow rejects the record instead of retrying it ("No duplicate, ever" issue).
template <class T>
Result<T> parse_response(const HttpResponse& response, std::string_view what);

}  // namespace refbridge

#include "refbridge/json.h"

template <class T>
refbridge::Result<T> refbridge::parse_response(const HttpResponse& response, std::string_view what) {
  auto parsed = json::parse<T>(response.body);
  if (!parsed) {
    if (parsed.error().code == ErrorCode::kRejected) return parsed.error();
    return make_error(ErrorCode::kInvalidResponse,
                      std::string(what) + ": response does not follow the schema: " + parsed.error().message,
                      response.status);
  }
  return parsed;
}
