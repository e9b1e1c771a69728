#pragma once
// Primero write semantics of the sandbox (primero-api-v2.md §5.3, §5.4, §6.3): members derived on
// save, the deep merge of a PATCH with subforms merged by unique_id, and the delta a write
// answers. Pure functions over RapidJSON values. Internal to the sandbox.

#include "support.h"

#include <rapidjson/document.h>

namespace refbridge::sandbox::detail {

/// Recomputes the members derived from others on save: short_id and case_id_display (last 7
/// characters of case_id), associated_user_names (owned_by + assigned_user_names), enabled
/// (= record_state) and each services_section row's service_implemented (§5.3).
void derive(rapidjson::Value& c, Alloc& a);

/// Subform merge by unique_id: match -> merged field by field; new or absent -> appended (a new
/// UUID when absent); `_destroy: true` -> removed (§5.4).
void merge_rows(rapidjson::Value& dst, const rapidjson::Value& src, Alloc& a);

/// Deep merge of a PATCH `data` object into a stored object (§5.4): subforms by merge_rows, `[]`
/// leaves a subform alone, objects merge, anything else (scalar arrays too) replaces.
void merge_object(rapidjson::Value& dst, const rapidjson::Value& src, Alloc& a);

/// The `record` / PATCH answer of a write (§5.4, §6.3): {id, enabled, <members whose value
/// changed from `before` to `after`, subforms whole>, last_updated_at}.
rapidjson::Value case_delta(const rapidjson::Value& before, const rapidjson::Value& after, Alloc& a);

}  // namespace refbridge::sandbox::detail
