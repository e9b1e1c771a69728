#pragma once
// Legal C++ names from schema names. Rules (ARCHITECTURE.md "Generated models"):
//  - characters outside [A-Za-z0-9_] become '_'        ("individuals.progres_id" -> "individuals_progres_id")
//  - a leading digit gets a '_' prefix                 ("2fa" -> "_2fa")
//  - C++20 keywords, alternative tokens and common macro names (major, minor, errno, stdin, stdout,
//    stderr, EOF, NULL, assert, unix, linux, ...) get a trailing '_' ("class" -> "class_",
//    "major" -> "major_")
//  - identifiers the standard reserves ("__x", "_X") are rewritten ("__query_params" -> "u_query_params")
//  - operationId camelCase -> snake_case method names   ("listOutgoingReferrals" -> "list_outgoing_referrals")
//  - parameters keep their wire name, legalized         ("interventionId", "X-Request-Id" -> "X_Request_Id")

#include <string>
#include <string_view>

namespace refbridge::codegen::names {

/// True for C++20 keywords, alternative tokens and a few names that would break generated code.
bool is_cpp_keyword(std::string_view word);

/// True for names that C or POSIX headers commonly define as macros (major, minor, errno, stdin,
/// stdout, stderr, EOF, NULL, assert, unix, linux, ...): a member with such a name would be
/// rewritten by the preprocessor.
bool is_macro_name(std::string_view word);

/// The C++ name of every object model's unknown-member list; no schema member may legalise to it.
inline constexpr std::string_view kUnknownMembers = "unknown_members_";

/// A legal C++ identifier keeping `name` as recognisable as possible (rules above).
std::string legalize(std::string_view name);

/// camelCase / PascalCase / kebab-case / dotted -> snake_case, then legalized.
/// "listOutgoingReferrals" -> "list_outgoing_referrals", "getHTTPStatus" -> "get_http_status",
/// "X-Request-Id" -> "x_request_id".
std::string to_snake_case(std::string_view name);

/// -> PascalCase, legalized: "listCases" -> "ListCases", "kitchen_sink" -> "KitchenSink".
std::string to_pascal_case(std::string_view name);

/// Enumerator for an enum wire value: "in_progress" -> "kInProgress", "125080001" -> "k125080001",
/// "" -> "kEmpty". Every generated enum also has `kUnknown` (OpenEnum's fallback), so a wire value
/// "unknown" (or "Unknown", "UNKNOWN") is named "kUnknown_".
std::string enumerator(std::string_view value);

}  // namespace refbridge::codegen::names

namespace refbridge::codegen::names {
/// `text` escaped for use inside a C++ string literal ("\"", "\\", control characters).
std::string escape_string(std::string_view text);
/// `text` escaped for use inside a JSON string ("\"", "\\", control characters as \u00XX).
std::string escape_json(std::string_view text);
}  // namespace refbridge::codegen::names
