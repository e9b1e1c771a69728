// Invalid UTF-8 from PING or Primero ("No duplicate, ever" issue): every sequence that is not
// well-formed (RFC 3629, Unicode Table 3-7) in a string value, a member name, an unknown member
// (kept verbatim as RawJson) or nested in an array is refused by the generated readers with
// kRejected, rule "invalid-utf8" and the JSON path, never the value; well-formed 2-, 3- and
// 4-byte text reads unchanged. Every generated model refuses it (fuzz/model_table.h).
#include "model_table.h"

#include "refbridge/ping/serde.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace refbridge;

namespace {

struct Sequence {
  const char* name;
  std::string bytes;
  const char* what;  // refbridge::describe() of it
};

const std::vector<Sequence>& invalid_sequences() {
  static const std::vector<Sequence> all = {
      {"FF FE", "\xFF\xFE", "invalid byte 0xFF"},
      {"overlong C0 AF", "\xC0\xAF", "overlong sequence"},
      {"encoded surrogate ED A0 80", "\xED\xA0\x80", "encoded surrogate"},
      {"truncated E2 82 at the end", "\xE2\x82", "truncated sequence"},
      {"lone continuation 80", "\x80", "stray continuation byte 0x80"},
      {"5-byte F8", "\xF8\x88\x80\x80\x80", "invalid byte 0xF8"},
      {"U+110000 F4 90 80 80", "\xF4\x90\x80\x80", "code point above U+10FFFF"},
  };
  return all;
}

// One document per placement; `s` (a JSON string's content) is put at `path`.
struct Placement {
  const char* where;
  std::string (*text)(const std::string& s);
  const char* path;
  bool name;  // `s` is a member name: the path is the object's, with the member's index
  std::size_t member;
};

const Placement kPingPlacements[] = {
    {"string value", [](const std::string& s) { return R"({"progres_individualid":"i-1","progres_id":"989-1","progres_givenname":")" + s + R"("})"; },
     "$.progres_givenname", false, 0},
    {"member name", [](const std::string& s) { return R"({"progres_individualid":"i-1","progres_id":"989-1",")" + s + R"(":"x"})"; },
     "$", true, 2},
    {"unknown member", [](const std::string& s) { return R"({"progres_individualid":"i-1","progres_id":"989-1","custom":{"notes":["fine",")" + s + R"("]}})"; },
     "$.custom.notes[1]", false, 0},
};
// Nested in an array: the languages of an individual.
const Placement kPingArray = {
    "nested in an array",
    [](const std::string& s) { return R"({"items":[{"progres_speaklevel":"125080000"},{"progres_languagecodeid":{"Id":"x","Name":")" + s + R"("}}]})"; },
    "$.items[1].progres_languagecodeid.Name", false, 0};

const Placement kPrimeroPlacements[] = {
    {"string value", [](const std::string& s) { return R"({"data":[{"id":"c-1","name_first":")" + s + R"("}]})"; },
     "$.data[0].name_first", false, 0},
    {"member name", [](const std::string& s) { return R"({"data":[{"id":"c-1",")" + s + R"(":true}]})"; },
     "$.data[0]", true, 1},
    {"unknown member", [](const std::string& s) { return R"({"data":[{"id":"c-1","custom_field":{"note":")" + s + R"("}}]})"; },
     "$.data[0].custom_field.note", false, 0},
    {"nested in an array",
     [](const std::string& s) { return R"({"data":[{"id":"c-1"},{"services_section":[{"service_type":"x"},{"service_type":")" + s + R"("}]}]})"; },
     "$.data[1].services_section[1].service_type", false, 0},
};

std::string reason(const Placement& p, const Sequence& seq) {
  // Every bad string is "ab" + the sequence: the sequence starts at byte 2.
  return std::string(p.path) + ": invalid UTF-8 (" + seq.what + " at byte 2 of " +
         (p.name ? "the name of member " + std::to_string(p.member) : std::string("the string")) + ")";
}

template <class T>
void check_refused(const Placement& p) {
  for (const auto& seq : invalid_sequences()) {
    INFO(p.where << ": " << seq.name);
    auto r = json::parse<T>(p.text("ab" + seq.bytes));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kRejected);
    CHECK(r.error().rule == "invalid-utf8");
    CHECK(r.error().message == reason(p, seq));
    CHECK(r.error().message.find("ab\xFF") == std::string::npos);
  }
}

// Well-formed text of each sequence length reads, and serializes back byte for byte.
template <class T>
void check_read(const Placement& p) {
  for (const std::string valid : {"Jos\xC3\xA9", "10 \xE2\x82\xAC", "\xE4\xB8\xAD\xE6\x96\x87", "\xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"}) {
    INFO(p.where << ": " << valid);
    const std::string text = p.text(valid);
    auto r = json::parse<T>(text);
    REQUIRE(r);
    CHECK(json::serialize(r.value()).find(valid) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("PING: invalid UTF-8 in a value, a member name, an unknown member or an array is refused with its path",
          "[hostile][utf8]") {
  for (const auto& p : kPingPlacements) check_refused<ping::Individual>(p);
  check_refused<ping::IndividualLanguageList>(kPingArray);
}

TEST_CASE("Primero: invalid UTF-8 in a value, a member name, an unknown member or an array is refused with its path",
          "[hostile][utf8]") {
  for (const auto& p : kPrimeroPlacements) check_refused<primero::CaseList>(p);
}

TEST_CASE("well-formed 2-, 3- and 4-byte text is read unchanged at the same places", "[hostile][utf8]") {
  for (const auto& p : kPingPlacements) check_read<ping::Individual>(p);
  check_read<ping::IndividualLanguageList>(kPingArray);
  for (const auto& p : kPrimeroPlacements) check_read<primero::CaseList>(p);
  auto individual = json::parse<ping::Individual>(kPingPlacements[0].text("\xF0\x9F\x98\x80"));
  REQUIRE(individual);
  CHECK(*individual.value().progres_givenname == "\xF0\x9F\x98\x80");
}

TEST_CASE("every generated model refuses an invalid member name and value before reading any member", "[hostile][utf8]") {
  int models = 0;
  for (const std::string_view family : {"ping", "primero"}) {
    for (const auto& model : fuzz::models_of(family)) {
      ++models;
      INFO(family << "::" << model.name);
      for (const std::string text : {"{\"x\xC0\xAF\":1}", "{\"x\":\"\xED\xA0\x80\"}", "[\"\xE2\x82\"]"}) {
        auto r = model.read(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().rule == "invalid-utf8");
      }
    }
  }
  CHECK(models > 40);
}
