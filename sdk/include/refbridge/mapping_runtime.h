#pragma once
// Runtime support for generated mapping transforms (generated/mappings/*):
//  - MappingContext: the write mode (create / update) and the clock of a run;
//  - the named conversion functions a mapping spec may call through `convert:`.
//
// Conversion-function convention (checked by the generator and, through static_asserts emitted
// into every generated transform, by the C++ compiler): a conversion is a free function in
// namespace refbridge::mapping with the exact signature
//     R name(const MappingContext& ctx, const P1& a1, const P2& a2, ...)
// where R and Pi are the types the spec declares under `conversions:` (`T?` = std::optional<T>).
// A conversion must be a pure function of its arguments and ctx (no I/O, no global state) and must
// not throw. Returning std::nullopt (optional R) means "omit the target member". A conversion the
// spec declares with `rejects: <rule id>` returns refbridge::Result<R> instead and refuses a record
// with make_rejection(<rule id>, reason) (the reason names fields, never personal values).

#include "refbridge/error.h"
#include "refbridge/time.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge {

/// Whether the transform's result will create a new target record or update an existing one.
/// Rules marked `when: create` in a mapping spec (owner, status, module) apply only on kCreate.
enum class WriteMode { kCreate, kUpdate };

/// Per-run inputs of a transform besides the data and the profile.
struct MappingContext {
  WriteMode mode = WriteMode::kCreate;
  const refbridge::Clock* clock = nullptr;  ///< never null when a transform runs; "today" comes from it (UTC)
};

namespace mapping {

/// Fixed namespace UUID of refbridge's name-based (version 5, SHA-1) identifiers, RFC 4122 §4.3.
/// Chosen once at random for refbridge and never to be changed: changing it would change every
/// derived service-row id and make re-deliveries append duplicate rows in Primero.
inline constexpr std::string_view kRefbridgeNamespaceUuid = "7217e4c8-25df-496d-9c3d-81cbac40f936";

/// RFC 4122 version-5 UUID of `name` (UTF-8 bytes) in `namespace_uuid`, lower-case canonical text.
std::string uuid_v5(std::string_view namespace_uuid, std::string_view name);

/// Conversion `primero_service_unique_id` (workflows.md 1.1 step 6; openfn-primero-progres.md §12.4):
/// the Primero `services_section[].unique_id` of the row carrying a proGres intervention:
/// uuid_v5(kRefbridgeNamespaceUuid, "progres-intervention:" + intervention_number), lower-case, so
/// a re-delivery of the same intervention merges into the same service row.
std::string primero_service_unique_id(const MappingContext& ctx, const std::string& intervention_number);

/// The calendar date of the midnight nearest to `t`, read in the time zone written in `t`'s text
/// (UTC when the text had no offset). proGres sends dates of birth as date-times that may be
/// shifted by a zone offset (openfn-primero-progres.md §12.12: `1982-10-09T17:00:00Z` for a person
/// born 1982-10-10): a time of day at or after 12:00 rounds to the next day, before 12:00 to the
/// same day. `2014-06-06T00:00:00Z` -> 2014-06-06.
CalendarDate nearest_midnight_date(const DateTime& t);

/// Conversion `progres_date_of_birth` (§4.3 `date_of_birth`, fixing §12.12): nearest_midnight_date.
CalendarDate progres_date_of_birth(const MappingContext& ctx, const DateTime& date_of_birth);

/// Whole years from `birth` to `on` (both calendar dates, no time zone): the birthday not yet
/// reached in `on`'s year counts one less; a 29 February birthday is reached on 1 March in common
/// years. Negative spans (birth after `on`) give 0.
std::int32_t whole_years_between(const CalendarDate& birth, const CalendarDate& on);

/// The run date: the UTC calendar date of ctx.clock->now().
CalendarDate run_date(const MappingContext& ctx);

/// Conversion `progres_age` (§4.3 `age`, done properly): whole years between
/// progres_date_of_birth(dob) and run_date(ctx). Unit: years (JSON number).
std::int32_t progres_age(const MappingContext& ctx, const DateTime& date_of_birth);

/// Conversion `progres_referral_notes` (§4.3 `service_referral_notes`, kept as the pilot does it
/// so that Primero users see the same text): the non-empty ones of description and reason, in that
/// order, joined with "," (no space); then every "</p>" and every "<p>" replaced by one space.
/// Other HTML and entities are kept; the reason (a JSON array inside a string) goes in raw.
/// Both empty or absent -> std::nullopt (member omitted).
std::optional<std::string> progres_referral_notes(const MappingContext& ctx,
                                                  const std::optional<std::string>& description,
                                                  const std::optional<std::string>& reason);

/// Conversion `progres_org_referral_id` (workflow 2.1; openfn-primero-progres.md §6.2 `id`): the
/// referral id proGres stores as progres_orgreferralid and returns with its decision (workflow
/// 2.2 splits it at '#'): "<case_id>#<last 12 characters of service_unique_id>", e.g.
/// ("f59e880e-d58f-4b68-ba6e-e0616a49aefd", "5c2d4f6c-7a78-43b5-ac40-eb097be51d89") ->
/// "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89".
/// Rejections (rule "org-referral-id"; schema pattern of PING IncomingReferral.id,
/// '^[^#]+#[0-9a-f]{12}$'): an empty case_id or one containing '#'; a service_unique_id shorter
/// than 12 characters or whose last 12 are not lower-case hexadecimal.
refbridge::Result<std::string> progres_org_referral_id(const MappingContext& ctx, const std::string& case_id,
                                                       const std::string& service_unique_id);

}  // namespace mapping
}  // namespace refbridge
