// URL building with Boost.URL. See refbridge/url.h.
#include "refbridge/url.h"

#include <boost/url.hpp>

namespace refbridge {

Result<UrlBuilder> UrlBuilder::from_base(std::string_view base) {
  auto parsed = boost::urls::parse_absolute_uri(base);
  if (!parsed) return make_error(ErrorCode::kConfig, "base URL is not an absolute URI: " + parsed.error().message());
  if (parsed->scheme_id() != boost::urls::scheme::http && parsed->scheme_id() != boost::urls::scheme::https) {
    return make_error(ErrorCode::kConfig, "base URL must use http or https");
  }
  if (parsed->has_query() || parsed->has_fragment()) {
    return make_error(ErrorCode::kConfig, "base URL must not carry a query or fragment");
  }
  UrlBuilder b;
  b.base_ = std::string(base);
  b.host_ = std::string(parsed->encoded_host_and_port());
  while (!b.base_.empty() && b.base_.back() == '/') b.base_.pop_back();
  return b;
}

UrlBuilder& UrlBuilder::path(std::string_view literal_path) {
  std::size_t start = 0;
  while (start <= literal_path.size()) {
    auto end = literal_path.find('/', start);
    if (end == std::string_view::npos) end = literal_path.size();
    if (end > start) segments_.emplace_back(literal_path.substr(start, end - start));
    start = end + 1;
  }
  return *this;
}

UrlBuilder& UrlBuilder::segment(std::string_view value) {
  segments_.emplace_back(value);
  return *this;
}

UrlBuilder& UrlBuilder::query(std::string_view key, std::string_view value) {
  query_.emplace_back(std::string(key), std::string(value));
  return *this;
}

std::string UrlBuilder::str() const {
  boost::urls::url u(base_);
  auto segs = u.segments();  // decoded view: push_back encodes each segment, '/' included
  for (const auto& s : segments_) segs.push_back(s);
  // Query keys and values: everything but RFC 3986 unreserved characters is percent-encoded
  // ('&', '=', '#', '+', '%', spaces, non-ASCII), so no value can add a parameter or end the query,
  // and '+' in a time-zone offset is not read as a space by form decoders.
  std::string query;
  for (const auto& [k, v] : query_) {
    if (!query.empty()) query += '&';
    query += boost::urls::encode(k, boost::urls::unreserved_chars);
    query += '=';
    query += boost::urls::encode(v, boost::urls::unreserved_chars);
  }
  if (!query_.empty()) u.set_encoded_query(query);
  return std::string(u.buffer());
}

}  // namespace refbridge
