// sdk/src/profile.cc: the deployment profile loader.
#include "refbridge/profile.h"

#include <catch2/catch.hpp>

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
