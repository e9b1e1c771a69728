#pragma once
// Internal to the SDK: small helpers shared by the authenticators (auth.cc, oauth2.cc).

#include "refbridge/http.h"

#include <boost/url.hpp>

#include <charconv>
#include <string>
#include <string_view>

namespace refbridge::detail {

/// Seconds to wait after a throttled login when the server sends no usable Retry-After: Primero
/// throttles logins per minute (primero-api-v2.md §2.6), and OAuth2 servers behind an API gateway
/// commonly do the same.
inline constexpr int kDefaultLoginWaitSeconds = 60;

/// Sets (replaces or adds) one header.
inline void set_header(HttpRequest& request, std::string name, std::string value) {
  for (auto& header : request.headers) {
    if (header.first == name) {
      header.second = std::move(value);
      return;
    }
  }
  request.headers.emplace_back(std::move(name), std::move(value));
}

/// The Retry-After header in seconds (the delta-seconds form, RFC 9110 §10.2.3), or `fallback`
/// when it is absent, an HTTP-date, or not a non-negative integer.
inline int retry_after_seconds(const HttpResponse& response, int fallback) {
  const auto value = response.header("Retry-After");
  if (!value) return fallback;
  int seconds = -1;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec != std::errc() || end != value->data() + value->size() || seconds < 0) return fallback;
  return seconds;
}

/// `text` percent-encoded for an application/x-www-form-urlencoded body (every character but the
/// RFC 3986 unreserved ones is encoded; RFC 6749 Appendix B).
inline std::string form_encode(std::string_view text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

}  // namespace refbridge::detail
