// JSON parse limits (refbridge/json.h ParseLimits): oversized texts, deep nesting and huge
// arrays are refused with a clear kInvalidInput error (never the text itself), within bounded
// stack and memory; what is within the limits is read.
#include "refbridge/ping/serde.h"
#include "refbridge/primero/serde.h"
#include "refbridge/http.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <string>

using namespace refbridge;

namespace {

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_objects(std::size_t depth) {
  std::string text;
  text.reserve(depth * 7 + 1);
  for (std::size_t i = 0; i < depth; ++i) text += "{\"a\":";
  text += '1';
  text.append(depth, '}');
  return text;
}

// `[item,item,...]` with `n` items.
std::string array_of(std::size_t n, std::string_view item) {
  std::string text = "[";
  text.reserve(n * (item.size() + 1) + 2);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) text += ',';
    text += item;
  }
  text += ']';
  return text;
}

}  // namespace

TEST_CASE("a JSON text over the size limit is refused before parsing, naming both sizes", "[hostile][json]") {
  json::ParseLimits small;
  small.max_bytes = 1000;
  const std::string text = "[" + std::string(998, ' ') + "]";  // 1000 bytes: accepted
  CHECK(json::parse<json::RawJson>(text, small));
  auto r = json::parse<json::RawJson>(text + " ", small);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidInput);
  CHECK(r.error().message == "JSON text of 1001 bytes is over the limit of 1000 bytes");

  // The default limit is the transport's default body limit (64 MiB).
  CHECK(json::ParseLimits{}.max_bytes == HttpOptions{}.max_response_bytes);
  auto big = json::parse<primero::CaseList>(std::string(json::ParseLimits{}.max_bytes + 1, ' '));
  REQUIRE_FALSE(big);
  CHECK(big.error().message == "JSON text of 67108865 bytes is over the limit of 67108864 bytes");
}

TEST_CASE("JSON nested 100,000 deep is refused with its byte offset, without a stack overflow", "[hostile][json]") {
  SECTION("arrays, read as untyped JSON") {
    auto r = json::parse<json::RawJson>(nested_arrays(100'000));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidInput);
    CHECK(r.error().message == "JSON refused at byte 64: nested deeper than 64 levels");
  }
  SECTION("objects, read as a model") {
    auto r = json::parse<ping::Intervention>(nested_objects(100'000));
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Matches("JSON refused at byte [0-9]+: nested deeper than 64 levels"));
  }
  SECTION("inside an unknown member of a Primero case (kept as raw JSON)") {
    auto r = json::parse<primero::Case>(R"({"id":"x","custom_field":)" + nested_arrays(100'000) + "}");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Matches("JSON refused at byte [0-9]+: nested deeper than 64 levels"));
  }
  SECTION("unterminated: only the opening brackets") {
    rapidjson::Document doc;
    auto r = json::parse_document(std::string(100'000, '['), doc);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "JSON refused at byte 64: nested deeper than 64 levels");
  }
}

TEST_CASE("nesting up to the depth limit is read, one level more is refused", "[hostile][json]") {
  json::ParseLimits limits;
  limits.max_depth = 5;
  auto at_limit = json::parse<json::RawJson>(nested_arrays(5), limits);
  REQUIRE(at_limit);
  CHECK(at_limit.value().text == "[[[[[]]]]]");
  auto over = json::parse<json::RawJson>(nested_arrays(6), limits);
  REQUIRE_FALSE(over);
  CHECK(over.error().message == "JSON refused at byte 5: nested deeper than 5 levels");
  // The default depth is well above the pilot's payloads (a Primero case list nests 4 levels).
  CHECK(json::parse<primero::CaseList>(R"({"data":[{"services_section":[{"service_type":"x"}]}]})"));
}

TEST_CASE("a 1,000,000-element array is read within the limits", "[hostile][json]") {
  auto numbers = json::parse<std::vector<std::int32_t>>(array_of(1'000'000, "7"));
  REQUIRE(numbers);
  CHECK(numbers.value().size() == 1'000'000);
  CHECK(numbers.value().back() == 7);

}

TEST_CASE("more values than the limit are refused with a clear error", "[hostile][json]") {
  CHECK(json::ParseLimits{}.max_values == 2'097'152);  // the 1,000,000-element array above is within
  json::ParseLimits limits;
  limits.max_values = 1000;
  CHECK(json::parse<std::vector<std::int32_t>>(array_of(999, "0"), limits));  // + the array itself
  auto r = json::parse<std::vector<std::int32_t>>(array_of(1000, "0"), limits);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidInput);
  CHECK(r.error().message == "JSON refused at byte 1999: more than 1000 values");
}

TEST_CASE("cheap elements standing for large models are refused past the element budget", "[hostile][json]") {
  // Every member of a Primero case is optional: `{}` is a whole case (over 1 KiB of C++).
  REQUIRE(sizeof(primero::Case) > 1000);
  // 300 kB of text standing for over 100 MB of cases: over the default budget (64 MiB). The
  // default is not spent here (that would build 64 MiB of cases): a budget of 1000 cases is.
  const std::string hostile = R"({"data":)" + array_of(100'000, "{}") + "}";
  CHECK(100'000 * sizeof(primero::Case) > json::ParseLimits{}.max_element_bytes);
  json::ParseLimits thousand;
  thousand.max_element_bytes = 1000 * sizeof(primero::Case);
  auto r = json::parse<primero::CaseList>(hostile, thousand);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidInput);
  CHECK_THAT(r.error().message,
             Catch::Matches(R"(\$\.data\[1000\]: list elements over the read's budget of bytes .*)"));

  // A page of 1000 cases is far below the default budget; a small budget refuses it.
  const std::string page = R"({"data":)" + array_of(1000, R"({"id":"c"})") + "}";
  auto ok_page = json::parse<primero::CaseList>(page);
  REQUIRE(ok_page);
  CHECK(ok_page.value().data.size() == 1000);
  json::ParseLimits tight;
  tight.max_element_bytes = 100 * sizeof(primero::Case);
  auto refused = json::parse<primero::CaseList>(page, tight);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::StartsWith("$.data[100]: list elements over the read's budget"));
}

TEST_CASE("numbers with a zero significand and a large exponent read as zero (fuzz finding)", "[hostile][json]") {
  // RapidJSON 1.1.0's full-precision conversion hit undefined behaviour on these (UBSan abort).
  for (const char* zero : {"0e66", "-0e66", "0.0e-30", "0.000e300", "[2-0e66]"}) {
    INFO(zero);
    auto r = json::parse<json::RawJson>(zero);
    if (std::string_view(zero).front() == '[') {
      CHECK_FALSE(r);  // not JSON: a clear syntax error
      continue;
    }
    REQUIRE(r);
    CHECK((r.value().text == "0.0" || r.value().text == "-0.0"));
  }
  auto big = json::parse<json::RawJson>("[1e400]");
  REQUIRE_FALSE(big);
  CHECK(big.error().message == "invalid JSON at byte 1: Number too big to be stored in double.");
  // Integers keep their RapidJSON types; doubles are exact (shortest round-trip text).
  CHECK(json::parse<json::RawJson>("[-9223372036854775808,18446744073709551615,18446744073709551616,0.1,5e-324]")
            .value()
            .text == "[-9223372036854775808,18446744073709551615,18446744073709553000.0,0.1,5e-324]");
  auto huge = json::parse<json::RawJson>("[1" + std::string(400, '0') + "]");  // no exponent, still too big
  REQUIRE_FALSE(huge);
  CHECK(huge.error().message == "invalid JSON at byte 1: Number too big to be stored in double.");
  CHECK(json::parse<std::int32_t>("-2147483648").value() == -2147483647 - 1);
  CHECK_FALSE(json::parse<std::int32_t>("2147483648"));
}
