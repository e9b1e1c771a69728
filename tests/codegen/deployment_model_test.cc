// The generated Gambella deployment models (generated/deployments/primero_gambella, from
// schemas/primero/deployments/gambella.yaml over schemas/primero/openapi.yaml), compiled and run:
// a case with the deployment's custom service-row fields and lookup values reads into typed
// members, and an option value the import did not know still round-trips.
#include "primero_gambella/models.h"
#include "primero_gambella/serde.h"

#include "refbridge/json.h"

#include <catch2/catch.hpp>

namespace gambella = refbridge::primero::gambella;

namespace {
// Two services rows (one referred to UNHCR, one local), a language the lookup lists and one it does not.
const char* kCase = R"({"id":"6f1c2b7e-0000-4000-8000-00000000000a","case_id":"c-1","sex":"other_b25f252",)"
                    R"("language":["language6","language99"],"age":13,"consent_for_services":true,)"
                    R"("services_section":[)"
                    R"({"unique_id":"0e1a2b3c-0000-4000-8000-000000000001","service_type":"food",)"
                    R"("progres_interventionnumber":"INT-1","unhcr_referral_status":"accepted"},)"
                    R"({"unique_id":"0e1a2b3c-0000-4000-8000-000000000002","service_type":"alternative_care",)"
                    R"("unhcr_referral_status":"escalated"}]})";
}  // namespace

TEST_CASE("a Gambella case reads into the deployment's typed members", "[deployment]") {
  auto c = refbridge::json::parse<gambella::Case>(kCase);
  INFO((c ? std::string() : c.error().message));
  REQUIRE(c);
  REQUIRE(c.value().sex);
  CHECK(c.value().sex->value() == gambella::CaseSex::kOtherB25f252);
  REQUIRE(c.value().language);
  CHECK((*c.value().language)[0].value() == gambella::CaseLanguage::kLanguage6);
  CHECK((*c.value().language)[1].is_unknown());  // not in the imported lookup: kept as text
  CHECK((*c.value().language)[1].text() == "language99");
  REQUIRE(c.value().services_section);
  const auto& rows = *c.value().services_section;
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].service_type->value() == gambella::ServiceServiceType::kFood);
  CHECK(*rows[0].progres_interventionnumber == "INT-1");
  CHECK(rows[0].unhcr_referral_status->value() == gambella::ServiceUnhcrReferralStatus::kAccepted);
  CHECK(rows[1].unhcr_referral_status->is_unknown());
}

TEST_CASE("a Gambella case round-trips, unknown option values included", "[deployment]") {
  auto c = refbridge::json::parse<gambella::Case>(kCase);
  REQUIRE(c);
  const std::string written = refbridge::json::serialize(c.value());
  CHECK(written.find(R"("unhcr_referral_status":"escalated")") != std::string::npos);
  CHECK(written.find(R"("language":["language6","language99"])") != std::string::npos);
  auto again = refbridge::json::parse<gambella::Case>(written);
  REQUIRE(again);
  CHECK(refbridge::json::serialize(again.value()) == written);
}
