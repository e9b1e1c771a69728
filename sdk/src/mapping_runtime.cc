// Conversion functions used by generated mapping transforms. Contract: refbridge/mapping_runtime.h.
#include "refbridge/mapping_runtime.h"

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <chrono>

namespace refbridge::mapping {

std::string uuid_v5(std::string_view namespace_uuid, std::string_view name) {
  const boost::uuids::uuid ns = boost::uuids::string_generator()(std::string(namespace_uuid));
  boost::uuids::name_generator_sha1 gen(ns);
  const boost::uuids::uuid id = gen(name.data(), name.size());
  return boost::uuids::to_string(id);  // canonical 8-4-4-4-12, lower-case hex
}

std::string primero_service_unique_id(const MappingContext& /*ctx*/, const std::string& intervention_number) {
  return uuid_v5(kRefbridgeNamespaceUuid, "progres-intervention:" + intervention_number);
}

CalendarDate nearest_midnight_date(const DateTime& t) {
  // Local wall-clock time as written in the text, then round to the nearest midnight.
  const auto local = t.utc + std::chrono::minutes{t.offset_minutes};
  const auto rounded = std::chrono::floor<std::chrono::days>(local + std::chrono::hours{12});
  return CalendarDate::from_sys_days(rounded);
}

CalendarDate progres_date_of_birth(const MappingContext& /*ctx*/, const DateTime& date_of_birth) {
  return nearest_midnight_date(date_of_birth);
}

std::int32_t whole_years_between(const CalendarDate& birth, const CalendarDate& on) {
  if (on < birth) return 0;
  int years = on.year - birth.year;
  // Birthday not yet reached this year? (29 Feb birthdays: reached on 1 March in common years,
  // which the plain (month, day) comparison gives.)
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --years;
  return static_cast<std::int32_t>(years < 0 ? 0 : years);
}

CalendarDate run_date(const MappingContext& ctx) {
  const auto now = ctx.clock != nullptr ? ctx.clock->now() : SystemClock().now();
  return CalendarDate::from_sys_days(std::chrono::floor<std::chrono::days>(now));
}

std::int32_t progres_age(const MappingContext& ctx, const DateTime& date_of_birth) {
  return whole_years_between(nearest_midnight_date(date_of_birth), run_date(ctx));
}

namespace {
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}
}  // namespace

std::optional<std::string> progres_referral_notes(const MappingContext& /*ctx*/,
                                                  const std::optional<std::string>& description,
                                                  const std::optional<std::string>& reason) {
  std::string out;
  bool any = false;
  for (const auto* part : {&description, &reason}) {
    if (!part->has_value() || (*part)->empty()) continue;
    if (any) out += ',';
    out += **part;
    any = true;
  }
  if (!any) return std::nullopt;
  replace_all(out, "</p>", " ");
  replace_all(out, "<p>", " ");
  return out;
}

refbridge::Result<std::string> progres_org_referral_id(const MappingContext& /*ctx*/, const std::string& case_id,
                                                       const std::string& service_unique_id) {
  constexpr std::size_t kSuffix = 12;
  if (case_id.empty() || case_id.find('#') != std::string::npos) {
    return make_rejection("org-referral-id", "case_id is empty or contains '#'");
  }
  if (service_unique_id.size() < kSuffix) {
    return make_rejection("org-referral-id", "the service unique_id is shorter than 12 characters");
  }
  const std::string suffix = service_unique_id.substr(service_unique_id.size() - kSuffix);
  if (suffix.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return make_rejection("org-referral-id", "the last 12 characters of the service unique_id are not lower-case hex");
  }
  return case_id + "#" + suffix;
}

}  // namespace refbridge::mapping
