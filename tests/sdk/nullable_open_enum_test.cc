// refbridge::Nullable<T>, refbridge::OpenEnum<E> and their JSON read/write (json.h), including
// UnknownMembers. The generated models use exactly these (ARCHITECTURE.md "Generator v1 type contract").
#include "refbridge/json.h"
#include "refbridge/nullable.h"
#include "refbridge/open_enum.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

using namespace refbridge;

namespace demo {
enum class Fruit { kApple, kPear, kUnknown };
inline std::string_view to_string(Fruit f) noexcept {
  switch (f) {
    case Fruit::kApple:
      return "apple";
    case Fruit::kPear:
      return "pear";
    case Fruit::kUnknown:
      return {};
  }
  return {};
}
inline bool from_string(std::string_view text, Fruit& out) noexcept {
  if (text == "apple") {
    out = Fruit::kApple;
    return true;
  }
  if (text == "pear") {
    out = Fruit::kPear;
    return true;
  }
  return false;
}
}  // namespace demo

using demo::Fruit;

TEST_CASE("Nullable has three states", "[nullable]") {
  Nullable<std::string> n;
  CHECK(n.is_absent());
  CHECK_FALSE(n.is_null());
  CHECK_FALSE(n.has_value());
  CHECK_FALSE(static_cast<bool>(n));
  CHECK(n == std::nullopt);

  n.set_null();
  CHECK(n.is_null());
  CHECK_FALSE(n.is_absent());
  CHECK_FALSE(n);
  CHECK(n == std::nullopt);
  CHECK(n == Nullable<std::string>::null());
  CHECK_FALSE(n == Nullable<std::string>());

  n = "x";
  CHECK(n.has_value());
  CHECK_FALSE(n.is_null());
  CHECK(*n == "x");
  CHECK(n->size() == 1);
  CHECK(n == "x");
  CHECK(n == std::string("x"));
  CHECK_FALSE(n == "y");
  CHECK(n.value_or("d") == "x");
  CHECK(n.as_optional() == std::optional<std::string>("x"));

  n.reset();
  CHECK(n.is_absent());
  CHECK(n.value_or("d") == "d");
  CHECK_FALSE(n.as_optional().has_value());

  n = std::optional<std::string>("o");
  CHECK(n == "o");
  n = std::optional<std::string>();
  CHECK(n.is_absent());
  n.emplace(3, 'z');
  CHECK(n == "zzz");
  n = std::nullopt;
  CHECK(n.is_absent());
}

TEST_CASE("Nullable JSON: null reads as null, a value as a value, members write all three states", "[nullable][json]") {
  auto null = json::parse<Nullable<std::int32_t>>("null");
  REQUIRE(null);
  CHECK(null.value().is_null());
  auto value = json::parse<Nullable<std::int32_t>>("7");
  REQUIRE(value);
  CHECK(value.value() == 7);
  auto wrong = json::parse<Nullable<std::int32_t>>("\"7\"");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message == "$: expected a 32-bit integer");

  auto write = [](const Nullable<std::int32_t>& n) {
    rapidjson::StringBuffer buf;
    json::Writer w(buf);
    w.StartObject();
    json::write_nullable_member(w, "n", n);
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
  };
  CHECK(write(Nullable<std::int32_t>()) == "{}");
  CHECK(write(Nullable<std::int32_t>::null()) == R"({"n":null})");
  CHECK(write(Nullable<std::int32_t>(5)) == R"({"n":5})");
}

TEST_CASE("OpenEnum keeps unknown text and compares with the enum", "[open_enum]") {
  OpenEnum<Fruit> f = Fruit::kPear;
  CHECK(f == Fruit::kPear);
  CHECK(f != Fruit::kApple);
  CHECK(f.value() == Fruit::kPear);
  CHECK(f.text() == "pear");
  CHECK_FALSE(f.is_unknown());

  const auto u = OpenEnum<Fruit>::from_text("quince");
  CHECK(u == Fruit::kUnknown);
  CHECK(u.is_unknown());
  CHECK(u.text() == "quince");
  CHECK(u != OpenEnum<Fruit>::from_text("medlar"));
  CHECK(u == OpenEnum<Fruit>::from_text("quince"));
  CHECK(OpenEnum<Fruit>::from_text("apple") == Fruit::kApple);
  CHECK(to_string(u) == "quince");

  switch (f.value()) {  // exhaustive switch over E, kUnknown included
    case Fruit::kApple:
    case Fruit::kUnknown:
      FAIL("wrong value");
      break;
    case Fruit::kPear:
      SUCCEED();
      break;
  }
}

TEST_CASE("OpenEnum JSON: any string reads (unknown kept) and writes back unchanged, non-strings are errors",
          "[open_enum][json]") {
  auto list = json::parse<std::vector<OpenEnum<Fruit>>>(R"(["apple","kiwi","pear"])");
  REQUIRE(list);
  CHECK(list.value()[0] == Fruit::kApple);
  CHECK(list.value()[1] == Fruit::kUnknown);
  CHECK(json::serialize(list.value()) == R"(["apple","kiwi","pear"])");
  auto bad = json::parse<std::vector<OpenEnum<Fruit>>>(R"(["apple",3])");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "$[1]: expected a string");
  auto nullable = json::parse<std::vector<Nullable<OpenEnum<Fruit>>>>(R"([null,"fig"])");
  REQUIRE(nullable);
  CHECK(nullable.value()[0].is_null());
  CHECK(nullable.value()[1]->text() == "fig");
  CHECK(json::serialize(nullable.value()) == R"([null,"fig"])");
}

TEST_CASE("UnknownMembers keeps members verbatim and in order", "[json]") {
  rapidjson::Document doc;
  REQUIRE(json::parse_document(R"({"b":{"x":[1,2.5,"s"]},"a":null,"c":"\u00e9\n"})", doc));
  json::UnknownMembers u;
  for (const auto& m : doc.GetObject()) u.add(m);
  REQUIRE(u.size() == 3);
  CHECK(u.find("a")->value.text == "null");
  CHECK(u.find("b")->value.text == R"({"x":[1,2.5,"s"]})");
  CHECK(u.find("zz") == nullptr);
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::write_unknown_members(w, u);
  w.EndObject();
  CHECK(std::string(buf.GetString(), buf.GetSize()) == "{\"b\":{\"x\":[1,2.5,\"s\"]},\"a\":null,\"c\":\"\xC3\xA9\\n\"}");
}

TEST_CASE("read_member by lookup: missing, null and path", "[json]") {
  rapidjson::Document doc;
  REQUIRE(json::parse_document(R"({"a":null,"b":{"c":"x"}})", doc));
  json::Path path;
  std::string s;
  auto missing = json::read_member(doc, "zz", s, path, json::MemberRule::kRequired);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "$: missing required member 'zz'");
  json::Path p2;
  auto null = json::read_member(doc, "a", s, p2, json::MemberRule::kOptional);
  REQUIRE_FALSE(null);
  CHECK(null.error().message == "$.a: null is not allowed");
  json::Path p3;
  Nullable<std::string> n;
  REQUIRE(json::read_member(doc, "a", n, p3, json::MemberRule::kOptionalNullable));
  CHECK(n.is_null());
  json::Path p4;
  auto bad = json::read_member(doc, "b", s, p4, json::MemberRule::kRequired);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "$.b: expected a string");
}
