#pragma once
// refbridge sandbox: a local PING server and a local Primero v2 server in one process, on
// 127.0.0.1, with all state in memory. Used by the demo and by end-to-end tests.
//
// It deliberately works on generic RapidJSON documents (not the generated models) so that it is
// an independent check of the generated clients. Contracts followed:
//   PING    ../shared/docs/ping-api.md (the operations table) and schemas/ping/openapi.yaml;
//   Primero ../shared/docs/primero-api-v2.md §1-§5 and the emulator checklist §10.
//
// PING OAuth2 (SandboxOptions::ping_oauth, ping_oauth.h): POST /oauth2/token issues client
// credentials tokens; every other PING call then needs one of them (or ping_token). TLS
// (SandboxOptions::tls): both servers over HTTPS, optionally requiring client certificates.
// PING server (Bearer token required when SandboxOptions::ping_token is set; errors are
// RFC 7807 `application/problem+json` {type,title,status,detail,instance}):
//   GET   /v1/referrals/outgoing?transferStatus=&pageSize=&pageToken=   summaries, keyset paging
//   GET   /v1/interventions/{interventionId}
//   PATCH /v1/interventions/{interventionId}/transfer-status
//   GET   /v1/individuals/{individualId}  (+ /languages, /specific-needs)
//   admin, no auth, loopback peers only:
//   POST  /_sandbox/interventions/{interventionId}/requeue     transfer status back to pending
//   GET   /_sandbox/ping/interventions                         same as ping_interventions_json()
//   GET   /_sandbox/primero/cases                              same as primero_cases_json()
//   POST  /_sandbox/primero/services/decide?intervention=N&status=accepted|rejected[&reason=R]
//   GET   /_sandbox/stats   {"ping_requests","primero_requests" (API requests answered since the
//                           start, admin routes excluded), "cpu_user_ms","cpu_system_ms" (the
//                           sandbox process' CPU, getrusage)}: benchmarks read it before and
//                           after a run for the sandbox's CPU per request
//         a caseworker's decision on the service row of proGres referral N (a Primero PATCH)
// ---- PING ingestion and decisions ----
//   POST  /v1/ingestion/referrals, /v1/ingestion/referral-decisions   202 {transactionId, status: received}
//   GET   /v1/ingestion/transactions/{transactionId}             advances the transaction one step
//   GET   /v1/referrals/incoming/decisions?syncStatus=&pageSize=&pageToken=   summaries, keyset paging
//   GET   /v1/referrals/incoming/{referralId}                    InteroperabilityReferral + syncStatus
//   PATCH /v1/referrals/incoming/{referralId}/sync-status
//   admin: GET /_sandbox/ping/incoming-referrals, GET /_sandbox/ping/ingestions,
//          POST /_sandbox/ping/ingestion/fail-next?count=N
// Fault injection (faults.h): POST /_sandbox/faults with a plan (YAML or JSON) replaces the plan
//   of both servers (400 problem for an invalid plan), DELETE /_sandbox/faults clears it, GET
//   /_sandbox/faults answers {"rules":[{kind, method, path, matched, hits}]}.
// Ingestion: the body must be a JSON object with `records`, an array of 1..100 items (400 problem
// when malformed, empty or not an array; 413 problem above 100, as the contract says). Processing
// is deterministic: the POST answers received; each GET of the transaction is one processing step,
// and the GET number max(ingestion_polls_to_complete, 1) completes it (earlier GETs answer
// processing). Completion validates and stores every record (results: accepted | duplicate |
// rejected with errors {code, message, field}); see ping_ingestion.h for the rules.
// Decisions listing: incoming referrals with a review decision, oldest (first stored) first,
// same paging rules as the outgoing listing (tokens of one listing are refused by the other).
// sync-status: 400 malformed body, 422 unknown status or "failed" without reason, 404 unknown id.
// Path ids are percent-decoded segment by segment (ids may hold '/', '#', '%', spaces).
// Listing: stable order by intervention number; pageSize 1..1000 (default 50), else 400; the
// page token is opaque (base64url of the last key), so paging skips nothing when the client
// changes transfer statuses between pages. transfer-status: 400 for a malformed body, 422 for an
// unknown status, "transferred" without primeroCaseId or "failed" without reason; 404 unknown id.
// cpp-httplib 0.11 answers 400 to a POST without Content-Length: `curl -X POST -d '' URL`.
//
// Primero server (HTTP Basic with primero_user/primero_password on every version; by
// primero_version either a Bearer token from POST /api/v2/tokens (<= 2.10) or the session cookie
// of POST /api/v2/tokens + X-CSRF-Token on writes (>= 2.11); on every /api/v2 call except the
// public GET /api/v2/primero and POST /api/v2/tokens):
//   POST/DELETE /api/v2/tokens, GET /api/v2/primero, GET /api/v2/system_settings,
//   GET /api/v2/forms?record_type=&module_id=, GET /api/v2/lookups?page=&per= (§5.5a),
//   GET/POST /api/v2/cases, GET/PATCH/DELETE /api/v2/cases/{id}.
//   Case writes follow the configured forms (SandboxOptions::primero_forms_json): unknown members
//   are dropped, also inside subform rows; wrong types, options outside a field's lookup and
//   non-UUID row unique_ids are 422 Invalid Record JSON with JSON pointers (§3); date-times are
//   stored as UTC "YYYY-MM-DDThh:mm:ss.sssZ".
// ---- Primero referrals, users, seeding ----
//   GET/POST /api/v2/cases/{id}/referrals, PATCH and DELETE (revoke) /api/v2/cases/{case_id}/
//   referrals/{id}, POST /api/v2/cases/referrals (bulk: data.ids) (§6.2-§6.6; see
//   primero_referrals.h; a referral's `service` must be a service_type option, else 422 "/service"),
//   GET /api/v2/users?user_name=&page=&per= (§7.1), GET /api/v2/users/{id} (§7.2),
//   GET /api/v2/users/refer-to?record_type=case[&agency=&location=&service=] (§6.8).
//   Case list: `last_updated_at=<from>..<to>` / `<from>..` (inclusive, compared at whole seconds;
//   `..<to>` -> 500 as in Primero), `associated_user_names=a,b` / `[0]=` / `[]=` (any of; an
//   empty element is no value, a filter left without values is ignored), order_by + order
//   (default created_at desc) with ties broken by record id, so paging never skips or repeats.
//   Every write sets last_updated_at from a strictly increasing UTC millisecond clock.
//   admin (PING port, loopback): GET /_sandbox/primero/cases/{id}/referrals = primero_referrals_json().
// PATCH answers {"data": {id, enabled, <top-level fields whose value changed>, last_updated_at}}
// (changed subforms are returned whole, merged), as Primero does.
//
// Thread safety: every public member may be called from any thread while the servers run.

#include "faults.h"
#include "ping_oauth.h"  // ---- PING OAuth2 and TLS ----
#include "refbridge/error.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge {
class Logger;
}

namespace refbridge::sandbox {

struct SandboxOptions {
  std::string host = "127.0.0.1";
  int ping_port = 0;     ///< 0 = ephemeral
  int primero_port = 0;  ///< 0 = ephemeral
  std::string primero_user = "primero_api";
  std::string primero_password;  ///< empty = Primero authentication disabled (any caller accepted)
  std::string ping_token;        ///< empty = PING authentication disabled
  int primero_max_per = 1000;    ///< `per` is clamped to this (Primero >= 2.10.3: 1000)
  // ---- capacity (issue "Fast where it counts") ----
  /// Worker threads of each server (PING, Primero). A kept-alive connection holds one worker
  /// until it closes or idles out (5 s), and injected latency sleeps in the worker, so this must
  /// be at least the number of connections the clients under test hold at once (a run at
  /// sync.concurrency C holds up to C per server; overlapping runs add up; 72 = the largest
  /// sync.concurrency, 64, and spare): 64 requests in flight
  /// each delayed 20 ms then take ~20 ms, not 64 x 20. Must be >= 1 (kConfig otherwise).
  int server_threads = 72;
  /// Requests one kept-alive connection may carry before the server closes it (nginx's
  /// keepalive_requests default is 1000; cpp-httplib's own default of 5 makes clients reconnect
  /// every 5 requests). Must be >= 1 (kConfig otherwise).
  int keep_alive_max_requests = 10000;
  // ---- Primero as a configured instance (primero-api-v2.md §2, §5.1, §5.5a, §9) ----
  /// The version system_settings answers, "MAJOR.MINOR[.PATCH...]"; it picks the behaviour (§9):
  /// >= 2.11: POST /api/v2/tokens opens a server session (cookies _app_session + CSRF-TOKEN, no
  /// token in the body; 2.12+ expires the user's other sessions, 2.14+ adds group_permission);
  /// later calls carry the session cookie and, on POST/PATCH/DELETE, X-CSRF-Token (else 403);
  /// Bearer tokens are refused; an identifier filter's comma is literal (§5.1). <= 2.10: the JWT
  /// login (token in the body and the Authorization header, Bearer on later calls) and comma lists.
  /// HTTP Basic works in every version. kConfig when it does not parse.
  std::string primero_version = "2.15.2.1";
  /// The instance's forms, as GET /api/v2/forms answers them ({"data":[form...]} or a bare array;
  /// §5.5a); empty = the stock configuration (tools/sandbox/config/forms.json: primeromodule-cp +
  /// the Gambella profile's fields). Writes drop members naming no field and answer 422 with JSON
  /// pointers for a wrong type or an option outside the field's lookup. kConfig when invalid.
  std::string primero_forms_json;
  /// The instance's lookups, as GET /api/v2/lookups answers them ({"data":[lookup...]} or a bare
  /// array); empty = the stock lookups (tools/sandbox/config/lookups.json). kConfig when invalid.
  std::string primero_lookups_json;
  /// TEST ONLY: turns off the login throttle (more than 6 POST /api/v2/tokens per minute per
  /// user name -> 429 "Retry later" with Retry-After) and the lockout (6 consecutive password
  /// failures, Basic included, lock the API user for 30 minutes), both on by default (§2.7).
  bool primero_relaxed_login = false;
  /// COMPATIBILITY (tests whose workflow reads Primero by cursor): compare date-time ranges
  /// (`last_updated_at=<from>..<to>`) at milliseconds, the sandbox's earlier behaviour, instead of
  /// Primero's whole seconds (default). workflows/common/updated_cases.cc pages by the newest
  /// millisecond it read and re-reads forever when more than a page of cases share one second
  /// under whole-second ranges; set this in its harnesses until that reader copes.
  bool primero_millisecond_ranges = false;
  refbridge::Logger* logger = nullptr;  ///< not owned; ids, counts and statuses only
  // ---- PING ingestion and decisions ----
  /// The GET of an ingestion transaction that completes it: the GET number
  /// max(ingestion_polls_to_complete, 1); earlier GETs answer "processing". 0 and 1 both complete
  /// on the first GET. Must be >= 0 (kConfig otherwise).
  int ingestion_polls_to_complete = 2;
  // ---- crash-safety tests (tests/crash) ----
  /// Post-write hook: called once the sandbox has applied a write (a non-GET request to either
  /// server, admin routes included, answered 2xx) and BEFORE its answer is sent, on the server
  /// thread that handled it, with the method and the path (no query, no body). It may block: the
  /// crash test SIGKILLs the client here and waits for its death (the worst case: the write
  /// happened, the client never learned it). Empty (the default): no cost.
  std::function<void(std::string_view method, std::string_view path)> on_write;
  // ---- fault injection (faults.h, faults_http.h) ----
  /// Faults applied from the start (empty = none); replace or clear them later with
  /// Sandbox::set_faults() / clear_faults() or POST / DELETE /_sandbox/faults.
  FaultPlan faults;
  // ---- PING OAuth2 and TLS (ping_oauth.h) ----
  /// When set, PING serves POST /oauth2/token and accepts the tokens it issued (and `ping_token`,
  /// when not empty) on every other PING call. kConfig when client_secret is empty or
  /// token_lifetime_seconds < 1.
  std::optional<PingOAuthOptions> ping_oauth;
  /// Both servers over HTTPS when `certificate_file` is set (base URLs then start with https://).
  struct Tls {
    std::string certificate_file;  ///< PEM server certificate; empty = plain HTTP
    std::string key_file;          ///< PEM private key of certificate_file
    std::string client_ca_file;    ///< PEM CA; when set, clients must present a certificate it signed (mTLS)
  } tls;
};

/// Result of seeding PING from flat proGres rows. Entity counts are the distinct totals held by
/// the PING store after the call (the same intervention in several files counts once).
struct SeedReport {
  int files = 0;          ///< files parsed and used
  int files_skipped = 0;  ///< missing, unreadable, not JSON or of an unknown shape
  int rows = 0;           ///< flat rows read
  int interventions = 0;
  int individuals = 0;
  int languages = 0;
  int specific_needs = 0;
  std::vector<std::string> notices;  ///< one line per skipped file or row: "<file>: <reason>"
};

/// One PATCH .../transfer-status (or requeue) applied to an intervention.
struct TransferUpdate {
  std::string transfer_status;  ///< pending | transferred | failed
  std::optional<std::string> primero_case_id;
  std::optional<std::string> primero_record_id;
  std::optional<std::string> reason;
  std::string at;  ///< UTC "YYYY-MM-DDTHH:MM:SS.mmmZ"
};

// ---- PING ingestion and decisions ----
/// Result of seeding PING's incoming referrals (progres_interoperabilityreferral records with
/// proGres' review decision). Entity counts are the distinct totals held after the call.
struct DecisionSeedReport {
  int files = 0;               ///< files parsed and used
  int files_skipped = 0;       ///< missing, unreadable, not JSON or of an unknown shape
  int records = 0;             ///< decision records read
  int incoming_referrals = 0;  ///< incoming referrals held (with or without a decision)
  int decisions = 0;           ///< of which carry a review decision (listed by /decisions)
  std::vector<std::string> notices;  ///< "<origin>: record <i>: <reason>" (ids and member names only)
};

/// One synchronisation-status change of an incoming referral (PATCH .../sync-status, or a new
/// decision setting it back to pending).
struct SyncUpdate {
  std::string sync_status;  ///< pending | synchronised | failed
  std::optional<std::string> primero_referral_id;
  std::optional<std::string> reason;
  std::string at;  ///< UTC "YYYY-MM-DDTHH:MM:SS.mmmZ"
};

/// One Primero decision on an outgoing referral, as accepted by ingestReferralDecisions and
/// recorded on the intervention (so the demo can show that it reached proGres).
struct InterventionDecision {
  std::string case_id;                        ///< Primero case_id (UUID)
  std::string status;                         ///< acknowledged | rejected
  std::optional<std::string> closure_reason;  ///< absent when the record had none (or null)
  std::string transaction_id;                 ///< the ingestion transaction that stored it
  std::string at;                             ///< UTC "YYYY-MM-DDTHH:MM:SS.mmmZ"
};

// ---- Primero referrals, users, seeding ----
/// Result of seed_primero_from_fixtures(): what this call added.
struct PrimeroSeedReport {
  int files = 0;          ///< fixture files parsed and used
  int files_skipped = 0;  ///< missing, unreadable or not JSON (even after repair)
  int cases = 0;          ///< cases added
  int referrals = 0;      ///< referrals added
  /// "<file>: <reason>" (ids and counts only), e.g. the trailing-comma repair of getPrimeroCases.json.
  std::vector<std::string> notices;
};

/// What seed_synthetic_primero_cases() generates.
enum class SyntheticCaseKind {
  kDecisions,         ///< a proGres referral service row with UNHCR's decision (workflow 1.2 input)
  kReferralsToUnhcr,  ///< a UNHCR service referred to the UNHCR focal user (workflow 2.1 input)
};

/// One generated referral: its case and its service row. With several referrals per case
/// (seed_synthetic_primero_cases' per_case), consecutive elements share record_id and case_id.
struct SyntheticCase {
  std::string record_id;          ///< case `id` (URL id)
  std::string case_id;            ///< case `case_id`
  std::string service_unique_id;  ///< its services_section row (one row per element)
  std::string referral_id;        ///< kReferralsToUnhcr: the in_progress referral of that row; empty otherwise
  /// progres_orgreferralid "<case_id>#<last 12 characters of service_unique_id>" (workflows.md).
  [[nodiscard]] std::string org_referral_id() const { return case_id + "#" + service_unique_id.substr(service_unique_id.size() - 12); }
};

class Sandbox {
 public:
  /// The flow A files read by seed_ping_from_fixtures(), in reading order.
  static const std::vector<std::string>& flow_a_fixture_files();

  /// Binds both servers (ephemeral ports when 0) and serves them on background threads.
  /// Errors: kConfig for an invalid option, kIo when a port cannot be bound.
  static refbridge::Result<std::unique_ptr<Sandbox>> start(SandboxOptions options);

  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  [[nodiscard]] int ping_port() const;
  [[nodiscard]] int primero_port() const;
  [[nodiscard]] std::string ping_base_url() const;     ///< "http://127.0.0.1:<port>" (https:// with TLS)
  [[nodiscard]] std::string primero_base_url() const;  ///< "http://127.0.0.1:<port>"

  /// Reads the flow A fixture files of flow_a_fixture_files() from `fixtures_dir` (never
  /// `other-branches/`), splits each flat row into intervention, individual, languages and
  /// specific needs, and aggregates duplicates. A missing or invalid file is a notice, not an error.
  /// Errors: kIo when `fixtures_dir` is not a directory.
  refbridge::Result<SeedReport> seed_ping_from_fixtures(const std::filesystem::path& fixtures_dir);
  /// Seeds from one JSON text: `{"interventions":[rows]}` or a bare array of rows. `origin` names
  /// the source in notices. Errors: kInvalidInput when the text is not JSON or of another shape.
  refbridge::Result<SeedReport> seed_ping_from_json(std::string_view json_text, std::string_view origin);

  /// {"data":[...all cases, newest first...]}, indented.
  [[nodiscard]] std::string primero_cases_json() const;
  /// {"data":[{...intervention..., "transferStatus", "transferHistory":[...]}]} by intervention number, indented.
  [[nodiscard]] std::string ping_interventions_json() const;
  /// Sets the transfer status back to pending (recorded in the history). Returns false when unknown.
  bool requeue_intervention(const std::string& intervention_id);

  // ---- for tests -------------------------------------------------------------------------
  /// Current transfer status of an intervention, if it exists.
  [[nodiscard]] std::optional<std::string> transfer_status(const std::string& intervention_id) const;
  /// Every transfer-status update applied to an intervention, oldest first.
  [[nodiscard]] std::vector<TransferUpdate> transfer_history(const std::string& intervention_id) const;
  /// Intervention ids ordered by intervention number.
  [[nodiscard]] std::vector<std::string> intervention_ids() const;
  /// Adds a Primero case as POST /api/v2/cases would (same defaults and validation), acting as
  /// primero_user; returns the created case as JSON text. Errors: kUnprocessable, kConflict, kInvalidInput.
  refbridge::Result<std::string> add_primero_case(std::string_view case_data_json);
  /// One case (JSON text of the record) by record id.
  [[nodiscard]] std::optional<std::string> primero_case_json(const std::string& record_id) const;
  [[nodiscard]] std::size_t primero_case_count() const;

  // ---- PING ingestion and decisions ----
  /// The decision files read by seed_ping_decisions_from_fixtures(), in reading order:
  /// progresDecision__flow2-3.json (current shape) and progres_referralDecisionToPrimero.json.
  static const std::vector<std::string>& decision_fixture_files();
  /// Reads the decision files (`{"interventions":[InteroperabilityReferral...]}`, §7 and §9.1 of
  /// openfn-primero-progres.md) from `fixtures_dir` into PING's incoming referrals, syncStatus
  /// pending. Member names are kept exactly as found; every member the contract does not name
  /// (e.g. the correctly spelt …rejectioncomment), every placeholder value "string" and every
  /// review decision other than 125080000/125080001 is a notice. A record without
  /// progres_interoperabilityreferralid gets a generated (name-based) GUID, with a notice. A record
  /// whose id or progres_orgreferralid is already held is merged into that record (re-seeding
  /// changes nothing). Errors: kIo when `fixtures_dir` is not a directory.
  refbridge::Result<DecisionSeedReport> seed_ping_decisions_from_fixtures(const std::filesystem::path& fixtures_dir);
  /// Adds (or merges, as above) one InteroperabilityReferral document as a pending decision and
  /// returns its progres_interoperabilityreferralid. Errors: kInvalidInput when not a JSON object.
  refbridge::Result<std::string> add_ping_decision(std::string_view interoperability_referral_json);
  /// proGres staff deciding an incoming referral: sets progres_reviewdecision (option code, §8.7),
  /// progres_interoperabiltyreferralrejectionreason and progres_interoperabilityreferralrejectionomment
  /// (contract spellings; when given), progres_reviewdate (now, UTC) and syncStatus pending.
  /// Returns the referral's progres_interoperabilityreferralid. Errors: kNotFound for an unknown
  /// progres_orgreferralid.
  refbridge::Result<std::string> decide_incoming_referral(const std::string& org_referral_id,
                                                          const std::string& review_decision_code,
                                                          const std::optional<std::string>& reason_code = std::nullopt,
                                                          const std::optional<std::string>& comment = std::nullopt);
  /// {"data":[{...referral..., "syncStatus", "syncHistory":[...], "ingestedReferral"?}]}, oldest
  /// first, indented (for the demo; carries the ingested payload, so never log it).
  [[nodiscard]] std::string ping_incoming_referrals_json() const;
  /// {"data":[{transactionId, kind, status, receivedAt, completedAt?, polls, recordCount,
  /// results?, error?}]} in submission order, indented (no record contents).
  [[nodiscard]] std::string ping_ingestions_json() const;
  /// The next `n` ingestions (n >= 0; replaces any earlier count) end in status failed with error
  /// {code: "processing-error"} and store nothing.
  void fail_next_ingestions(int n);
  /// Current syncStatus of an incoming referral (by progres_interoperabilityreferralid), if held.
  [[nodiscard]] std::optional<std::string> sync_status(const std::string& referral_id) const;
  /// Every syncStatus change of an incoming referral, oldest first.
  [[nodiscard]] std::vector<SyncUpdate> sync_history(const std::string& referral_id) const;
  /// The progres_interoperabilityreferralid of the incoming referral with this progres_orgreferralid.
  [[nodiscard]] std::optional<std::string> incoming_referral_id(const std::string& org_referral_id) const;
  /// Number of ingestion transactions received (any status).
  [[nodiscard]] std::size_t transaction_count() const;
  /// Primero decisions recorded on an intervention (by progres_lpinterventionid), oldest first.
  [[nodiscard]] std::vector<InterventionDecision> intervention_decisions(const std::string& intervention_id) const;

  /// Load generation: `n` (0..1,000,000) pending outgoing referral interventions of
  /// ceil(n / per_child) individuals, `per_child` (1..1000) each, the last one fewer (issue "No
  /// duplicate, ever": real proGres data has several interventions per child). Individuals
  /// "SYN-IND-<(i - 1) / per_child + 1, 8 digits>" (names "Synth<that number>" / "Synthetic",
  /// registration group, date of birth, sex, one or two §8.3 languages, a specific need; the same
  /// on each of its interventions). All pass workflow 1.1's mapping: types Alternative Care, BIA,
  /// BID, Family Tracing and Reunification, a child's interventions taking successive ones.
  /// Intervention numbers "SYN-<i>" (i = 1..n, the numbers Primero's synthetic decision cases refer
  /// to); `seed` draws types, languages, dates and codes. The same (n, seed, per_child) always
  /// yields the same records, so calling again changes nothing (ids do not depend on the seed: a
  /// second seed only fills gaps). per_child 1: one individual per intervention, as before.
  /// Errors: kInvalidInput when `n` or `per_child` is out of range.
  refbridge::Result<SeedReport> seed_synthetic_interventions(int n, std::uint64_t seed, int per_child = 1);
  /// Load generation: one pending decision per id (accepted 125080000 or rejected 125080001 with a
  /// §8.8 reason code, chosen by `seed`), merged into the incoming referral with that
  /// progres_orgreferralid when held, else a new record. Errors: kInvalidInput for an empty id.
  refbridge::Result<DecisionSeedReport> seed_synthetic_decisions(const std::vector<std::string>& org_referral_ids,
                                                                 std::uint64_t seed);
  /// `n` deterministic progres_orgreferralid values "<uuid>#<12 hex>" for seed_synthetic_decisions()
  /// (the same (n, seed) always yields the same ids).
  static std::vector<std::string> synthetic_org_referral_ids(int n, std::uint64_t seed);

  // ---- Primero referrals, users, seeding ----
  /// Seeds Primero from `fixtures_dir`: getPrimeroCases.json (parsed from a copy with its trailing
  /// commas removed, and the notice "getPrimeroCases.json: repaired N trailing commas (invalid
  /// JSON in the fixture)"), case_583069e.json and getPrimeroReferral.json (2 referrals of case
  /// 406b539a-e662-425e-810b-47e4fa7da496). Records keep their ids, statuses, created_at and
  /// last_updated_at. Missing/invalid files and records already held are notices; notices and
  /// counts are logged. Errors: kIo when `fixtures_dir` is not a directory.
  refbridge::Result<PrimeroSeedReport> seed_primero_from_fixtures(const std::filesystem::path& fixtures_dir);
  /// Load generation: `n` (0..1,000,000) cases, names "Synth<i>", consent given, module CP.
  /// kDecisions: one service row {progres_interventionnumber "SYN-<i>", service_referral
  /// external_referral, service_request_agency UNHCR, unhcr_referral_status accepted or rejected
  /// (then unhcr_referral_rejection_reason)}. kReferralsToUnhcr: owner openfn_testing, one service
  /// {service_implementing_agency UNHCR, service_type alternative_care | food |
  /// focuses_non_specialized_mhpss_care} and one in_progress referral by openfn_testing to
  /// unhcr_cw@cpims-gambella.primero.org with service_record_id = the service unique_id (so
  /// associated_user_names holds that user). Ids are name-based on (kind, seed, i): calling again
  /// creates nothing and returns the same list. Choices are drawn from `seed`. Cases are written
  /// through the API paths, so last_updated_at is the sandbox clock (see primero_store.h).
  /// `per_case` (1..1000; issue "No duplicate, ever": real cases hold several referrals and
  /// decisions): `n` counts referrals (service rows), spread over ceil(n / per_case) cases of
  /// per_case rows each (the last case fewer), each row with its own unique_id (and, for
  /// kReferralsToUnhcr, its own referral; kDecisions rows carry "SYN-<referral number>"); a case's
  /// rows take successive service types. Returns one element per referral. per_case 1: one row per
  /// case, as before. Errors: kInvalidInput for `n` or `per_case` out of range.
  refbridge::Result<std::vector<SyntheticCase>> seed_synthetic_primero_cases(int n, SyntheticCaseKind kind, std::uint64_t seed,
                                                                             int per_case = 1);
  /// Adds a Primero user (an object: user_name required and unique; id, full_name, email, phone,
  /// position, code, agency_id, disabled optional; id assigned when absent). Returns the stored
  /// user as JSON text. Errors: kInvalidInput (not JSON, no user_name), kConflict (user_name or id taken).
  refbridge::Result<std::string> add_primero_user(std::string_view user_json);
  /// {"data":[referral...]} of one case as GET .../referrals shows them to the API user, oldest
  /// first, indented; nullopt for an unknown case.
  [[nodiscard]] std::optional<std::string> primero_referrals_json(const std::string& record_id) const;
  /// Status (in_progress | accepted | rejected | done | revoked) of one referral of one case.
  [[nodiscard]] std::optional<std::string> primero_referral_status(const std::string& record_id,
                                                                  const std::string& referral_id) const;

  // ---- PING OAuth2 and TLS ----
  /// The PING token endpoint (revoke_all(), issued(), refused()), or nullptr without ping_oauth.
  [[nodiscard]] PingOAuth* ping_oauth() const;

  // ---- fault injection (faults.h, faults_http.h) ----
  /// Replaces the fault plan of both servers (rule counters restart at zero).
  void set_faults(FaultPlan plan);
  /// Removes every fault rule and makes expired tokens valid again.
  void clear_faults();
  /// Per rule of the current plan: requests matched and hit so far.
  [[nodiscard]] std::vector<FaultRuleStats> fault_stats() const;

  /// Stops both servers and joins their threads. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace refbridge::sandbox
