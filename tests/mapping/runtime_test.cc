// Conversion functions of sdk/src/mapping_runtime.cc.
#include "refbridge/mapping_runtime.h"

#include <catch2/catch.hpp>

#include <chrono>

using namespace refbridge;
using namespace refbridge::mapping;

namespace {
DateTime dt(const char* text) {
  auto r = DateTime::parse(text);
  REQUIRE(r);
  return r.value();
}
CalendarDate date(int y, unsigned m, unsigned d) { return CalendarDate{y, m, d}; }
}  // namespace

TEST_CASE("date of birth: calendar date of the nearest midnight (§12.12)") {
  CHECK(nearest_midnight_date(dt("2014-06-06T00:00:00Z")) == date(2014, 6, 6));
  CHECK(nearest_midnight_date(dt("1982-10-09T17:00:00Z")) == date(1982, 10, 10));  // shifted by a zone
  CHECK(nearest_midnight_date(dt("1982-10-09T12:00:00Z")) == date(1982, 10, 10));
  CHECK(nearest_midnight_date(dt("1982-10-09T11:59:59Z")) == date(1982, 10, 9));
  CHECK(nearest_midnight_date(dt("2020-12-31T21:00:00Z")) == date(2021, 1, 1));
  // Read in the zone written in the text: 23:00+03:00 is 20:00Z, still "the next day" locally.
  CHECK(nearest_midnight_date(dt("2002-12-15T23:00:00+03:00")) == date(2002, 12, 16));
  CHECK(nearest_midnight_date(dt("2002-12-16T00:00:00")) == date(2002, 12, 16));  // no offset: UTC
}

TEST_CASE("age: whole years, one less before the birthday") {
  CHECK(whole_years_between(date(2014, 6, 6), date(2025, 1, 1)) == 10);
  CHECK(whole_years_between(date(2014, 6, 6), date(2024, 6, 5)) == 9);
  CHECK(whole_years_between(date(2014, 6, 6), date(2024, 6, 6)) == 10);
  CHECK(whole_years_between(date(2012, 2, 29), date(2013, 2, 28)) == 0);
  CHECK(whole_years_between(date(2012, 2, 29), date(2013, 3, 1)) == 1);
  CHECK(whole_years_between(date(2025, 1, 2), date(2025, 1, 1)) == 0);  // born after the run date

  const FixedClock clock{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}};
  const MappingContext ctx{WriteMode::kCreate, &clock};
  CHECK(run_date(ctx) == date(2025, 1, 1));
  CHECK(progres_age(ctx, dt("2014-06-06T00:00:00Z")) == 10);
  CHECK(progres_age(ctx, dt("2015-01-01T00:00:00Z")) == 10);
  CHECK(progres_age(ctx, dt("2014-12-31T17:00:00Z")) == 10);  // born 2015-01-01 per nearest midnight
}

TEST_CASE("service unique_id: UUID v5, lower-case, stable") {
  const MappingContext ctx{WriteMode::kCreate, nullptr};
  // RFC 4122 appendix-style check against a known v5 value (DNS namespace, "www.example.com").
  CHECK(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com") == "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  CHECK(primero_service_unique_id(ctx, "989-22-PRTITV-0000051") == "919fc336-5636-5ca1-9380-2927c1cc21e1");
  CHECK(primero_service_unique_id(ctx, "989-22-PRTITV-0000051") == primero_service_unique_id(ctx, "989-22-PRTITV-0000051"));
  CHECK(primero_service_unique_id(ctx, "989-22-PRTITV-0000052") != primero_service_unique_id(ctx, "989-22-PRTITV-0000051"));
}

TEST_CASE("referral notes: §4.3 rule kept") {
  const MappingContext ctx{WriteMode::kCreate, nullptr};
  CHECK(progres_referral_notes(ctx, std::string("<p>This is a check for the address</p>"), std::nullopt) ==
        " This is a check for the address ");
  CHECK(progres_referral_notes(ctx, std::string("<p>a</p>"), std::string("[1]")) == " a ,[1]");
  CHECK(progres_referral_notes(ctx, std::string(""), std::string("r")) == "r");
  CHECK(progres_referral_notes(ctx, std::string("<b>x</b> &amp;"), std::nullopt) == "<b>x</b> &amp;");
  CHECK_FALSE(progres_referral_notes(ctx, std::nullopt, std::string("")));
}
