#pragma once
// refbridge sandbox: a local PING server and a local Primero v2 server in one process, on
// 127.0.0.1, with all state in memory. Used by the demo and by end-to-end tests.
//
// It deliberately works on generic RapidJSON documents (not the generated models) so that it is
// an independent check of the generated clients. Contracts followed:
//   PING    ../shared/docs/ping-api.md (the operations table) and schemas/ping/openapi.yaml;
//   Primero ../shared/docs/primero-api-v2.md §1-§5 and the emulator checklist §10.
//
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
// Path ids are percent-decoded segment by segment (ids may hold '/', '#', '%', spaces).
// Listing: stable order by intervention number; pageSize 1..1000 (default 50), else 400; the
// page token is opaque (base64url of the last key), so paging skips nothing when the client
// changes transfer statuses between pages. transfer-status: 400 for a malformed body, 422 for an
// unknown status, "transferred" without primeroCaseId or "failed" without reason; 404 unknown id.
// cpp-httplib 0.11 answers 400 to a POST without Content-Length: `curl -X POST -d '' URL`.
//
// Primero server (HTTP Basic with primero_user/primero_password, or a Bearer token from
// POST /api/v2/tokens, on every /api/v2 call except the public ones):
//   POST/DELETE /api/v2/tokens, GET /api/v2/system_settings,
//   GET/POST /api/v2/cases, GET/PATCH/DELETE /api/v2/cases/{id}.
// PATCH answers {"data": {id, enabled, <top-level fields whose value changed>, last_updated_at}}
// (changed subforms are returned whole, merged), as Primero does.
//
// Thread safety: every public member may be called from any thread while the servers run.

#include "refbridge/error.h"

#include <filesystem>
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
  refbridge::Logger* logger = nullptr;  ///< not owned; ids, counts and statuses only
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
  [[nodiscard]] std::string ping_base_url() const;     ///< "http://127.0.0.1:<port>"
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

  /// Stops both servers and joins their threads. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace refbridge::sandbox
