// JSON primitives: exact types, paths in errors, round trips.
#include "refbridge/json.h"

#include <catch2/catch.hpp>

namespace json = refbridge::json;

TEST_CASE("parse reports invalid JSON with an offset, not the text") {
  auto r = json::parse<std::string>("{\"a\": 1,}");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == refbridge::ErrorCode::kInvalidInput);
  CHECK(r.error().message.find("invalid JSON at byte") == 0);
}

TEST_CASE("containers read with paths and write back") {
  auto r = json::parse<std::map<std::string, std::vector<std::optional<std::int32_t>>>>(R"({"a":[1,null,3]})");
  REQUIRE(r);
  CHECK(r.value().at("a").size() == 3);
  CHECK_FALSE(r.value().at("a")[1].has_value());
  auto bad = json::parse<std::map<std::string, std::vector<std::int32_t>>>(R"({"a":[1,"2"]})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "$.a[1]: expected a 32-bit integer");
  CHECK(json::serialize(std::vector<std::int32_t>{1, 2}) == "[1,2]");
}

TEST_CASE("dates are exact types") {
  auto d = json::parse<refbridge::CalendarDate>("\"2014-06-06\"");
  REQUIRE(d);
  CHECK(json::serialize(d.value()) == "\"2014-06-06\"");
  CHECK_FALSE(json::parse<refbridge::CalendarDate>("\"2014-06-06T00:00:00Z\""));
  auto t = json::parse<refbridge::DateTime>("\"2023-03-14T00:00:00Z\"");
  REQUIRE(t);
  CHECK(json::serialize(t.value()) == "\"2023-03-14T00:00:00Z\"");
}

TEST_CASE("RawJson keeps any value") {
  auto r = json::parse<json::RawJson>(R"( {"x": [1, "two", null]} )");
  REQUIRE(r);
  CHECK(r.value().text == R"({"x":[1,"two",null]})");
  CHECK(json::serialize(r.value()) == R"({"x":[1,"two",null]})");
}
