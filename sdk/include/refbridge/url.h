#pragma once
// URL construction with Boost.URL: every path segment and query value is percent-encoded, so an
// id containing '&', '#', '/', '%', spaces or non-ASCII text can never change the request's shape.

#include "refbridge/error.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace refbridge {

/// Builds "<base>/<seg>/<seg>?k=v&k=v". `base` may carry its own path prefix
/// ("https://host/primero"); segments are appended to it, each encoded as one segment.
class UrlBuilder {
 public:
  /// Errors: kConfig when `base` is not an absolute http(s) URL.
  static Result<UrlBuilder> from_base(std::string_view base);

  /// Appends literal path text that may contain '/', e.g. "api/v2/cases" (each part encoded).
  UrlBuilder& path(std::string_view literal_path);
  /// Appends one encoded segment (a '/' inside `value` becomes %2F).
  UrlBuilder& segment(std::string_view value);
  /// Adds one query parameter; key and value are encoded.
  UrlBuilder& query(std::string_view key, std::string_view value);

  [[nodiscard]] std::string str() const;
  /// The base URL's "host[:port]" as written (no user info, path or scheme), e.g.
  /// "primero.example.org" or "127.0.0.1:8080": what error messages name as the host.
  [[nodiscard]] const std::string& host() const { return host_; }

 private:
  std::string base_;
  std::string host_;
  std::vector<std::string> segments_;
  std::vector<std::pair<std::string, std::string>> query_;
};

}  // namespace refbridge
