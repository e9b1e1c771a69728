#pragma once
// Answer helpers shared by the sandbox's Primero files (primero-api-v2.md §1, §2.6, §3). Internal.

#include "support.h"

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace refbridge::sandbox::detail {

inline constexpr std::string_view kConflict = "Conflict: A record with this id already exists";
inline constexpr std::string_view kMissingData = "param is missing or the value is empty or invalid: data";

/// 401 {"error": message} with WWW-Authenticate: Bearer realm="Primero" charset="UTF8" (§2.6).
ApiResponse devise_401(std::string_view message);
/// `status` with {"data": data}.
ApiResponse data_answer(int status, const rapidjson::Value& data);
/// ASCII lower case.
std::string lower(std::string s);
/// `s` without leading and trailing white space.
std::string trim(std::string_view s);

}  // namespace refbridge::sandbox::detail
