// Compile-and-run test of the validators generated for the kitchen-sink schema (built at build
// time): every keyword produces its violation at the right JSON path, a valid object gives none,
// all violations are collected in member order, and messages never carry the value.
// Also the value-free predicates of refbridge/validation.h.
#include "kitchen_sink/serde.h"
#include "kitchen_sink/validate.h"

#include "refbridge/json.h"
#include "refbridge/validation.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace refbridge;
using namespace refbridge::kitchen_sink;

namespace {

// A valid widget whose members with rules hold valid values; `part` replaces the only element of
// "parts", and `extra` (members not already present) is spliced in before the closing brace.
std::string widget_json(const std::string& part = R"({"id":"3F2E1D0C-5B6A-4987-8A6B-5C4D3E2F1A0B","code":"989-00000226",)"
                                                  R"("serial":"1f2e3d4c-5b6a-4987-8a6b-5c4d3e2f1a0b","load":0.5,)"
                                                  R"("contact":"a.b@example.org"})",
                        const std::string& extra = "") {
  return R"({"id":"w-1","count":3,"owner":null,"tags":["a"],"parts":[)" + part +
         R"(],"colour":"red","size":"M","percent":100,"shade":"dark","sizes":["XS","XL"],)"
         R"("part_map":{"k":{"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b"}},"main_part":{"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b"})" +
         extra + "}";
}

Widget parse_widget(const std::string& text) {
  auto w = json::parse<Widget>(text);
  INFO((w ? std::string() : w.error().message));
  REQUIRE(w);
  return std::move(w).value();
}

std::vector<Violation> violations_of(const std::string& text) { return validate(parse_widget(text)); }

// The single violation of `text`.
Violation one(const std::string& text) {
  const auto v = violations_of(text);
  INFO(to_string(v));
  REQUIRE(v.size() == 1);
  return v.front();
}

}  // namespace

TEST_CASE("a valid widget has no violations", "[validate]") {
  const auto v = violations_of(widget_json());
  INFO(to_string(v));
  CHECK(v.empty());
  // Members without rules, and absent optional members, are not checked.
  CHECK(validate(parse_widget(R"({"id":"x","count":0,"owner":"o","tags":[]})")).empty());
  CHECK(validate(Part{}).size() == 1);  // Part.id is required: "" is not a UUID
}

TEST_CASE("each keyword reports its violation with the member's JSON path", "[validate]") {
  SECTION("minLength / maxLength count UTF-8 code points") {
    CHECK(one(R"({"id":"","count":0,"owner":null,"tags":[]})") ==
          Violation{"$.id", "minLength", "shorter than 1 character"});
    CHECK(one(R"({"id":")" + std::string(65, 'a') + R"(","count":0,"owner":null,"tags":[]})") ==
          Violation{"$.id", "maxLength", "longer than 64 characters"});
    std::string accents;
    for (int i = 0; i < 64; ++i) accents += "\xC3\xA9";  // 64 x "é": 128 bytes, 64 code points
    CHECK(violations_of(R"({"id":")" + accents + R"(","count":0,"owner":null,"tags":[]})").empty());
    CHECK(one(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","contact":"abcdefghij@klmnopq.rst"})")) ==
          Violation{"$.parts[0].contact", "maxLength", "longer than 20 characters"});
  }
  SECTION("pattern (unanchored search; the schema anchors it)") {
    CHECK(one(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","code":"989-0000022"})")) ==
          Violation{"$.parts[0].code", "pattern", "does not match pattern ^[0-9]{3}-[0-9]{8}$"});
  }
  SECTION("minimum / maximum on integers and numbers") {
    CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"percent":-1})") ==
          Violation{"$.percent", "minimum", "less than minimum 0"});
    CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"percent":101})") ==
          Violation{"$.percent", "maximum", "greater than maximum 100"});
    CHECK(one(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","load":0.25})")) ==
          Violation{"$.parts[0].load", "minimum", "less than minimum 0.5"});
    CHECK(one(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","load":1000.5})")) ==
          Violation{"$.parts[0].load", "maximum", "greater than maximum 1000"});
    CHECK(violations_of(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","load":1000})")).empty());
  }
  SECTION("format uuid (any case) and x-refbridge-lowercase") {
    CHECK(one(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5"})")) ==
          Violation{"$.parts[0].id", "format", "not a UUID (8-4-4-4-12 hexadecimal digits)"});
    CHECK(one(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","serial":"1F2E3D4C-5B6A-4987-8A6B-5C4D3E2F1A0B"})")) ==
          Violation{"$.parts[0].serial", "x-refbridge-lowercase", "contains upper-case letters (lower-case required)"});
  }
  SECTION("format email") {
    CHECK(one(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","contact":"no-at-sign"})")) ==
          Violation{"$.parts[0].contact", "format", "not an e-mail address"});
    // null on the nullable member: nothing to check
    CHECK(violations_of(widget_json(R"({"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","contact":null})")).empty());
  }
  SECTION("enum: an open enum's unknown value (component, inline, nullable inline, array items)") {
    CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"colour":"mauve"})") ==
          Violation{"$.colour", "enum", R"(not one of "red", "dark_green", "125080001", "default")"});
    CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"size":"XXL"})") ==
          Violation{"$.size", "enum", R"(not one of "S", "M", "L")"});
    CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"shade":"pastel"})") ==
          Violation{"$.shade", "enum", R"(not one of "light", "dark")"});
    CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"sizes":["XS","huge","XL"]})") ==
          Violation{"$.sizes[1]", "enum", R"(not one of "XS", "XL", "unknown")"});
    CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"tint":"mauve"})").path == "$.tint");
  }
  SECTION("required: a required nullable member must be present (null is fine)") {
    Widget w = parse_widget(R"({"id":"x","count":0,"owner":null,"tags":[]})");
    CHECK(validate(w).empty());
    w.owner.reset();  // absent
    if constexpr (requires { w.owner.is_absent(); }) {
      CHECK(validate(w) == std::vector<Violation>{{"$.owner", "required", "required member is absent"}});
    } else {
      CHECK(validate(w).empty());  // std::optional cannot tell absent from null
    }
  }
}

TEST_CASE("nested models, array items and map values get their own path segments", "[validate]") {
  const std::string bad_part = R"({"id":"bad"})";
  CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"main_part":)" + bad_part + "}").path == "$.main_part.id");
  CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"spare_part":)" + bad_part + "}").path == "$.spare_part.id");
  CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"base":)" + bad_part + "}").path == "$.base.id");
  CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"part_map":{"k":)" + bad_part + "}}").path == "$.part_map.k.id");
  // A key that is not an identifier is bracketed and quoted.
  CHECK(one(R"({"id":"x","count":0,"owner":null,"tags":[],"part_map":{"a.b c'd":)" + bad_part + "}}").path ==
        R"($.part_map['a.b c\'d'].id)");
  const auto v = violations_of(R"({"id":"x","count":0,"owner":null,"tags":[],"parts":[{"id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b"},)" +
                               bad_part + "," + bad_part + "]}");
  REQUIRE(v.size() == 2);
  CHECK(v[0].path == "$.parts[1].id");
  CHECK(v[1].path == "$.parts[2].id");
}

TEST_CASE("every violation is collected, in member order, without values", "[validate]") {
  const std::string secret = "SECRET-989-00000226";
  const std::string text =
      R"({"id":"","count":0,"owner":null,"tags":[],"parts":[{"id":")" + secret + R"(","code":")" + secret +
      R"(","serial":"A","load":-5,"contact":")" + secret + R"("}],"colour":")" + secret +
      R"(","percent":1000,"sizes":[")" + secret + R"("],"main_part":{"id":")" + secret + R"("}})";
  const auto v = violations_of(text);
  INFO(to_string(v));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"$.id", "minLength"},
      {"$.parts[0].id", "format"},
      {"$.parts[0].code", "pattern"},
      {"$.parts[0].serial", "format"},
      {"$.parts[0].serial", "x-refbridge-lowercase"},
      {"$.parts[0].load", "minimum"},
      {"$.parts[0].contact", "format"},
      {"$.colour", "enum"},
      {"$.main_part.id", "format"},
      {"$.percent", "maximum"},
      {"$.sizes[0]", "enum"},
  };
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& x : v) got.emplace_back(x.path, x.keyword);
  CHECK(got == expected);
  for (const auto& x : v) {
    CHECK(x.message.find("SECRET") == std::string::npos);
    CHECK(x.path.find("SECRET") == std::string::npos);
  }
  CHECK(to_string(v).find("$.parts[0].code: does not match pattern ^[0-9]{3}-[0-9]{8}$ (pattern)\n") != std::string::npos);
}

TEST_CASE("validate() of the Pet variant validates the alternative held", "[validate]") {
  Pet cat = Cat{};
  CHECK(validate(cat).empty());
  Pet raw = json::RawJson{R"({"kind":"fish"})"};
  CHECK(validate(raw).empty());
}

TEST_CASE("runtime predicates: UUID, e-mail, code points, lower case", "[validate][runtime]") {
  using namespace refbridge::validation;
  CHECK(is_uuid("9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b"));
  CHECK(is_uuid("9D2E4B1A-3C5F-4E6D-8A7B-0C1D2E3F4A5B"));
  CHECK_FALSE(is_uuid("9d2e4b1a3c5f4e6d8a7b0c1d2e3f4a5b"));
  CHECK_FALSE(is_uuid("9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5g"));
  CHECK_FALSE(is_uuid("{9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b}"));
  CHECK_FALSE(is_uuid(""));

  CHECK(is_email("test@test.com"));
  CHECK(is_email("first.last+tag@sub.example-domain.org"));
  CHECK(is_email("o'neil@example.org"));
  CHECK_FALSE(is_email("plain"));
  CHECK_FALSE(is_email("@example.org"));
  CHECK_FALSE(is_email("a@localhost"));  // one label
  CHECK_FALSE(is_email("a@@example.org"));
  CHECK_FALSE(is_email(".a@example.org"));
  CHECK_FALSE(is_email("a..b@example.org"));
  CHECK_FALSE(is_email("a b@example.org"));
  CHECK_FALSE(is_email("a@example..org"));
  CHECK_FALSE(is_email("a@-example.org"));
  CHECK_FALSE(is_email("a@example.org."));
  CHECK_FALSE(is_email(std::string(65, 'a') + "@example.org"));

  CHECK(code_points("") == 0);
  CHECK(code_points("abc") == 3);
  CHECK(code_points("\xC3\xA9t\xC3\xA9") == 3);      // "été"
  CHECK(code_points("\xF0\x9F\x98\x80") == 1);      // one emoji, 4 bytes
  CHECK(code_points("\xE1\x8A\xA0\xE1\x88\x9B") == 2);  // Amharic, 3 bytes each

  CHECK(is_lowercase("9d2e4b1a-3c5f"));
  CHECK_FALSE(is_lowercase("9D2e"));

  Context ctx;
  {
    const auto a = ctx.member("data");
    const auto b = ctx.index(3);
    const auto c = ctx.member("x-y");
    CHECK(ctx.path() == "$.data[3]['x-y']");
  }
  CHECK(ctx.path() == "$");
}
