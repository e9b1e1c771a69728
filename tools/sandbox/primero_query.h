#pragma once
// Helpers of the sandbox's Primero case list (primero-api-v2.md §4, §5.1), shared with the other
// Primero files. The list itself is PrimeroStore::list_cases (primero_query.cc). Internal.

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::sandbox::detail {

/// The value as a filter sees it ("true", "12", the string itself), or nullopt for other types.
std::optional<std::string> scalar_text(const rapidjson::Value& v);
/// An optionally negative decimal integer of at most 18 characters, else nullopt.
std::optional<long long> integer_text(std::string_view s);
/// "a,b" -> {"a","b"}; "" -> {""}.
std::vector<std::string> split_commas(const std::string& s);

}  // namespace refbridge::sandbox::detail
