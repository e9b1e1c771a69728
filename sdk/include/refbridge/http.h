#pragma once
// HTTP transport: one interface, one libcurl implementation (CurlTransport).
// A non-2xx answer is data here (HttpResponse), not an error: ApiConnection turns statuses into
// Errors in one place. Only transport failures (DNS, refused, reset, TLS, timeout) are Errors.
// Source: ../shared/docs/cpp-sdk-style-anchors.md §3 practices 5 and 6.

#include "refbridge/error.h"
#include "refbridge/version.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace refbridge {

enum class HttpMethod { kGet, kPost, kPut, kPatch, kDelete };

/// "GET", "POST", ...
std::string_view to_string(HttpMethod m) noexcept;

/// One header; names are compared case-insensitively by readers.
using HttpHeader = std::pair<std::string, std::string>;

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;  ///< absolute URL, already encoded (build it with refbridge::UrlBuilder)
  std::vector<HttpHeader> headers;
  std::optional<std::string> body;  ///< JSON text when present (Content-Type set by the caller)
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  /// First header with this name (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

/// Transport options. Units: milliseconds. TLS verification is on unless explicitly turned off.
struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};  ///< TCP + TLS connect
  std::chrono::milliseconds total_timeout{60'000};    ///< whole request, including body transfer
  bool verify_tls = true;                             ///< peer and host verification
  std::string ca_bundle;                              ///< PEM file; empty = system store
  std::string client_certificate;                     ///< PEM file for mTLS; empty = none
  std::string client_key;                             ///< PEM file for mTLS; empty = none
  std::size_t max_response_bytes = 64u << 20;         ///< larger bodies fail with kInvalidResponse
  std::string user_agent = refbridge::user_agent();  ///< "refbridge/<version> (commit <git>)" (refbridge/version.h)
};

/// Sends one request and returns the answer, whatever its status.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Implementations must allow concurrent calls (the workflows send from several workers).
  /// Errors: kTransport (connect/reset/TLS), kTimeout, kInvalidResponse (body over the size limit).
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

/// libcurl implementation. Thread-safe: concurrent send() calls each borrow an easy handle from
/// the instance's pool (created on demand, so at most one per concurrent caller) and return it
/// afterwards, so connections are reused across calls and across threads.
std::unique_ptr<HttpTransport> make_curl_transport(HttpOptions options);

}  // namespace refbridge
