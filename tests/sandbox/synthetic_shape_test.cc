// Shapes of the sandbox's synthetic load (issue "No duplicate, ever"): several interventions per
// child on the PING side, several referrals (and so decisions) per case on the Primero side, with
// exact counts when the total is not a multiple of the group size.
#include "test_support.h"

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace sandbox_test;
using refbridge::sandbox::SyntheticCaseKind;

namespace {

const std::set<std::string> kAcceptedTypes = {"Alternative Care", "BIA", "BID", "Family Tracing and Reunification"};

/// Group sizes, in order of first appearance of each key.
std::vector<std::size_t> group_sizes(const std::vector<std::string>& keys) {
  std::vector<std::string> order;
  std::map<std::string, std::size_t> count;
  for (const auto& k : keys) {
    if (count[k]++ == 0) order.push_back(k);
  }
  std::vector<std::size_t> sizes;
  for (const auto& k : order) sizes.push_back(count[k]);
  return sizes;
}

}  // namespace

TEST_CASE("synthetic interventions: K per child share one individual", "[sandbox][ping][synthetic][shape]") {
  auto sb = start_sandbox();
  auto c = ping_client(*sb);

  // 10 interventions, 4 per child: 3 individuals holding 4, 4 and 2.
  auto report = sb->seed_synthetic_interventions(10, 5, 4);
  REQUIRE(report.has_value());
  CHECK(report.value().interventions == 10);
  CHECK(report.value().individuals == 3);
  CHECK(report.value().specific_needs == 3);
  CHECK(report.value().languages >= 3);
  CHECK(report.value().languages <= 6);  // a child's rows repeat its languages: 1 or 2 per child
  CHECK(report.value().notices.empty());

  auto listed = parse(c->Get("/v1/referrals/outgoing?transferStatus=pending&pageSize=1000")->body);
  REQUIRE(listed["items"].Size() == 10);
  std::vector<std::string> people;
  std::set<std::string> numbers;
  std::map<std::string, std::vector<std::string>> types_of;  // individual -> types of its interventions
  for (const auto& item : listed["items"].GetArray()) {
    auto iv = parse(c->Get(("/v1/interventions/" + encode(str(item, "progres_lpinterventionid"))).c_str())->body);
    const std::string number = str(iv, "progres_interventionnumber");
    const std::string person = str(item, "progres_individualid");
    numbers.insert(number);
    people.push_back(person);
    const std::string type = str(iv["progres_interventiontype2"], "Name");
    CHECK(kAcceptedTypes.count(type) == 1);  // every one deliverable
    types_of[person].push_back(type);
    // SYN-<i> belongs to individual (i - 1) / 4 + 1.
    const int i = std::stoi(number.substr(4));
    char expected[32];
    std::snprintf(expected, sizeof expected, "SYN-IND-%08d", (i - 1) / 4 + 1);
    CHECK(person == expected);
  }
  CHECK(numbers.size() == 10);  // distinct progres_interventionnumber
  std::multiset<std::size_t> sizes;
  for (auto s : group_sizes(people)) sizes.insert(s);
  CHECK(sizes == std::multiset<std::size_t>{4, 4, 2});
  for (const auto& [person, types] : types_of) {
    CHECK(std::set<std::string>(types.begin(), types.end()).size() == types.size());  // types vary within a child
    auto ind = parse(c->Get(("/v1/individuals/" + encode(person)).c_str())->body);
    CHECK(str(ind, "progres_givenname") == "Synth" + std::to_string(std::stoi(person.substr(8))));
    auto langs = parse(c->Get(("/v1/individuals/" + encode(person) + "/languages").c_str())->body);
    CHECK(langs["items"].Size() >= 1);
    CHECK(langs["items"].Size() <= 2);
  }

  // Deterministic: the same call again changes nothing; a bad group size is an error.
  auto again = sb->seed_synthetic_interventions(10, 5, 4);
  REQUIRE(again.has_value());
  CHECK(again.value().interventions == 10);
  CHECK(again.value().individuals == 3);
  CHECK(again.value().languages == report.value().languages);
  CHECK_FALSE(sb->seed_synthetic_interventions(10, 5, 0).has_value());
  CHECK_FALSE(sb->seed_synthetic_interventions(10, 5, 1001).has_value());
}

TEST_CASE("synthetic interventions: one per child by default", "[sandbox][ping][synthetic][shape]") {
  auto sb = start_sandbox();
  auto report = sb->seed_synthetic_interventions(9, 5);
  REQUIRE(report.has_value());
  CHECK(report.value().interventions == 9);
  CHECK(report.value().individuals == 9);
  auto exact = sb->seed_synthetic_interventions(8, 5, 4);  // SYN-1..8 already held: nothing new
  REQUIRE(exact.has_value());
  CHECK(exact.value().interventions == 9);
  CHECK(exact.value().individuals == 9);
}

TEST_CASE("synthetic referrals to UNHCR: K per case on distinct service rows", "[sandbox][primero][synthetic][shape]") {
  auto sb = start_sandbox();

  // 7 referrals, 3 per case: 3 cases holding 3, 3 and 1.
  auto made = sb->seed_synthetic_primero_cases(7, SyntheticCaseKind::kReferralsToUnhcr, 11, 3);
  REQUIRE(made.has_value());
  const auto& referrals = made.value();
  REQUIRE(referrals.size() == 7);
  CHECK(sb->primero_case_count() == 3);
  std::vector<std::string> records;
  std::set<std::string> rows;
  std::set<std::string> referral_ids;
  std::set<std::string> org_ids;
  for (const auto& r : referrals) {
    records.push_back(r.record_id);
    rows.insert(r.service_unique_id);
    referral_ids.insert(r.referral_id);
    org_ids.insert(r.org_referral_id());
  }
  CHECK(group_sizes(records) == std::vector<std::size_t>{3, 3, 1});
  CHECK(rows.size() == 7);
  CHECK(referral_ids.size() == 7);
  CHECK(org_ids.size() == 7);

  for (std::size_t first = 0; first < referrals.size(); first += 3) {
    const auto& record_id = referrals[first].record_id;
    const std::size_t k = std::min<std::size_t>(3, referrals.size() - first);
    auto kase = parse(*sb->primero_case_json(record_id));
    CHECK(str(kase, "case_id") == referrals[first].case_id);
    CHECK(str(kase, "owned_by") == "openfn_testing");
    REQUIRE(kase["services_section"].Size() == k);
    auto refs = parse(*sb->primero_referrals_json(record_id));
    REQUIRE(refs["data"].Size() == k);
    std::set<std::string> types;
    for (std::size_t j = 0; j < k; ++j) {
      const auto& row = kase["services_section"][static_cast<rapidjson::SizeType>(j)];
      const auto& mine = referrals[first + j];
      CHECK(mine.record_id == record_id);
      CHECK(str(row, "unique_id") == mine.service_unique_id);
      CHECK(str(row, "service_implementing_agency") == "UNHCR");
      types.insert(str(row, "service_type"));
      // Each referral points at its own service row.
      CHECK(str(refs["data"][static_cast<rapidjson::SizeType>(j)], "service_record_id") == mine.service_unique_id);
      CHECK(str(refs["data"][static_cast<rapidjson::SizeType>(j)], "service") == str(row, "service_type"));
      CHECK(sb->primero_referral_status(record_id, mine.referral_id) == std::optional<std::string>("in_progress"));
    }
    CHECK(types.size() == k);  // 3 service types, successive ones per case
  }

  // Decisions follow the referrals: K decisions per case.
  std::vector<std::string> decided;
  for (const auto& r : referrals) decided.push_back(r.org_referral_id());
  auto decisions = sb->seed_synthetic_decisions(decided, 11);
  REQUIRE(decisions.has_value());
  CHECK(decisions.value().decisions == 7);
  std::vector<std::string> case_of_decision;
  for (const auto& org : decided) {
    REQUIRE(sb->incoming_referral_id(org).has_value());
    case_of_decision.push_back(org.substr(0, org.find('#')));
  }
  CHECK(group_sizes(case_of_decision) == std::vector<std::size_t>{3, 3, 1});

  // Deterministic and idempotent; a bad group size is an error.
  auto again = sb->seed_synthetic_primero_cases(7, SyntheticCaseKind::kReferralsToUnhcr, 11, 3);
  REQUIRE(again.has_value());
  REQUIRE(again.value().size() == 7);
  CHECK(again.value().back().referral_id == referrals.back().referral_id);
  CHECK(sb->primero_case_count() == 3);
  CHECK(parse(*sb->primero_referrals_json(referrals.front().record_id))["data"].Size() == 3);
  CHECK_FALSE(sb->seed_synthetic_primero_cases(7, SyntheticCaseKind::kReferralsToUnhcr, 11, 0).has_value());
}

TEST_CASE("synthetic decision cases: K decided referrals per case", "[sandbox][primero][synthetic][shape]") {
  auto sb = start_sandbox();

  // 5 decided referrals, 2 per case: 3 cases holding 2, 2 and 1; row j of case c is SYN-<2(c-1)+j+1>.
  auto made = sb->seed_synthetic_primero_cases(5, SyntheticCaseKind::kDecisions, 7, 2);
  REQUIRE(made.has_value());
  REQUIRE(made.value().size() == 5);
  CHECK(sb->primero_case_count() == 3);
  std::vector<std::string> records;
  for (const auto& r : made.value()) records.push_back(r.record_id);
  CHECK(group_sizes(records) == std::vector<std::size_t>{2, 2, 1});
  std::set<std::string> numbers;
  std::set<std::string> rows;
  for (std::size_t i = 0; i < made.value().size(); ++i) {
    const auto& r = made.value()[i];
    CHECK(r.referral_id.empty());
    auto kase = parse(*sb->primero_case_json(r.record_id));
    CHECK(str(kase, "name_first") == "Synth" + std::to_string(i / 2 + 1));
    const auto& row = kase["services_section"][static_cast<rapidjson::SizeType>(i % 2)];
    CHECK(str(row, "unique_id") == r.service_unique_id);
    CHECK(str(row, "progres_interventionnumber") == "SYN-" + std::to_string(i + 1));
    CHECK(str(row, "service_referral") == "external_referral");
    CHECK(str(row, "service_request_agency") == "UNHCR");
    const std::string status = str(row, "unhcr_referral_status");
    CHECK((status == "accepted" || status == "rejected"));
    CHECK(row.HasMember("unhcr_referral_rejection_reason") == (status == "rejected"));
    numbers.insert(str(row, "progres_interventionnumber"));
    rows.insert(r.service_unique_id);
  }
  CHECK(numbers.size() == 5);
  CHECK(rows.size() == 5);
}
