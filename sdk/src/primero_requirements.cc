// Primero requirements of the generated mappings. See refbridge/primero_requirements.h.
#include "refbridge/primero_requirements.h"

#include <algorithm>
#include <array>

namespace refbridge {

std::string_view to_string(PrimeroRequirement::Access access) noexcept {
  return access == PrimeroRequirement::Access::kWrite ? "write" : "read";
}

void add_primero_field(std::vector<PrimeroRequirement>& out, std::string field, PrimeroRequirement::Access access,
                       std::string rule) {
  const bool known = std::any_of(out.begin(), out.end(),
                                 [&](const PrimeroRequirement& r) { return !r.value && r.field == field; });
  if (known) return;
  out.push_back(PrimeroRequirement{std::move(field), access, std::nullopt, {}, std::move(rule)});
}

void add_primero_value(std::vector<PrimeroRequirement>& out, std::string field, std::string value,
                       std::string value_source, std::string rule) {
  const bool known = std::any_of(out.begin(), out.end(), [&](const PrimeroRequirement& r) {
    return r.value && r.field == field && *r.value == value;
  });
  if (known) return;
  out.push_back(PrimeroRequirement{std::move(field), PrimeroRequirement::Access::kWrite, std::move(value),
                                   std::move(value_source), std::move(rule)});
}

void add_primero_constant_value(std::vector<PrimeroRequirement>& out, const Profile& profile, std::string_view constant,
                                std::string field, std::string rule) {
  const auto it = profile.constants.find(std::string(constant));
  if (it == profile.constants.end()) return;
  add_primero_value(out, std::move(field), it->second, "profile constant '" + std::string(constant) + "'",
                    std::move(rule));
}

void add_primero_lookup_values(std::vector<PrimeroRequirement>& out, const Profile& profile, std::string_view table,
                               bool with_default, std::string field, std::string rule) {
  const auto it = profile.lookups.find(std::string(table));
  if (it == profile.lookups.end()) return;
  const std::string name(table);
  for (const auto& [key, value] : it->second.entries) {
    add_primero_value(out, field, value, "profile table '" + name + "' key '" + key + "'", rule);
  }
  if (with_default && it->second.default_value) {
    add_primero_value(out, field, *it->second.default_value, "profile table '" + name + "' default", rule);
  }
}

bool is_primero_system_field(std::string_view field) noexcept {
  static constexpr std::array<std::string_view, 15> kSystem = {
      "id",          "status",        "record_state",          "created_at",          "owned_by",
      "module_id",   "workflow",      "case_status_reopened",  "last_updated_at",     "enabled",
      "created_by",  "last_updated_by", "associated_user_names", "assigned_user_names", "owned_by_agency_id"};
  if (std::find(kSystem.begin(), kSystem.end(), field) != kSystem.end()) return true;
  const auto dot = field.find('.');
  return dot != std::string_view::npos && field.substr(dot + 1) == "unique_id";
}

}  // namespace refbridge
