#pragma once
// Field-type tables of the sandbox's Primero case (primero-api-v2.md §5.6) and the validation of
// a case write against them (422 InvalidRecordJson, §3). Internal to the sandbox.

#include "support.h"

#include <rapidjson/document.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::sandbox::detail {

using FieldSet = std::set<std::string, std::less<>>;

// Field groups used for type validation (§5.6; services_section rows §5.6).
extern const FieldSet kIntegerFields;
extern const FieldSet kDateFields;
extern const FieldSet kBoolFields;
extern const FieldSet kStringArrayFields;
/// Identifier fields: always filterable by exact value and searched by `query` (§5.1).
extern const FieldSet kIdentifierFields;
extern const FieldSet kStringFields;
extern const FieldSet kStatusValues;
extern const FieldSet kRowDateFields;
extern const FieldSet kRowDateTimeFields;
extern const FieldSet kRowBoolFields;
/// Server-maintained members a client cannot write (dropped, as Primero drops unpermitted keys).
extern const FieldSet kReadOnly;
/// Fields a role can read in the default CP configuration (filters on them are honoured even when
/// no case holds them; filters on other keys held by no case are ignored).
extern const FieldSet kAlwaysFilterable;
/// Query parameters of GET /api/v2/cases that are not filters.
extern const FieldSet kNonFilterParams;
/// The `fields=short` set (§5.1).
extern const std::vector<std::string> kShortFields;

/// `key` escaped for a JSON pointer token (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string pointer_escape(std::string_view key);
/// True for a non-empty array of objects (a subform value).
bool is_object_array(const rapidjson::Value& v);
/// A "YYYY-MM-DD" string; with `check_future_year`, not in a year after this one.
bool is_date(const rapidjson::Value& v, bool check_future_year);
/// An ISO-8601 date-time string.
bool is_date_time(const rapidjson::Value& v);

/// JSON pointers of the members of `data` that violate the case schema (InvalidRecordJson);
/// `check_id` checks `id` as a lower-case UUID (create only).
std::vector<std::string> validate_case(const rapidjson::Value& data, bool check_id);

/// 422 {"errors":[{status:422, resource, detail:[pointer...], message:"Invalid Record JSON"}]} (§3).
ApiResponse invalid_record(std::string_view resource, const std::vector<std::string>& pointers);

}  // namespace refbridge::sandbox::detail
