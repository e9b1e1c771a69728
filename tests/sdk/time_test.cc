// CalendarDate and DateTime parsing, formatting and round trips.
#include "refbridge/time.h"

#include <catch2/catch.hpp>

using refbridge::CalendarDate;
using refbridge::DateTime;

TEST_CASE("CalendarDate parses and formats YYYY-MM-DD") {
  auto d = CalendarDate::parse("2014-06-06");
  REQUIRE(d);
  CHECK(d.value().to_string() == "2014-06-06");
  CHECK_FALSE(CalendarDate::parse("2014-02-30"));
  CHECK_FALSE(CalendarDate::parse("2014-06-06T00:00:00Z"));
  CHECK_FALSE(CalendarDate::parse("06/06/2014"));
}

TEST_CASE("DateTime keeps its text and computes the UTC instant") {
  auto t = DateTime::parse("1982-10-09T17:00:00Z");
  REQUIRE(t);
  CHECK(t.value().text == "1982-10-09T17:00:00Z");
  CHECK(t.value().has_offset);
  CHECK(t.value().utc_date().to_string() == "1982-10-09");

  auto shifted = DateTime::parse("2021-05-04T23:30:00.5-02:00");
  REQUIRE(shifted);
  CHECK(shifted.value().offset_minutes == -120);
  CHECK(shifted.value().utc_date().to_string() == "2021-05-05");
  CHECK(DateTime::from_utc(shifted.value().utc).text == "2021-05-05T01:30:00.500Z");

  auto no_zone = DateTime::parse("2018-01-01T00:00:00");
  REQUIRE(no_zone);
  CHECK_FALSE(no_zone.value().has_offset);
}

TEST_CASE("DateTime errors never echo the value") {
  auto bad = DateTime::parse("2002-12-16 secret");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("secret") == std::string::npos);
  CHECK(bad.error().code == refbridge::ErrorCode::kInvalidInput);
}
