#pragma once
// HTTP helpers shared by the PING stores of the sandbox (interventions, incoming referrals,
// ingestion): RFC 7807 problems, JSON answers, query parameters, the keyset paging of listings,
// status PATCH bodies and fixture files. Internal to the sandbox; see sandbox.h for the contract.

#include "support.h"

#include <rapidjson/document.h>

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace refbridge::sandbox::detail {

/// An RFC 7807 problem answer (`application/problem+json`: type, title, status, detail, instance).
ApiResponse problem(int status, std::string_view detail, std::string_view instance);
/// A JSON answer with `status` and the compact text of `v`.
ApiResponse json_answer(int status, const rapidjson::Value& v);
/// The decoded query parameter `name`, when given.
std::optional<std::string> query_param(const ApiRequest& request, const std::string& name);
/// True when `header` is "Bearer <token>" (scheme case-insensitive; constant-time comparison).
bool bearer_matches(std::string_view header, std::string_view token);

/// The sort key of a keyset-paged listing: (ordering value, record id). Listings walk a
/// std::set of keys, so the order is stable and a page token names the last key served.
using PageKey = std::pair<std::string, std::string>;

/// pageSize and pageToken of one listing request.
struct PageQuery {
  int page_size = 50;             ///< 1..1000
  std::optional<PageKey> after;   ///< the last key of the previous page
};

/// Parses `pageSize` (an integer 1..1000, default 50) and `pageToken` (opaque: base64url of
/// `token_kind` + the last key; a token of another kind or listing is refused).
/// Returns the problem answer (400) instead when either is invalid.
std::variant<PageQuery, ApiResponse> parse_page_query(const ApiRequest& request, std::string_view token_kind);

/// Answers one page `{"items":[...], "nextPageToken"?}` of the keys of `order` after
/// `query.after` for which `include` holds, each rendered by `render`. nextPageToken is present
/// only when a further included key exists. The caller holds the lock guarding `order`.
ApiResponse keyset_page(const std::set<PageKey>& order, const PageQuery& query, std::string_view token_kind,
                        const std::function<bool(const PageKey&)>& include,
                        const std::function<rapidjson::Value(const PageKey&, Alloc&)>& render);

/// A parsed status PATCH body: the status value and the optional string members that were given.
struct StatusPatch {
  std::string status;
  std::map<std::string, std::string, std::less<>> strings;  ///< member name -> value (null/absent: missing)
};

/// Parses a status PATCH body `{<status_key>: string, <optional string members>...}`.
/// 400 problem: not JSON, not an object, status missing or not a string, an optional member of
/// another type than string or null. 422 problem: a status not in `allowed`.
std::variant<StatusPatch, ApiResponse> parse_status_patch(const ApiRequest& request, std::string_view status_key,
                                                          std::initializer_list<std::string_view> allowed,
                                                          std::initializer_list<std::string_view> optional_strings);

/// Reads and parses the JSON file `dir/name` into `doc`. On failure returns the notice
/// "<name>: <reason>, skipped" (missing, unreadable or not JSON, with the parse offset).
std::optional<std::string> read_json_file(const std::filesystem::path& dir, const std::string& name, rapidjson::Document& doc);

}  // namespace refbridge::sandbox::detail
