#pragma once
// --check (issue "An operator's tool"): before the first real run, or after a change, prove that
// the configuration, the secrets, the ledger's place, and DNS + TLS + authentication against both
// systems work, and that the Primero instance has every form field and option value the mapping
// needs (primero_config_check.h). Only GET requests (and the systems' logins) are sent; nothing is
// written to PING, Primero or the ledger (a missing ledger is not created).
// Output: one line per step, "ok    <step>: <detail>" or "FAIL  <step>: <error>", then a verdict.
// Exit status: 0 when every step passed, else the sysexits code of the first failed step
// (exit_status.h: 78 configuration, 77 authentication refused, 69 unreachable, 74 ledger).

#include "refbridge/ping/client.h"
#include "refbridge/primero/client.h"

#include "refbridge/error.h"

#include <string>
#include <vector>

namespace refbridge::workflows {

/// The steps of one --check, in order.
class PreflightReport {
 public:
  /// Records a step: `outcome` is its detail line when it passed, its error when it failed.
  void add(std::string step, const Result<std::string>& outcome);
  /// 0 when every step passed, else exit_status_for_error() of the first failure.
  [[nodiscard]] int exit_status() const;
  /// The lines described in the file comment, ending with "check <workflow>: all N steps passed"
  /// or "check <workflow>: K of N steps failed".
  [[nodiscard]] std::string text(std::string_view workflow) const;

 private:
  struct Step {
    std::string name;
    bool ok = true;
    std::string detail;
    int exit_status = 0;
  };
  std::vector<Step> steps_;
};

/// PING reachable and accepting our credentials: one listOutgoingReferrals page of one record
/// (a read; PING's queue changes only by updateTransferStatus). Detail: "listOutgoingReferrals
/// answered in N ms". Errors: the call's (the message names the host: ApiConnection).
Result<std::string> probe_ping(ping::Ping& ping);

/// Primero reachable and accepting our credentials (the login included when primero.auth is
/// token): one listCases page of one case, list-view fields. Errors: the call's.
Result<std::string> probe_primero(primero::Primero& primero);

/// The ledger at `path`: an existing one opens read-only with the current schema (permissions
/// checked; detail: its record and run counts per state); a missing one needs a writable
/// directory (detail: "absent: the first run creates it"). Writes nothing. A postgresql:// URL
/// connects as a run would (password from REFBRIDGE_LEDGER_PASSWORD; missing migrations applied)
/// and counts the records of `deployment`.
/// Errors: kConfig (permissions, schema, password), kIo (unreadable, directory not writable,
/// server unreachable), kUnauthorized (the server refused the credentials).
Result<std::string> probe_ledger(const std::string& path, const std::string& deployment = {});

}  // namespace refbridge::workflows
