// The generated transforms of workflows 1.2, 2.1 and 2.2 (schemas/mappings/
// primero-decision-to-progres.yaml, primero-referral-to-progres.yaml,
// progres-decision-to-primero-referral.yaml) on the pilot's fixtures and on edited copies of them,
// under both shipped profiles; and the unconfirmed profile entries each mapping reports.
#include "fixtures.h"

#include "refbridge/mappings/primero_decision_to_progres.h"
#include "refbridge/mappings/primero_referral_to_progres.h"
#include "refbridge/mappings/progres_decision_to_primero_referral.h"
#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/profile.h"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>

using namespace refbridge;
using refbridge::test_support::read_fixture;
using refbridge::test_support::without_trailing_commas;

namespace {

const Profile& profile(const std::string& name) {
  static std::map<std::string, Profile> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  auto p = load_profile(std::string(REFBRIDGE_SOURCE_DIR) + "/schemas/profiles/" + name + ".yaml");
  if (!p) FAIL(p.error().describe());
  return cache.emplace(name, std::move(p).value()).first->second;
}
const Profile& gambella() { return profile("gambella"); }
const Profile& example() { return profile("example-country"); }

const FixedClock kClock{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}};
const MappingContext kCtx{WriteMode::kCreate, &kClock};

template <class T>
T parse(const std::string& text) {
  auto r = json::parse<T>(text);
  INFO(text);
  if (!r) FAIL(r.error().describe());
  return std::move(r).value();
}

/// The JSON text of `doc[member][index]`.
std::string element_text(const std::string& text, const char* member, rapidjson::SizeType index) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.HasMember(member));
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc[member][index].Accept(w);
  return buf.GetString();
}

/// The case of getPrimeroCases.json (repaired: the pilot's sample has trailing commas, §12.18).
primero::Case fixture_case() {
  const auto list = parse<primero::CaseList>(without_trailing_commas(read_fixture("getPrimeroCases.json")));
  REQUIRE(list.data.size() == 1);
  return list.data.front();
}

primero::Service row(const primero::Case& c, const std::string& unique_id) {
  REQUIRE(c.services_section);
  for (const auto& s : *c.services_section) {
    if (s.unique_id == unique_id) return s;
  }
  FAIL("no service row " << unique_id);
  return {};
}

void check_same_json(const std::string& got, const std::string& expected) {
  rapidjson::Document g, e;
  g.Parse(got.c_str());
  e.Parse(expected.c_str());
  REQUIRE_FALSE(g.HasParseError());
  REQUIRE_FALSE(e.HasParseError());
  INFO(got);
  CHECK(g == e);
}

// ---- 2.1 ----

mappings::PrimeroReferralToProgresInput referral_input() {
  mappings::PrimeroReferralToProgresInput in;
  in.case_ = fixture_case();
  in.service = row(in.case_, "5c2d4f6c-7a78-43b5-ac40-eb097be51d89");
  in.referral = parse<primero::Referral>(element_text(read_fixture("getPrimeroReferral.json"), "data", 0));
  in.contact.user_name = "openfn_testing";  // no contact details: every fallback applies
  return in;
}

// ---- 2.2 ----

ping::InteroperabilityReferral decision_from(const std::string& fixture) {
  std::string text = element_text(read_fixture(fixture), "interventions", 0);
  rapidjson::Document d;
  d.Parse(text.c_str());
  if (!d.HasMember("progres_interoperabilityreferralid")) {
    // progres_referralDecisionToPrimero.json predates PING's record id (required in the schema).
    d.AddMember("progres_interoperabilityreferralid", "00000000-0000-0000-0000-000000000001", d.GetAllocator());
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return parse<ping::InteroperabilityReferral>(buf.GetString());
}

Result<primero::ReferralUpdate> decide(const ping::InteroperabilityReferral& d, const Profile& p = gambella()) {
  return mappings::progres_decision_to_primero_referral({d}, p, kCtx);
}

// ---- 1.2 ----

/// The case of getPrimeroCases.json with its external referral row (612-21-PRTITV-0000039) decided.
mappings::PrimeroDecisionToProgresInput decision_input(const std::string& status) {
  mappings::PrimeroDecisionToProgresInput in;
  in.case_ = fixture_case();
  in.service = row(in.case_, "d2dd24d0-cc50-496d-a791-edb10344b36d");
  in.service.unhcr_referral_status = status;
  return in;
}

}  // namespace

TEST_CASE("both shipped profiles have everything the 1.2, 2.1 and 2.2 mappings use") {
  for (const Profile* p : {&gambella(), &example()}) {
    INFO(p->name);
    CHECK(mappings::primero_decision_to_progres_check_profile(*p));
    CHECK(mappings::primero_referral_to_progres_check_profile(*p));
    CHECK(mappings::progres_decision_to_primero_referral_check_profile(*p));
  }
}

// ================================ 2.1 =========================================================

TEST_CASE("2.1: the §6.2 worked example (getPrimeroCases.json, service 5c2d4f6c-...) with the improvements") {
  const auto in = referral_input();
  auto r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  if (!r) FAIL(r.error().describe());
  const auto& x = r.value();
  CHECK(x.id == "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89");  // = progres_orgreferralid of flow 2-3
  CHECK(x.service_type == "Family Reunification Service");
  CHECK(x.service_referral_notes == "sample reason");
  CHECK(x.language == "Dinka");
  CHECK(x.sex == "female");
  REQUIRE(x.date_of_birth);
  CHECK(x.date_of_birth->to_string() == "2008-01-01");
  // Absent members are omitted, not null (the pilot sent name_middle: null, telephone_current: null).
  CHECK(x.name_middle.is_absent());
  CHECK(x.name_nickname.is_absent());
  CHECK(x.telephone_current.is_absent());
  const std::string body = json::serialize(x);
  check_same_json(body, R"({
    "id": "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89",
    "primero_user": "openfn_testing",
    "position": "CPIMS+ Administrator", "email": "notavailable@primero.org", "phone": "0000000000",
    "full_name": "CPIMS+",
    "service_implementing_agency": "UNICEF",
    "service_response_day_time": "2021-09-27T12:22:55.000Z",
    "service_type": "Family Reunification Service",
    "service_referral_notes": "sample reason",
    "owned_by_agency_id": "UNICEF",
    "unhcr_individual_no": "911-9739H297", "unhcr_id_no": "911-14H0271",
    "name_first": "Aicha", "name_last": "Diallo",
    "date_of_birth": "2008-01-01", "sex": "female", "language": "Dinka"})");
  CHECK(body.find("null") == std::string::npos);
  CHECK(ping::validate(x).empty());
}

TEST_CASE("2.1: the referring user's contact details win over the fallbacks, empty ones fall back") {
  auto in = referral_input();
  in.contact.full_name = std::string("Tigist Abebe");
  in.contact.email = std::string("tabebe@unicef.example");
  in.contact.phone = std::string("");  // empty -> fallback
  in.contact.position = std::string("Case worker");
  auto r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  REQUIRE(r);
  CHECK(r.value().full_name == "Tigist Abebe");
  CHECK(r.value().email == "tabebe@unicef.example");
  CHECK(r.value().phone == "0000000000");
  CHECK(r.value().position == "Case worker");
}

TEST_CASE("2.1: every language through §8.4 joined with \", \"; unmapped codes dropped, none left -> omitted") {
  auto in = referral_input();
  in.case_.language = std::vector<std::string>{"language7", "language9", "language8", "_english", "klingon"};
  auto r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  REQUIRE(r);
  CHECK(r.value().language == "Bembe, Somali, English");  // §8.4's own example; no "Bembe, , Somali"
  in.case_.language = std::vector<std::string>{"language9"};
  r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  REQUIRE(r);
  CHECK(r.value().language.is_absent());
  in.case_.language.set_null();
  r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  REQUIRE(r);
  CHECK(r.value().language.is_absent());
}

TEST_CASE("2.1: sex through the full §8.5b table, other values omitted") {
  auto in = referral_input();
  in.case_.sex = std::string("unknown_4b34795");
  CHECK(mappings::primero_referral_to_progres(in, gambella(), kCtx).value().sex == "unknown");
  in.case_.sex = std::string("other_b25f252");
  CHECK(mappings::primero_referral_to_progres(in, gambella(), kCtx).value().sex == "other");
  in.case_.sex = std::string("nonbinary_custom");
  CHECK(mappings::primero_referral_to_progres(in, gambella(), kCtx).value().sex.is_absent());
}

TEST_CASE("2.1: an unmapped service type is a rejection naming the field (not an omitted member, §12.9)") {
  auto in = referral_input();
  in.service.service_type = std::string("gbv_survivor_support");
  auto r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kRejected);
  CHECK(r.error().rule == "lookup-progres_service_type");
  CHECK(r.error().message.find("service_type value 'gbv_survivor_support' has no entry in lookup progres_service_type") !=
        std::string::npos);
}

TEST_CASE("2.1: the referral id needs a case_id and a 12-character row suffix") {
  auto in = referral_input();
  in.service.unique_id = std::string("eb097be51d8");  // 11 characters
  auto r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "org-referral-id");
  in = referral_input();
  in.case_.case_id = std::string("");
  r = mappings::primero_referral_to_progres(in, gambella(), kCtx);
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "required-fields");  // checked before the conversion runs
  CHECK(r.error().message == "missing or empty required fields: case_id");
  // The conversion itself refuses it too (its own contract).
  auto direct = mapping::progres_org_referral_id(kCtx, "", "5c2d4f6c-7a78-43b5-ac40-eb097be51d89");
  REQUIRE_FALSE(direct);
  CHECK(direct.error().rule == "org-referral-id");
  CHECK(mapping::progres_org_referral_id(kCtx, "a#b", "5c2d4f6c-7a78-43b5-ac40-eb097be51d89").has_error());
  CHECK(mapping::progres_org_referral_id(kCtx, "c", "5C2D4F6C-7A78-43B5-AC40-EB097BE51D89").has_error());
  CHECK(mapping::progres_org_referral_id(kCtx, "c", "ab097be51d89").value() == "c#ab097be51d89");
}

TEST_CASE("2.1: the same transform under the example-country profile") {
  auto in = referral_input();
  in.service.service_type = std::string("family_tracing");
  in.service.service_referral_notes.reset();
  in.case_.language = std::vector<std::string>{"lang_en", "language3", "lang_fr"};
  in.case_.sex = std::string("f");
  auto r = mappings::primero_referral_to_progres(in, example(), kCtx);
  if (!r) FAIL(r.error().describe());
  const auto& x = r.value();
  CHECK(x.service_type == "Family Tracing and Reunification");
  CHECK(x.service_referral_notes == "Referral from EXAMPLE-NGO case management");
  CHECK(x.language == "English, French");
  CHECK(x.sex == "female");
  CHECK(x.service_implementing_agency == "EXAMPLE-NGO");
  CHECK(x.owned_by_agency_id == "EXAMPLE-NGO");
  CHECK(x.full_name == "EXAMPLE-NGO referral desk");
  CHECK(x.id == "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89");  // not profile data
  // Gambella's "food" is no service type of the example country.
  auto g = mappings::primero_referral_to_progres(referral_input(), example(), kCtx);
  REQUIRE_FALSE(g);
  CHECK(g.error().rule == "lookup-progres_service_type");
}

// ================================ 2.2 =========================================================

TEST_CASE("2.2: progresDecision__flow2-3.json (125080000) -> accepted, no rejected_reason") {
  const auto d = decision_from("progresDecision__flow2-3.json");
  auto r = decide(d);
  REQUIRE(r);
  CHECK(r.value().status == primero::ReferralStatus::kAccepted);
  CHECK_FALSE(r.value().rejected_reason);
  CHECK(json::serialize(r.value()) == R"({"status":"accepted"})");
  // A reason on an acceptance is not sent (rejected_reason only with status rejected).
  auto with_reason = d;
  with_reason.progres_interoperabiltyreferralrejectionreason = std::string("125080001");
  REQUIRE(decide(with_reason));
  CHECK_FALSE(decide(with_reason).value().rejected_reason);
}

TEST_CASE("2.2: a rejection: '<reason text>: <comment>', absent parts left out (§12.10)") {
  auto d = decision_from("progresDecision__flow2-3.json");
  d.progres_reviewdecision = std::string("125080001");
  d.progres_interoperabiltyreferralrejectionreason = std::string("125080001");
  d.progres_interoperabilityreferralrejectionomment = std::string("Registered under another UNHCR id");
  auto r = decide(d);
  REQUIRE(r);
  CHECK(r.value().status == primero::ReferralStatus::kRejected);
  CHECK(r.value().rejected_reason == "Individual Not Match UNHCR ID: Registered under another UNHCR id");
  CHECK(json::serialize(r.value()) ==
        R"({"status":"rejected","rejected_reason":"Individual Not Match UNHCR ID: Registered under another UNHCR id"})");
  // No comment: the reason text alone (the pilot wrote "...: undefined").
  d.progres_interoperabilityreferralrejectionomment.reset();
  CHECK(decide(d).value().rejected_reason == "Individual Not Match UNHCR ID");
  d.progres_interoperabilityreferralrejectionomment = std::string("");
  CHECK(decide(d).value().rejected_reason == "Individual Not Match UNHCR ID");
  // Free text and unknown codes pass through unchanged (§8.8).
  d.progres_interoperabiltyreferralrejectionreason = std::string("Duplicate of REF-IOP-DAD-000000051");
  CHECK(decide(d).value().rejected_reason == "Duplicate of REF-IOP-DAD-000000051");
  d.progres_interoperabiltyreferralrejectionreason = std::string("125080009");
  CHECK(decide(d).value().rejected_reason == "125080009");
  // No reason: the comment alone; neither: omitted.
  d.progres_interoperabiltyreferralrejectionreason.set_null();
  d.progres_interoperabilityreferralrejectionomment = std::string("see the case notes");
  CHECK(decide(d).value().rejected_reason == "see the case notes");
  d.progres_interoperabilityreferralrejectionomment.reset();
  REQUIRE(decide(d));
  CHECK_FALSE(decide(d).value().rejected_reason);
}

TEST_CASE("2.2: an unknown decision code (125080003, progres_referralDecisionToPrimero.json) is rejected with the rule") {
  const auto d = decision_from("progres_referralDecisionToPrimero.json");
  auto r = decide(d);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kRejected);
  CHECK(r.error().rule == "lookup-referral_status");
  CHECK(r.error().message ==
        "progres_reviewdecision value '125080003' has no entry in lookup referral_status (profile gambella)");
  // An absent decision is a required-fields rejection.
  auto none = d;
  none.progres_reviewdecision.set_null();
  CHECK(decide(none).error().rule == "required-fields");
}

TEST_CASE("2.2: the decision codes are profile data") {
  auto d = decision_from("progresDecision__flow2-3.json");
  d.progres_reviewdecision = std::string("100000001");
  d.progres_interoperabiltyreferralrejectionreason = std::string("100000001");
  auto x = decide(d, example());
  REQUIRE(x);
  CHECK(x.value().status == primero::ReferralStatus::kRejected);
  CHECK(x.value().rejected_reason == "Duplicate referral");
  CHECK(decide(d).error().rule == "lookup-referral_status");  // not a Gambella code
}

// ================================ 1.2 =========================================================

TEST_CASE("1.2: accepted -> acknowledged, without closure_reason (§12.7)") {
  auto in = decision_input("accepted");
  in.service.unhcr_referral_rejection_reason = std::string("stale text from an earlier rejection");
  auto r = mappings::primero_decision_to_progres(in, gambella(), kCtx);
  REQUIRE(r);
  CHECK(json::serialize(r.value()) ==
        R"({"case_id":"f59e880e-d58f-4b68-ba6e-e0616a49aefd","primero_user":"openfn_testing",)"
        R"("progres_interventionnumber":"612-21-PRTITV-0000039","status":"acknowledged"})");
  CHECK(ping::validate(r.value()).empty());
}

TEST_CASE("1.2: rejected, with and without a reason") {
  auto in = decision_input("rejected");
  in.service.unhcr_referral_rejection_reason = std::string("Family already reunified");
  auto r = mappings::primero_decision_to_progres(in, gambella(), kCtx);
  REQUIRE(r);
  CHECK(r.value().status == ping::OutgoingReferralDecisionStatus::kRejected);
  CHECK(r.value().closure_reason == "Family already reunified");
  in.service.unhcr_referral_rejection_reason = std::string("");
  CHECK(mappings::primero_decision_to_progres(in, gambella(), kCtx).value().closure_reason == "No reason specified.");
  in.service.unhcr_referral_rejection_reason.set_null();
  CHECK(mappings::primero_decision_to_progres(in, gambella(), kCtx).value().closure_reason == "No reason specified.");
  // Another deployment: its own status vocabulary and default text.
  auto x = decision_input("declined");
  auto xr = mappings::primero_decision_to_progres(x, example(), kCtx);
  REQUIRE(xr);
  CHECK(xr.value().status == ping::OutgoingReferralDecisionStatus::kRejected);
  CHECK(xr.value().closure_reason == "Declined by the service provider.");
}

TEST_CASE("1.2: any other referral status is rejected with the rule, the correlation keys are required") {
  auto in = decision_input("pending");
  auto r = mappings::primero_decision_to_progres(in, gambella(), kCtx);
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "lookup-decision_status");
  CHECK(r.error().message == "unhcr_referral_status value 'pending' has no entry in lookup decision_status (profile gambella)");
  in = decision_input("accepted");
  in.service.progres_interventionnumber.set_null();
  r = mappings::primero_decision_to_progres(in, gambella(), kCtx);
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "required-fields");
  CHECK(r.error().message == "missing or empty required fields: progres_interventionnumber");
}

// ================================ unconfirmed entries =========================================

TEST_CASE("each mapping lists the unconfirmed profile entries of the tables it uses") {
  const auto referral = mappings::primero_referral_to_progres_unconfirmed_entries(gambella());
  REQUIRE(referral.size() == 14);  // §8.2 entries 4-17
  CHECK(referral.front() ==
        "profile 'gambella', lookup progres_service_type: 'security_e_g_safe_shelter' -> 'Safehouse Service' is "
        "unconfirmed: §8.2/§12.9: entries 4-17 look positionally mis-paired (e.g. medical -> Registration Service); "
        "confirm each with UNHCR");
  CHECK(referral.back().find("'services_for_children_with_disabilities' -> 'Other Service'") != std::string::npos);

  const auto intake = mappings::progres_referral_to_primero_case_unconfirmed_entries(gambella());
  REQUIRE(intake.size() == 5);  // §8.3 Swahili x3 and Zande, §8.1 FTR -> food
  CHECK(intake[0].rfind("profile 'gambella', lookup language: 'Cutchi-swahili' -> 'language1' is unconfirmed: §8.3", 0) == 0);
  CHECK(intake[3].find("'Zande' -> 'language5'") != std::string::npos);
  CHECK(intake[4].rfind("profile 'gambella', lookup service_type: 'Family Tracing and Reunification' -> 'food'", 0) == 0);

  CHECK(mappings::primero_decision_to_progres_unconfirmed_entries(gambella()).empty());
  CHECK(mappings::progres_decision_to_primero_referral_unconfirmed_entries(gambella()).empty());
  CHECK(mappings::primero_referral_to_progres_unconfirmed_entries(example()).empty());
}
