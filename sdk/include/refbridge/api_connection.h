#pragma once
// The seam between generated clients and the network: base URL + transport + authenticator +
// the API's error envelope. Generated client stubs build a URL with url(), call execute(), and
// parse the body per status. Only here does an HTTP status become an Error.
// Error envelopes decoded: Primero {"errors":[{status,resource,detail,message}]} and Devise
// {"error":"..."} (primero-api-v2.md §3, §2.6); PING RFC 7807 problem {type,title,status,detail}
// (ping-api.md "Errors").

#include "refbridge/auth.h"
#include "refbridge/error.h"
#include "refbridge/http.h"
#include "refbridge/url.h"

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

class ApiConnection {
 public:
  /// `transport` and `auth` are not owned and must outlive the connection.
  /// Errors: kConfig when base_url is not an absolute http(s) URL.
  static Result<ApiConnection> create(std::string_view base_url, HttpTransport& transport, Authenticator& auth);

  /// A builder positioned at the base URL.
  [[nodiscard]] UrlBuilder url() const { return base_; }

  /// Sends the request with credentials and "Accept: application/json" (and "Content-Type:
  /// application/json" when `body` is set). After a 401 the authenticator is invalidated and the
  /// request sent once more when it can log in again. Returns the response for 2xx statuses.
  /// Errors: transport errors; for non-2xx an Error with error_code_for_status(), http_status,
  /// retry_after_seconds and summarize_error_body() as message.
  Result<HttpResponse> execute(HttpMethod method, const std::string& url, std::optional<std::string> body = std::nullopt,
                               const std::vector<HttpHeader>& extra_headers = {});

 private:
  ApiConnection(UrlBuilder base, HttpTransport& transport, Authenticator& auth)
      : base_(std::move(base)), transport_(&transport), auth_(&auth) {}
  UrlBuilder base_;
  HttpTransport* transport_;
  Authenticator* auth_;
};

/// Parses a 2xx body as T; a body that does not follow the schema gives kInvalidResponse with
/// the JSON path and the operation name (`what`).
template <class T>
Result<T> parse_response(const HttpResponse& response, std::string_view what);

}  // namespace refbridge

#include "refbridge/json.h"

template <class T>
refbridge::Result<T> refbridge::parse_response(const HttpResponse& response, std::string_view what) {
  auto parsed = json::parse<T>(response.body);
  if (!parsed) {
    return make_error(ErrorCode::kInvalidResponse,
                      std::string(what) + ": response does not follow the schema: " + parsed.error().message,
                      response.status);
  }
  return parsed;
}
