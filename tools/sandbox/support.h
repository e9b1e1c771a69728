#pragma once
// Small helpers shared by the sandbox servers: JSON text, ids, time stamps, percent-decoding,
// base64url page tokens and the HTTP answer value the stores return. Internal to the sandbox.

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace refbridge::sandbox::detail {

using Alloc = rapidjson::Document::AllocatorType;
using Millis = std::chrono::sys_time<std::chrono::milliseconds>;

/// An HTTP answer produced by a store; the server copies it onto the wire unchanged.
struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// An HTTP request as the stores see it (built by the server glue from httplib's request).
struct ApiRequest {
  std::string method;    ///< "GET", "POST", ...
  std::string raw_path;  ///< the encoded path, without the query string
  std::multimap<std::string, std::string> params;  ///< decoded query parameters
  std::string authorization;  ///< the Authorization header, or empty
  std::string cookie;         ///< the Cookie header, or empty (Primero 2.11+ sessions, §2.4)
  std::string csrf_token;     ///< the X-CSRF-Token header, or empty (§2.4)
  std::string body;
  std::string remote_addr;
};

/// Compact (or indented) JSON text of a value.
std::string to_json(const rapidjson::Value& v, bool pretty = false);

/// A string value holding a copy of `s`.
rapidjson::Value str_value(std::string_view s, Alloc& a);
/// Sets (adds or replaces) member `key` of object `obj`.
void set_member(rapidjson::Value& obj, std::string_view key, rapidjson::Value value, Alloc& a);
/// Member `key` of `obj` when `obj` is an object holding it, else nullptr.
const rapidjson::Value* find_member(const rapidjson::Value& obj, std::string_view key);
rapidjson::Value* find_member(rapidjson::Value& obj, std::string_view key);
/// The string member `key`, when present and a string.
std::optional<std::string> string_member(const rapidjson::Value& obj, std::string_view key);

/// Parses JSON text; on failure returns "offset <n>: <reason>".
std::optional<std::string> parse_json(std::string_view text, rapidjson::Document& doc);

/// A random (version 4) lower-case UUID.
std::string random_uuid();
/// A deterministic (name-based, SHA-1, version 5) lower-case UUID for `name`.
std::string name_uuid(std::string_view name);
/// True for a lower-case canonical UUID (Primero's unique_id regex).
bool is_lower_uuid(std::string_view s);

/// Current UTC time at millisecond precision.
Millis now_ms();
/// "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string format_utc_ms(Millis t);
/// "YYYY-MM-DD" (UTC date of `t`).
std::string format_date(Millis t);
/// Parses "YYYY-MM-DD" (exactly) into a valid calendar date; returns the year when valid.
std::optional<int> parse_calendar_date(std::string_view s);
/// Parses an ISO-8601 date-time "YYYY-MM-DDTHH:MM:SS[.f+][Z|±HH:MM]" (no zone = UTC),
/// or a bare "YYYY-MM-DD" (midnight UTC) when `allow_date` is true.
std::optional<Millis> parse_date_time(std::string_view s, bool allow_date = false);

/// Decodes %XX escapes ("+" is kept); invalid escapes are kept as they are.
std::string percent_decode(std::string_view s);
/// Splits an encoded path ("/v1/a%2Fb/c") into decoded segments {"v1","a/b","c"}.
std::vector<std::string> split_path(std::string_view encoded_path);

/// base64url without padding, and its inverse (nullopt on bad input).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
/// Standard base64 (RFC 4648 §4, '=' padding allowed) decoding, e.g. of HTTP Basic credentials.
std::optional<std::string> base64_decode(std::string_view text);

/// Constant-time comparison of secrets.
bool secure_equals(std::string_view a, std::string_view b);

}  // namespace refbridge::sandbox::detail
