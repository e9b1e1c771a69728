// refbridge-ledger retry / resolve. See actions.h.
#include "actions.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <vector>

namespace refbridge::ledger_tool {
namespace {

constexpr std::string_view kRetryRule = kRetryByHandRule;
constexpr std::string_view kResolveRule = "resolved-by-hand";
constexpr std::size_t kMaxReason = 500;

LedgerTime now() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

std::string_view verb(Action a) { return a == Action::kRetry ? "retry" : "resolve"; }

/// Whether the action may change a record in `state`.
bool eligible(LedgerState state) {
  return state == LedgerState::kRejected || state == LedgerState::kFailed;
}

std::string why_not(Action a, const LedgerRecord& r) {
  switch (r.state) {
    case LedgerState::kDelivered: return "it was delivered: nothing to " + std::string(verb(a));
    case LedgerState::kSkipped: return "it is skipped (" + r.error_code + "): nothing to " + std::string(verb(a));
    case LedgerState::kInFlight:
    case LedgerState::kSubmitted:
      return "it is " + std::string(to_string(r.state)) + ": the next run settles it; look again after that run";
    default: return "";
  }
}

/// The row after the action, and its audit text.
LedgerRecord changed(const ActionRequest& req, LedgerRecord r, const std::string& user, LedgerTime at) {
  const std::string was = std::string(to_string(r.state)) + (r.error_code.empty() ? "" : ": " + r.error_code);
  r.error_message = "by " + user + ": " + req.reason + " (was " + was + ")";
  r.updated_at = at;
  r.next_attempt_at.reset();
  if (req.action == Action::kRetry) {
    r.state = LedgerState::kFailed;
    r.attempts = 0;
    r.error_code = std::string(kRetryRule);
  } else {
    r.state = LedgerState::kSkipped;
    r.error_code = std::string(kResolveRule);
  }
  return r;
}

Result<std::vector<LedgerRecord>> select(Ledger& ledger, const ActionRequest& req) {
  std::vector<LedgerRecord> rows;
  const auto state = ledger_state_from_string(req.state);
  constexpr std::size_t kPage = 1000;
  std::string after;
  for (;;) {
    REFBRIDGE_TRY(auto page, ledger.list(req.workflow, state, kPage, after));
    for (auto& r : page) {
      if (req.rule.empty() || r.error_code == req.rule) rows.push_back(std::move(r));
    }
    if (page.size() < kPage) return rows;
    after = page.back().source_key;
  }
}

bool confirmed(std::istream& in, std::ostream& err, std::size_t n, const ActionRequest& req) {
  err << n << " record" << (n == 1 ? "" : "s") << " of workflow " << req.workflow << " in state " << req.state
      << (req.rule.empty() ? "" : " with rule " + req.rule) << " will be "
      << (req.action == Action::kRetry ? "retried at the next run" : "resolved by hand (state skipped)")
      << ". Proceed? [y/N] " << std::flush;
  std::string answer;
  std::getline(in, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void note_queue_workflow(std::ostream& out, const ActionRequest& req) {
  if (req.action != Action::kRetry || (req.workflow != "1.1" && req.workflow != "2.2")) return;
  out << "note: workflow " << req.workflow
      << " takes its records from PING's queue: the next run reads a retried record again from PING and sends it, "
         "even though PING was told \"failed\", then tells PING the new outcome (README, \"Operating refbridge\")\n";
}

Result<int> act(Ledger& ledger, const ActionRequest& req, std::istream& in, std::ostream& out, std::ostream& err) {
  std::vector<LedgerRecord> rows;
  if (!req.key.empty()) {
    REFBRIDGE_TRY(auto found, ledger.find(req.workflow, req.key));
    if (!found) {
      err << "refbridge-ledger: no record with key " << req.key << " in workflow " << req.workflow << "\n";
      return kExitNothingDone;
    }
    if (!eligible(found->state)) {
      err << "refbridge-ledger: cannot " << verb(req.action) << " " << req.key << ": " << why_not(req.action, *found) << "\n";
      return kExitNothingDone;
    }
    rows.push_back(std::move(*found));
  } else {
    REFBRIDGE_TRY(rows, select(ledger, req));
    if (rows.empty()) {
      err << "refbridge-ledger: no record of workflow " << req.workflow << " in state " << req.state
          << (req.rule.empty() ? "" : " with rule " + req.rule) << ": nothing changed\n";
      return kExitNothingDone;
    }
    if (!req.yes && !confirmed(in, err, rows.size(), req)) {
      err << "refbridge-ledger: not confirmed: nothing changed\n";
      return kExitNothingDone;
    }
  }
  const std::string user = acting_user();
  const LedgerTime at = now();
  for (const LedgerRecord& r : rows) {
    const LedgerRecord after = changed(req, r, user, at);
    REFBRIDGE_TRY(ledger.record(after, 0));
    out << (req.action == Action::kRetry ? "retry " : "resolved ") << r.source_key << " (was "
        << to_string(r.state) << (r.error_code.empty() ? "" : ": " + r.error_code) << ")\n";
  }
  out << rows.size() << " record" << (rows.size() == 1 ? "" : "s") << " of workflow " << req.workflow
      << (req.action == Action::kRetry ? " due at the next run" : " resolved by hand") << "; recorded as by " << user
      << "\n";
  note_queue_workflow(out, req);
  return kExitOk;
}

std::string check_reason(const std::string& reason) {
  if (reason.find_first_not_of(" \t") == std::string::npos) return "--reason must say why";
  if (reason.size() > kMaxReason) return "--reason is longer than 500 characters";
  if (std::any_of(reason.begin(), reason.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return "--reason must be one line without control characters";
  }
  return "";
}

}  // namespace

int exit_status_for(const Error& e) noexcept {
  switch (e.code) {
    case ErrorCode::kLocked: return kExitLeaseHeld;
    case ErrorCode::kIo: return kExitIo;
    case ErrorCode::kConfig: return kExitConfig;
    case ErrorCode::kInvalidInput: return kExitUsage;
    default: return kExitSoftware;
  }
}

std::string acting_user() {
  const uid_t uid = ::getuid();
  std::string name = "uid " + std::to_string(uid);
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) name = found->pw_name;
  if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0' && uid == 0) {
    name += " (sudo from " + std::string(sudo) + ")";
  }
  return name;
}

int run_action(Ledger& ledger, const ActionRequest& req, std::istream& in, std::ostream& out, std::ostream& err) {
  if (auto problem = check_reason(req.reason); !problem.empty()) {
    err << "refbridge-ledger: " << problem << "\n";
    return kExitUsage;
  }
  if (req.key.empty() == req.state.empty()) {
    err << "refbridge-ledger: " << verb(req.action) << " needs either --key or --state (not both)\n";
    return kExitUsage;
  }
  if (!req.rule.empty() && req.state.empty()) {
    err << "refbridge-ledger: --rule filters a --state set\n";
    return kExitUsage;
  }
  if (!req.state.empty() && req.state != "rejected" && (req.action == Action::kRetry || req.state != "failed")) {
    err << "refbridge-ledger: " << verb(req.action) << " --state takes "
        << (req.action == Action::kRetry ? "rejected" : "rejected or failed") << "\n";
    return kExitUsage;
  }
  // Held until the end: no run of the workflow starts while records change (exit 75 otherwise).
  auto lease = ledger.acquire_run_lease(req.workflow, now());
  if (!lease) {
    err << "refbridge-ledger: " << lease.error().describe() << "\n"
        << "refbridge-ledger: nothing changed; try again when the run has finished\n";
    return exit_status_for(lease.error());
  }
  auto r = act(ledger, req, in, out, err);
  if (!r) {
    err << "refbridge-ledger: " << r.error().describe() << "\n";
    return exit_status_for(r.error());
  }
  return r.value();
}

}  // namespace refbridge::ledger_tool
