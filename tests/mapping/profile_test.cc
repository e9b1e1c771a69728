// sdk/src/profile.cc: the deployment profile loader.
#include "refbridge/profile.h"

#include <catch2/catch.hpp>

#include <span>
#include <string_view>
#include <vector>

using refbridge::ErrorCode;
using refbridge::parse_profile;

TEST_CASE("the shipped Gambella profile loads with the §8 tables and constants") {
  auto p = refbridge::load_profile(std::string(REFBRIDGE_SOURCE_DIR) + "/schemas/profiles/gambella.yaml");
  REQUIRE(p);
  const auto& profile = p.value();
  CHECK(profile.name == "gambella");
  CHECK(profile.constant("intake_user").value() == "progresv4_primero_intake@cpims-gambella.primero.org");
  CHECK(profile.constant("module_id").value() == "primeromodule-cp");
  CHECK(profile.constant("implementing_agency").value() == "UNICEF");
  CHECK(profile.constant("default_request_agency").value() == "UNHCR");
  CHECK(profile.constant("service_response_type").value() == "service_provision");
  CHECK(profile.constant("service_referral").value() == "external_referral");
  CHECK(profile.constant("unhcr_referral_status").value() == "pending");

  const auto* st = profile.lookup("service_type").value();
  CHECK(st->entries.size() == 4);
  CHECK(st->find("Family Tracing and Reunification") == "food");
  CHECK_FALSE(st->default_value);
  CHECK_FALSE(st->find("Accessibility"));

  const auto* lang = profile.lookup("language").value();
  CHECK(lang->entries.size() == 17);
  CHECK(lang->find("Dinka, Southeastern;") == "language3");
  CHECK(lang->find("Afrikaans") == "language6");  // default
  CHECK(lang->contains("Nuer"));
  CHECK_FALSE(lang->contains("Afrikaans"));

  const auto* sex = profile.lookup("sex").value();
  CHECK(sex->find("125080000") == "female");
  CHECK(sex->find("125080003") == "unknown_4b34795");
  CHECK_FALSE(sex->find("Female"));
}

TEST_CASE("missing constants and tables are config errors naming the key") {
  auto p = parse_profile("profile: x\nconstants: {a: b}\nlookups: {}\n", "mem.yaml");
  REQUIRE(p);
  auto c = p.value().constant("nope");
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::kConfig);
  CHECK(c.error().message == "profile 'x' has no constant 'nope'");
  auto l = p.value().lookup("sex");
  REQUIRE_FALSE(l);
  CHECK(l.error().message == "profile 'x' has no lookup table 'sex'");
}

TEST_CASE("bad YAML is reported with origin:line:column") {
  auto p = parse_profile("profile: x\nlookups:\n  sex:\n    entries: {a: b\n", "bad.yaml");
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::kInvalidInput);
  INFO(p.error().message);
  CHECK(p.error().message.rfind("bad.yaml:5:1: invalid YAML: ", 0) == 0);
}

TEST_CASE("a wrong shape names the key path and position") {
  auto p = parse_profile("profile: x\nlookups:\n  sex:\n    entries: [a, b]\n", "shape.yaml");
  REQUIRE_FALSE(p);
  CHECK(p.error().message == "shape.yaml:4:14: lookups.sex.entries: expected a mapping");

  auto q = parse_profile("profile: x\nconstant:\n  a: b\n", "typo.yaml");
  REQUIRE_FALSE(q);
  CHECK(q.error().message == "typo.yaml:2:1: constant: unknown key (expected profile, description, constants or lookups)");

  auto r = parse_profile("profile: x\nconstants:\n  a: [1]\n", "value.yaml");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "value.yaml:3:6: constants.a: expected a string");

  auto s = parse_profile("constants: {}\n", "noname.yaml");
  REQUIRE_FALSE(s);
  CHECK(s.error().message == "noname.yaml:1:1: profile: missing");
}

TEST_CASE("an unreadable file is an I/O error") {
  auto p = refbridge::load_profile("/nonexistent/profile.yaml");
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::kIo);
}

TEST_CASE("unconfirmed entries: loaded per table and listed one line each for the tables asked") {
  const char* yaml = R"(profile: x
lookups:
  lang:
    entries: {Swahili: language1, Nuer: language2, Zande: language5}
    unconfirmed:
      keys: [Zande, Swahili]
      note: "§8.3: placeholders"
  sex:
    entries: {"1": female}
)";
  auto p = parse_profile(yaml, "u.yaml");
  REQUIRE(p);
  const auto* lang = p.value().lookup("lang").value();
  CHECK(lang->unconfirmed == std::vector<std::string>{"Zande", "Swahili"});
  CHECK(lang->unconfirmed_note == "§8.3: placeholders");
  CHECK(lang->find("Zande") == "language5");  // still used like any other entry
  const std::string_view tables[] = {"sex", "lang", "missing", "lang"};
  CHECK(refbridge::unconfirmed_entries(p.value(), tables) ==
        std::vector<std::string>{"profile 'x', lookup lang: 'Zande' -> 'language5' is unconfirmed: §8.3: placeholders",
                                 "profile 'x', lookup lang: 'Swahili' -> 'language1' is unconfirmed: §8.3: placeholders"});
  CHECK(refbridge::unconfirmed_entries(p.value(), std::span<const std::string_view>(tables, 1)).empty());
}

TEST_CASE("unconfirmed entries: a key that is not an entry, a missing note, an unknown key") {
  auto a = parse_profile("profile: x\nlookups:\n  t:\n    entries: {a: b}\n    unconfirmed: {keys: [c], note: n}\n", "a.yaml");
  REQUIRE_FALSE(a);
  CHECK(a.error().message == "a.yaml:5:26: lookups.t.unconfirmed.keys: 'c' is not an entry key");
  auto b = parse_profile("profile: x\nlookups:\n  t:\n    entries: {a: b}\n    unconfirmed: {keys: [a]}\n", "b.yaml");
  REQUIRE_FALSE(b);
  CHECK(b.error().message == "b.yaml:5:18: lookups.t.unconfirmed.note: missing (say why the entries are doubtful)");
  auto c = parse_profile("profile: x\nlookups:\n  t:\n    entries: {a: b}\n    unconfirmed: {key: [a], note: n}\n", "c.yaml");
  REQUIRE_FALSE(c);
  CHECK(c.error().message == "c.yaml:5:19: lookups.t.unconfirmed.key: unknown key (expected keys or note)");
}

TEST_CASE("the shipped profiles: Gambella marks the doubtful §8 entries, the example country none") {
  auto g = refbridge::load_profile(std::string(REFBRIDGE_SOURCE_DIR) + "/schemas/profiles/gambella.yaml");
  REQUIRE(g);
  CHECK(g.value().lookup("service_type").value()->unconfirmed ==
        std::vector<std::string>{"Family Tracing and Reunification"});
  CHECK(g.value().lookup("language").value()->unconfirmed ==
        std::vector<std::string>{"Cutchi-swahili", "Swahili", "Swahili, Congo", "Zande"});
  CHECK(g.value().lookup("progres_service_type").value()->unconfirmed.size() == 14);
  CHECK(g.value().lookup("progres_language").value()->entries.size() == 36);
  auto x = refbridge::load_profile(std::string(REFBRIDGE_SOURCE_DIR) + "/schemas/profiles/example-country.yaml");
  REQUIRE(x);
  for (const auto& [name, table] : x.value().lookups) CHECK(table.unconfirmed.empty());
}
