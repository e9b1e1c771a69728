#pragma once
// The fixture of workflow 1.1's unit tests: FakePing / FakePrimero answering with worked example
// 1's data (referralFromProgres_sample2408022.json split into PING models by the mapping tests'
// helper), an empty Primero that creates and updates cases, a PING that takes every transfer
// status update, and an in-memory ledger. Each test scripts the listing.
#include "referrals_to_primero.h"
#include "refbridge/ledger.h"

#include "flat_rows.h"
#include "refbridge/ping/fake.h"
#include "refbridge/ping/serde.h"
#include "refbridge/primero/fake.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>

namespace refbridge::referrals_test {

template <class T>
inline T parse(const std::string& text) {
  auto r = json::parse<T>(text);
  INFO(text);
  REQUIRE(r);
  return std::move(r).value();
}

inline std::string summary_json(const std::string& number, const mappings::ProgresReferralToPrimeroCaseInput& in) {
  return R"({"progres_lpinterventionid":")" + in.intervention.progres_lpinterventionid +
         R"(","progres_interventionnumber":")" + number + R"(","progres_individualid":")" +
         in.individual.progres_id + R"("})";
}

/// See the file comment.
struct Fixture {
  ping::FakePing ping;
  primero::FakePrimero primero;
  Profile profile;
  FixedClock clock{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}};
  std::ostringstream log_text;
  Logger log{log_text};
  mappings::ProgresReferralToPrimeroCaseInput in;
  std::unique_ptr<Ledger> ledger = open_sqlite_ledger(":memory:").value();
  workflows::SyncSettings sync = [] {
    workflows::SyncSettings s;
    s.concurrency = 1;  // the fakes' call order is asserted below
    s.retry_initial = std::chrono::seconds(0);
    return s;
  }();
  workflows::Sleeper sleep = [](std::chrono::milliseconds) {};

  Fixture() {
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
    auto inputs = mapping_test::inputs_from_flat_rows(mapping_test::read_fixture("referralFromProgres_sample2408022.json"));
    REQUIRE(inputs.size() == 1);
    in = inputs.front();

    ping.get_intervention_handler = [this](const ping::GetInterventionRequest&) -> Result<ping::Intervention> {
      return in.intervention;
    };
    ping.get_individual_handler = [this](const ping::GetIndividualRequest&) -> Result<ping::Individual> {
      return in.individual;
    };
    ping.list_individual_languages_handler = [this](const ping::ListIndividualLanguagesRequest&) {
      ping::IndividualLanguageList list;
      list.items = in.languages;
      return Result<ping::IndividualLanguageList>(list);
    };
    ping.list_individual_specific_needs_handler = [this](const ping::ListIndividualSpecificNeedsRequest&) {
      ping::SpecificNeedList list;
      list.items = in.specific_needs;
      return Result<ping::SpecificNeedList>(list);
    };
    ping.update_transfer_status_handler = [](const ping::UpdateTransferStatusRequest& req) {
      return json::parse<ping::TransferStatus>(R"({"progres_lpinterventionid":")" + req.interventionId +
                                               R"(","transferStatus":"transferred"})");
    };
    primero.list_cases_handler = [](const primero::ListCasesRequest&) {
      return json::parse<primero::CaseList>(R"({"data":[],"metadata":{"total":0,"per":50,"page":1}})");
    };
    primero.update_case_handler = [](const primero::UpdateCaseRequest& req) -> Result<primero::CaseEnvelope> {
      return json::parse<primero::CaseEnvelope>(R"({"data":{"id":")" + req.id + R"("}})");
    };
    int created = 0;
    primero.create_case_handler = [created](const primero::CreateCaseRequest&) mutable
        -> Result<std::optional<primero::CaseEnvelope>> {
      ++created;
      const std::string n = std::to_string(created);
      REFBRIDGE_TRY(auto envelope, json::parse<primero::CaseEnvelope>(R"({"data":{"id":"0000000)" + n +
                                                                    R"(-0000-4000-8000-000000000000","case_id":"case-)" +
                                                                    n + R"("}})"));
      return std::optional<primero::CaseEnvelope>(std::move(envelope));
    };
  }

  workflows::RunReport run() {
    const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
    const workflows::ReferralsToPrimeroDeps deps{ping, primero, profile, engine, 2};
    return workflows::run_referrals_to_primero(deps);
  }
};

}  // namespace refbridge::referrals_test
