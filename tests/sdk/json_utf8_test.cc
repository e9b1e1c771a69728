// Every document read checks UTF-8 (refbridge/json.h parse_document, "No duplicate, ever" issue):
// the first string value or member name that is not well-formed is refused with rule
// "invalid-utf8" and its JSON path, never its value; parse_response passes that rejection through.
#include "refbridge/api_connection.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using namespace refbridge;

namespace {

void check_rejected(const Result<void>& r, const std::string& reason) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kRejected);
  CHECK(r.error().rule == "invalid-utf8");
  CHECK(r.error().http_status == 0);
  CHECK(r.error().message == reason);
}

template <class T>
Result<void> read(const std::string& text) {
  auto r = json::parse<T>(text);
  if (!r) return r.error();
  return ok();
}

}  // namespace

TEST_CASE("a string value that is not UTF-8 is refused with its path, never its value", "[json][utf8]") {
  using Doc = std::map<std::string, std::vector<std::string>>;
  check_rejected(read<Doc>("{\"a\":[\"ok\",\"Jos\xC0\xAF\"]}"), "$.a[1]: invalid UTF-8 (overlong sequence at byte 3 of the string)");
  check_rejected(read<std::string>("\"\xFF\xFE\""), "$: invalid UTF-8 (invalid byte 0xFF at byte 0 of the string)");
  check_rejected(read<Doc>("{\"a\":[\"x\xED\xA0\x80\"]}"), "$.a[0]: invalid UTF-8 (encoded surrogate at byte 1 of the string)");
  check_rejected(read<Doc>("{\"b\":[],\"a\":[\"10 \xE2\x82\"]}"), "$.a[0]: invalid UTF-8 (truncated sequence at byte 3 of the string)");
  auto r = json::parse<std::string>("\"secret\xC0\xAF\"");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("secret") == std::string::npos);
}

TEST_CASE("a member name that is not UTF-8 is refused with its object's path and index", "[json][utf8]") {
  using Doc = std::map<std::string, std::map<std::string, int>>;
  check_rejected(read<Doc>("{\"a\":{\"x\":1,\"y\xC0\xAF\":2}}"),
                 "$.a: invalid UTF-8 (overlong sequence at byte 1 of the name of member 1)");
  check_rejected(read<Doc>("{\"\x80\":{}}"), "$: invalid UTF-8 (stray continuation byte 0x80 at byte 0 of the name of member 0)");
}

TEST_CASE("untyped values (RawJson) are checked too, names and values at any depth", "[json][utf8]") {
  check_rejected(read<json::RawJson>("[1,{\"k\":[true,null,\"\xF4\x90\x80\x80\"]}]"),
                 "$[1].k[2]: invalid UTF-8 (code point above U+10FFFF at byte 0 of the string)");
  check_rejected(read<json::RawJson>("{\"k\":{\"ok\":0,\"\xF8\x88\x80\x80\x80\":0}}"),
                 "$.k: invalid UTF-8 (invalid byte 0xF8 at byte 0 of the name of member 1)");
  // The first in document order wins.
  check_rejected(read<json::RawJson>("[\"\xC0\xAF\",\"\xFF\"]"), "$[0]: invalid UTF-8 (overlong sequence at byte 0 of the string)");
  rapidjson::Document doc;
  const auto d = json::parse_document("{\"a\":\"\xFF\"}", doc);
  check_rejected(d, "$.a: invalid UTF-8 (invalid byte 0xFF at byte 0 of the string)");
  CHECK(doc.IsNull());  // left as it was
}

TEST_CASE("escapes: a lone low surrogate decodes to invalid bytes and a lone high one is refused alike", "[json][utf8]") {
  // RapidJSON 1.1 decodes "\uDC00" to ED B0 80 (an encoded surrogate) and refuses an unpaired
  // "\uD800" as a syntax error: both are invalid-utf8 rejections here.
  check_rejected(read<std::vector<std::string>>(R"(["ab\uDC00"])"), "$[0]: invalid UTF-8 (encoded surrogate at byte 2 of the string)");
  check_rejected(read<std::vector<std::string>>(R"(["ok","ab\uD800"])"),
                 "$[1]: invalid UTF-8 (unpaired surrogate escape at byte 9 of the JSON text)");
  check_rejected(read<std::map<std::string, std::string>>(R"({"a":"x","\uD800\u0041":"y"})"),
                 "$: invalid UTF-8 (unpaired surrogate escape in the name of member 1, at byte 10 of the JSON text)");
  check_rejected(read<std::map<std::string, std::string>>(R"({"a":"\uDBFF\uDBFF"})"),
                 "$.a: invalid UTF-8 (unpaired surrogate escape at byte 6 of the JSON text)");
  auto pair = json::parse<std::string>(R"("\uD83D\uDE00 \u00e9\u0000")");
  REQUIRE(pair);
  CHECK(pair.value() == std::string("\xF0\x9F\x98\x80 \xC3\xA9\0", 8));
}

TEST_CASE("well-formed text of 2, 3 and 4 bytes a sequence is read unchanged", "[json][utf8]") {
  const std::string text = "{\"Jos\xC3\xA9\":[\"\xE2\x82\xAC 10\",\"\xE4\xB8\xAD\",\"\xF0\x9F\x98\x80\",\"\xF4\x8F\xBF\xBF\"]}";
  auto r = json::parse<std::map<std::string, std::vector<std::string>>>(text);
  REQUIRE(r);
  CHECK(r.value().at("Jos\xC3\xA9")[3] == "\xF4\x8F\xBF\xBF");
  CHECK(json::serialize(r.value()) == text);
  auto raw = json::parse<json::RawJson>(text);
  REQUIRE(raw);
  CHECK(raw.value().text == text);
}

TEST_CASE("parse_response passes an invalid-utf8 rejection through, other errors stay kInvalidResponse", "[json][utf8]") {
  HttpResponse bad{200, {}, "{\"a\":[\"x\xC0\xAF\"]}"};
  auto r = parse_response<std::map<std::string, std::vector<std::string>>>(bad, "getThing");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kRejected);
  CHECK(r.error().rule == "invalid-utf8");
  CHECK(r.error().http_status == 0);
  CHECK(r.error().message == "$.a[0]: invalid UTF-8 (overlong sequence at byte 1 of the string)");

  HttpResponse wrong{200, {}, R"({"a":[1]})"};
  auto w = parse_response<std::map<std::string, std::vector<std::string>>>(wrong, "getThing");
  REQUIRE_FALSE(w);
  CHECK(w.error().code == ErrorCode::kInvalidResponse);
  CHECK(w.error().http_status == 200);
  CHECK(w.error().message == "getThing: response does not follow the schema: $.a[0]: expected a string");
}
