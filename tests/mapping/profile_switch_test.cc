// Lookup tables and constants are data per deployment profile: the same generated transform
// (generated/mappings/progres_referral_to_primero_case.cc), given schemas/profiles/gambella.yaml or
// the made-up schemas/profiles/example-country.yaml at run time, maps the same proGres referral
// differently, without touching C++. (That the generator checks the spec against both profiles is
// in compiler_test.cc; schemas/codegen.yaml lists both under `profiles:`.)
#include "flat_rows.h"

#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/profile.h"

#include <catch2/catch.hpp>

#include <chrono>

using refbridge::mappings::progres_referral_to_primero_case;
using refbridge::mapping_test::inputs_from_flat_rows;
using refbridge::mapping_test::read_fixture;

namespace {

refbridge::Profile profile(const std::string& name) {
  auto p = refbridge::load_profile(std::string(REFBRIDGE_SOURCE_DIR) + "/schemas/profiles/" + name + ".yaml");
  if (!p) FAIL(p.error().describe());
  return std::move(p).value();
}

const refbridge::FixedClock kClock{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}};
const refbridge::MappingContext kCreate{refbridge::WriteMode::kCreate, &kClock};

}  // namespace

TEST_CASE("both shipped profiles have everything the 1.1 mapping uses") {
  CHECK(refbridge::mappings::progres_referral_to_primero_case_check_profile(profile("gambella")));
  CHECK(refbridge::mappings::progres_referral_to_primero_case_check_profile(profile("example-country")));
}

TEST_CASE("the same transform maps worked example 1 differently under another deployment's profile") {
  auto inputs = inputs_from_flat_rows(read_fixture("referralFromProgres_sample2408022.json"));
  REQUIRE(inputs.size() == 1);
  const auto& in = inputs.front();

  auto g = progres_referral_to_primero_case(in, profile("gambella"), kCreate);
  auto x = progres_referral_to_primero_case(in, profile("example-country"), kCreate);
  REQUIRE(g);
  REQUIRE(x);
  const auto& gs = g.value().services_section->front();
  const auto& xs = x.value().services_section->front();
  // Tables: service type, sex, language (Afrikaans is in neither table: each profile's default).
  CHECK(gs.service_type == "alternative_care");
  CHECK(xs.service_type == "alternative_care_example");
  CHECK(g.value().sex == "male");
  CHECK(x.value().sex == "m");
  REQUIRE(g.value().language);
  REQUIRE(x.value().language);
  CHECK(*g.value().language == std::vector<std::string>{"language6"});
  CHECK(*x.value().language == std::vector<std::string>{"lang_other"});
  // Constants.
  CHECK(g.value().owned_by == "progresv4_primero_intake@cpims-gambella.primero.org");
  CHECK(x.value().owned_by == "intake@example-country.primero.example");
  CHECK(gs.service_implementing_agency == "UNICEF");
  CHECK(xs.service_implementing_agency == "EXAMPLE-NGO");
  CHECK(xs.service_response_type == "care_plan");
  CHECK(xs.unhcr_referral_status == "new");
  // What does not come from the profile is the same.
  CHECK(g.value().name_first == x.value().name_first);
  CHECK(gs.unique_id == xs.unique_id);
}

TEST_CASE("the accepted-type gate follows the profile's service_type table") {
  auto inputs = inputs_from_flat_rows(read_fixture("referralFromProgres_sample2408022.json"));
  REQUIRE(inputs.size() == 1);
  auto in = inputs.front();
  REQUIRE(in.intervention.progres_interventiontype2);
  in.intervention.progres_interventiontype2->Name = std::string("BID");
  // Gambella accepts BID (focuses_non_specialized_mhpss_care); the example country does not.
  auto g = progres_referral_to_primero_case(in, profile("gambella"), kCreate);
  REQUIRE(g);
  CHECK(g.value().services_section->front().service_type == "focuses_non_specialized_mhpss_care");
  auto x = progres_referral_to_primero_case(in, profile("example-country"), kCreate);
  REQUIRE_FALSE(x);
  CHECK(x.error().code == refbridge::ErrorCode::kRejected);
  CHECK(x.error().rule == "accepted-type-gate");
}
