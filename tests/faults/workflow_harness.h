#pragma once
// One workflow (1.1, 1.2, 2.1 or 2.2) run in-process against its own seeded sandbox, with an
// in-memory ledger, for the fault matrix (tests/faults/fault_matrix_test.cc). Seeding follows the
// end-to-end tests (tests/workflows/*_e2e_test.cc): real pilot fixtures plus a few synthetic
// records, so every workflow has records that are delivered and records rejected by a content rule.
//
// Clients: PING with a static Bearer token, Primero with token login (<= 2.10 style, so a token
// expiry is survivable by logging in again); in-call retries with a sleeper that does not sleep
// (waits are decided, never waited); HTTP connect and total timeout per run (kShortTimeout for runs
// under a hang fault, which outlasts it; kLongTimeout otherwise, so a loaded machine cannot turn a
// slow answer into a failure).

#include "refbridge/ledger.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"
#include "refbridge/time.h"
#include "run_report.h"
#include "sandbox.h"

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace refbridge::faults_test {

enum class Workflow { k11, k12, k21, k22 };

/// "1.1", "1.2", "2.1", "2.2".
std::string name(Workflow w);

/// The client's whole-request timeouts in these tests.
inline constexpr std::chrono::milliseconds kShortTimeout{1000};
inline constexpr std::chrono::milliseconds kLongTimeout{10000};

/// The endpoints one workflow reads from and writes to (path globs for fault rules).
struct Endpoints {
  std::vector<std::pair<std::string, std::string>> reads;   ///< (method, path glob)
  std::vector<std::pair<std::string, std::string>> writes;  ///< (method, path glob)
};
/// Sources: the workflow files' step comments (workflows/*/*.h) and schemas/*/openapi.yaml.
const Endpoints& endpoints(Workflow w);

class WorkflowHarness {
 public:
  /// Starts a sandbox (PING token and Primero password required) and seeds it for `w`.
  explicit WorkflowHarness(Workflow w);
  ~WorkflowHarness();
  WorkflowHarness(const WorkflowHarness&) = delete;
  WorkflowHarness& operator=(const WorkflowHarness&) = delete;

  /// One run with fresh connections; `in_call_retries` false = one attempt per call; `timeout`:
  /// the HTTP connect and total timeout.
  workflows::RunReport run(bool in_call_retries = true, std::chrono::milliseconds timeout = kLongTimeout);

  sandbox::Sandbox& box() { return *box_; }
  Ledger& ledger() { return *ledger_; }
  [[nodiscard]] Workflow workflow() const { return w_; }
  [[nodiscard]] std::string log_text() const { return log_text_.str(); }

  /// Every ledger row of the workflow: source_key -> "<state>" or "<state>:<error_code>" for
  /// rejected rows (the content rule).
  [[nodiscard]] std::map<std::string, std::string> ledger_states() const;
  /// The target systems' state the workflow writes, normalised (no generated ids or time
  /// stamps): one entry per target object, so a lost write or a duplicate changes it.
  ///   1.1 per intervention its transfer status (+ rule of a failure), per individual its cases
  ///       and each case's service rows; 1.2 per intervention the decisions recorded;
  ///   2.1 per ingested referral id the number of stored copies; 2.2 per incoming decision its
  ///       sync status, per Primero case its referrals and their statuses.
  [[nodiscard]] std::map<std::string, std::string> target_state() const;

 private:
  void seed();

  Workflow w_;
  std::unique_ptr<sandbox::Sandbox> box_;
  Profile profile_;
  std::ostringstream log_text_;
  std::unique_ptr<Logger> log_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<Clock> clock_;
};

}  // namespace refbridge::faults_test
