// See workflow_harness.h.
#include "workflow_harness.h"

#include "decisions_to_primero.h"
#include "decisions_to_progres.h"
#include "referrals_to_primero.h"
#include "referrals_to_progres.h"

#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include <algorithm>

namespace refbridge::faults_test {
namespace {

constexpr const char* kToken = "fault-test-ping-token-1234";
constexpr const char* kPassword = "fault-test-primero-password-1234";
constexpr const char* kUser = "primero_api";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

std::string str_or(const rapidjson::Value& v, const char* key, const char* fallback = "") {
  return v.IsObject() && v.HasMember(key) && v[key].IsString() ? v[key].GetString() : fallback;
}

workflows::SyncSettings sync_settings() {
  workflows::SyncSettings s;
  s.retry_initial = std::chrono::seconds(0);  // a failed record is retried by the very next run
  s.ingestion_poll_interval = std::chrono::milliseconds(100);
  s.ingestion_timeout = std::chrono::seconds(1);  // 10 polls (counted, not waited: no-op sleeper)
  s.primero_page_size = 2;                        // several pages
  s.initial_cursor = "2021-01-01T00:00:00.000Z";  // before the pilot's fixture cases (2.1)
  return s;
}

RetrySettings retry_settings(bool in_call_retries) {
  RetrySettings r;
  if (!in_call_retries) {
    r.policy = RetryPolicy::no_retry();
    return r;
  }
  r.policy.max_attempts = 3;
  r.policy.initial_backoff = std::chrono::milliseconds(1);
  r.policy.jitter_seed = 1;
  r.sleep = [](std::chrono::milliseconds) { return true; };  // decided, never waited
  return r;
}

// 1.1: per intervention its transfer status (and the rule of a failure), per individual its cases.
void target_state_11(sandbox::Sandbox& box, std::map<std::string, std::string>& out) {
  const auto ping = parse(box.ping_interventions_json());
  for (const auto& iv : ping["data"].GetArray()) {
    const std::string id = str_or(iv, "progres_lpinterventionid");
    std::string state = str_or(iv, "transferStatus");
    const auto history = box.transfer_history(id);
    if (state == "failed" && !history.empty()) {
      const auto reason = history.back().reason.value_or("");
      state += ":" + reason.substr(0, reason.find(':'));
    }
    out["ping/" + str_or(iv, "progres_interventionnumber")] = state;
  }
  const auto cases = parse(box.primero_cases_json());
  for (const auto& c : cases["data"].GetArray()) {
    std::vector<std::string> rows;
    if (c.HasMember("services_section") && c["services_section"].IsArray()) {
      for (const auto& s : c["services_section"].GetArray()) rows.push_back(str_or(s, "progres_interventionnumber", "-"));
    }
    std::sort(rows.begin(), rows.end());
    std::string text = "case[";
    for (const auto& r : rows) text += r + ",";
    out["primero/" + str_or(c, "unhcr_individual_no", "-")] += text + "]";
  }
}

// 1.2: per intervention the decisions PING recorded.
void target_state_12(sandbox::Sandbox& box, std::map<std::string, std::string>& out) {
  const auto ping = parse(box.ping_interventions_json());
  for (const auto& iv : ping["data"].GetArray()) {
    std::string text;
    for (const auto& d : box.intervention_decisions(str_or(iv, "progres_lpinterventionid"))) {
      text += d.status + "/" + d.closure_reason.value_or("-") + ";";
    }
    out["ping/" + str_or(iv, "progres_interventionnumber")] = text;
  }
}

// 2.1: per ingested referral id, the number of stored copies.
void target_state_21(sandbox::Sandbox& box, std::map<std::string, std::string>& out) {
  const auto incoming = parse(box.ping_incoming_referrals_json());
  std::map<std::string, int> copies;
  for (const auto& r : incoming["data"].GetArray()) {
    if (r.HasMember("ingestedReferral")) ++copies[str_or(r["ingestedReferral"], "id")];
  }
  for (const auto& [id, n] : copies) out["ping/" + id] = std::to_string(n) + " stored";
}

// 2.2: per incoming decision its sync status; per Primero case its referrals and their statuses.
void target_state_22(sandbox::Sandbox& box, std::map<std::string, std::string>& out) {
  const auto incoming = parse(box.ping_incoming_referrals_json());
  for (const auto& r : incoming["data"].GetArray()) {
    out["sync/" + str_or(r, "progres_interoperabilityreferralid")] = str_or(r, "syncStatus");
  }
  const auto cases = parse(box.primero_cases_json());
  for (const auto& c : cases["data"].GetArray()) {
    const std::string id = str_or(c, "id");
    const auto referrals = parse(box.primero_referrals_json(id).value_or(R"({"data":[]})"));
    std::string text;
    for (const auto& r : referrals["data"].GetArray()) text += str_or(r, "id") + "=" + str_or(r, "status") + ";";
    out["primero/" + id] = text;
  }
}

}  // namespace

std::string name(Workflow w) {
  switch (w) {
    case Workflow::k11: return "1.1";
    case Workflow::k12: return "1.2";
    case Workflow::k21: return "2.1";
    case Workflow::k22: return "2.2";
  }
  return "?";
}

const Endpoints& endpoints(Workflow w) {
  static const Endpoints e11{{{"GET", "/v1/interventions/*"}, {"GET", "/v1/individuals/**"}, {"GET", "/api/v2/cases"}},
                             {{"POST", "/api/v2/cases"}, {"PATCH", "/api/v2/cases/*"}, {"PATCH", "/v1/interventions/*/transfer-status"}}};
  static const Endpoints e12{{{"GET", "/api/v2/cases"}},
                             {{"POST", "/v1/ingestion/referral-decisions"}, {"GET", "/v1/ingestion/transactions/*"}}};
  static const Endpoints e21{{{"GET", "/api/v2/cases"}, {"GET", "/api/v2/cases/*/referrals"}, {"GET", "/api/v2/users"}},
                             {{"POST", "/v1/ingestion/referrals"}, {"GET", "/v1/ingestion/transactions/*"}}};
  static const Endpoints e22{{{"GET", "/v1/referrals/incoming/*"}, {"GET", "/api/v2/cases"}, {"GET", "/api/v2/cases/*/referrals"}},
                             {{"PATCH", "/api/v2/cases/*/referrals/*"}, {"PATCH", "/v1/referrals/incoming/*/sync-status"}}};
  switch (w) {
    case Workflow::k11: return e11;
    case Workflow::k12: return e12;
    case Workflow::k21: return e21;
    case Workflow::k22: return e22;
  }
  return e11;
}

WorkflowHarness::WorkflowHarness(Workflow w) : w_(w) {
  sandbox::SandboxOptions options;
  options.primero_password = kPassword;
  options.ping_token = kToken;
  // Primero <= 2.10 (JWT login): the fault matrix's token-expiry row acts on JWTs only. The SDK's
  // 2.11+ session login is proven against the sandbox in tests/security and tests/sdk.
  options.primero_version = "2.10.3";
  auto box = sandbox::Sandbox::start(options);
  REQUIRE(box);
  box_ = std::move(box).value();
  log_ = std::make_unique<Logger>(log_text_);
  ledger_ = open_sqlite_ledger(":memory:").value();
  // 1.1 and 2.2 on the worked examples' date; 1.2 and 2.1 read Primero by last_updated_at: now.
  if (w == Workflow::k11 || w == Workflow::k22) {
    clock_ = std::make_unique<FixedClock>(std::chrono::sys_days{std::chrono::year{2025} / 1 / 1});
  } else {
    clock_ = std::make_unique<SystemClock>();
  }
  profile_ = load_profile(REFBRIDGE_PROFILE_PATH).value();
  seed();
}

WorkflowHarness::~WorkflowHarness() = default;

void WorkflowHarness::seed() {
  switch (w_) {
    case Workflow::k11:
      REQUIRE(box_->seed_ping_from_fixtures(REFBRIDGE_FIXTURES_DIR));
      break;
    case Workflow::k12:
      REQUIRE(box_->seed_synthetic_interventions(4, 12));
      REQUIRE(box_->seed_synthetic_primero_cases(4, sandbox::SyntheticCaseKind::kDecisions, 12));
      // A decision on an intervention PING does not hold: rejected by PING (content rule).
      REQUIRE(box_->add_primero_case(
          R"({"id":"0a0b0c0d-0000-4000-8000-00000000c404","case_id":"0a0b0c0d-0000-4000-8000-00000000ca5e",)"
          R"("module_id":"primeromodule-cp","services_section":[{"unique_id":"0a0b0c0d-0000-4000-8000-0000000000aa",)"
          R"("progres_interventionnumber":"UNKNOWN-404","service_referral":"external_referral",)"
          R"("service_request_agency":"UNHCR","unhcr_referral_status":"accepted"}]})"));
      break;
    case Workflow::k21:
      REQUIRE(box_->seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR));
      REQUIRE(box_->seed_synthetic_primero_cases(4, sandbox::SyntheticCaseKind::kReferralsToUnhcr, 21));
      break;
    case Workflow::k22: {
      REQUIRE(box_->seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR));
      REQUIRE(box_->seed_ping_decisions_from_fixtures(REFBRIDGE_FIXTURES_DIR));
      auto cases = box_->seed_synthetic_primero_cases(3, sandbox::SyntheticCaseKind::kReferralsToUnhcr, 11);
      REQUIRE(cases);
      std::vector<std::string> org_ids;
      for (const auto& c : cases.value()) org_ids.push_back(c.org_referral_id());
      REQUIRE(box_->seed_synthetic_decisions(org_ids, 11));
      break;
    }
  }
}

workflows::RunReport WorkflowHarness::run(bool in_call_retries, std::chrono::milliseconds timeout) {
  HttpOptions http;
  http.connect_timeout = timeout;
  http.total_timeout = timeout;
  auto ping_transport = make_curl_transport(http);
  auto primero_transport = make_curl_transport(http);
  auto ping_auth = make_static_bearer(kToken);
  auto primero_auth = make_primero_token_login(box_->primero_base_url(), kUser, kPassword, *primero_transport);
  auto ping_conn = ApiConnection::create(box_->ping_base_url(), *ping_transport, *ping_auth, retry_settings(in_call_retries));
  auto primero_conn =
      ApiConnection::create(box_->primero_base_url(), *primero_transport, *primero_auth, retry_settings(in_call_retries));
  REQUIRE(ping_conn);
  REQUIRE(primero_conn);
  ping::PingClient ping(ping_conn.value());
  primero::PrimeroClient primero(primero_conn.value());
  const workflows::SyncSettings sync = sync_settings();
  const workflows::Sleeper sleep = [](std::chrono::milliseconds) {};
  const workflows::EngineDeps engine{*ledger_, sync, *clock_, *log_, sleep};
  switch (w_) {
    case Workflow::k11:
      return workflows::run_referrals_to_primero({ping, primero, profile_, engine, 100});
    case Workflow::k12:
      return workflows::run_decisions_to_progres({ping, primero, profile_, engine});
    case Workflow::k21: {
      workflows::UnhcrIdentity unhcr;
      unhcr.user_names = {"unhcr_cw@cpims-gambella.primero.org", "unhcr_cw"};
      unhcr.agencies = {"UNHCR"};
      unhcr.fallback_contact_user = "cpims_admin";
      return workflows::run_referrals_to_progres({ping, primero, profile_, unhcr, engine});
    }
    case Workflow::k22:
      return workflows::run_decisions_to_primero({ping, primero, profile_, engine, 2});
  }
  FAIL("unknown workflow");
  return workflows::run_referrals_to_primero({ping, primero, profile_, engine, 100});
}

std::map<std::string, std::string> WorkflowHarness::ledger_states() const {
  std::map<std::string, std::string> out;
  auto rows = ledger_->list(name(w_), std::nullopt, 100000);
  REQUIRE(rows);
  for (const auto& r : rows.value()) {
    std::string s(to_string(r.state));
    if (r.state == LedgerState::kRejected) s += ":" + r.error_code;
    out[r.source_key] = s;
  }
  return out;
}

std::map<std::string, std::string> WorkflowHarness::target_state() const {
  std::map<std::string, std::string> out;
  switch (w_) {
    case Workflow::k11: target_state_11(*box_, out); break;
    case Workflow::k12: target_state_12(*box_, out); break;
    case Workflow::k21: target_state_21(*box_, out); break;
    case Workflow::k22: target_state_22(*box_, out); break;
  }
  return out;
}

}  // namespace refbridge::faults_test
