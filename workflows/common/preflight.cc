// --check steps. See preflight.h.
#include "preflight.h"

#include "exit_status.h"

#include "refbridge/ledger.h"
#include "refbridge/ledger_postgres.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>

namespace refbridge::workflows {
namespace {

template <typename Call>
Result<std::string> timed(std::string_view operation, Call&& call) {
  const auto start = std::chrono::steady_clock::now();
  auto answer = call();
  if (!answer) return answer.error();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return std::string(operation) + " answered in " + std::to_string(ms.count()) + " ms";
}

/// Opens the ledger (`mode`) and says how many records of how many workflows it holds.
/// A PostgreSQL ledger is opened as a run opens it: missing migrations are applied.
Result<std::string> probe_records(const std::string& path, const std::string& deployment, LedgerOpenMode mode) {
  REFBRIDGE_TRY(auto ledger, open_ledger(path, deployment, mode));
  REFBRIDGE_TRY(auto workflows, ledger->workflows());
  std::size_t records = 0;
  for (const auto& w : workflows) {
    REFBRIDGE_TRY(auto counts, ledger->count_by_state(w));
    for (const auto& [state, n] : counts) records += static_cast<std::size_t>(n);
  }
  return "ledger " + path + " readable, current schema, " + std::to_string(records) + " records of " +
         std::to_string(workflows.size()) + " workflows";
}

}  // namespace

void PreflightReport::add(std::string step, const Result<std::string>& outcome) {
  if (outcome) {
    steps_.push_back({std::move(step), true, outcome.value(), 0});
  } else {
    steps_.push_back({std::move(step), false, outcome.error().describe(), exit_status_for_error(outcome.error())});
  }
}

int PreflightReport::exit_status() const {
  for (const auto& s : steps_) {
    if (!s.ok) return s.exit_status;
  }
  return kExitOk;
}

std::string PreflightReport::text(std::string_view workflow) const {
  std::ostringstream out;
  std::size_t failed = 0;
  for (const auto& s : steps_) {
    out << (s.ok ? "ok    " : "FAIL  ") << s.name << ": " << s.detail << "\n";
    failed += s.ok ? 0 : 1;
  }
  out << "check " << workflow << ": ";
  if (failed == 0) {
    out << "all " << steps_.size() << " steps passed\n";
  } else {
    out << failed << " of " << steps_.size() << " steps failed\n";
  }
  return out.str();
}

Result<std::string> probe_ping(ping::Ping& ping) {
  return timed("listOutgoingReferrals", [&] { return ping.list_outgoing_referrals({.pageSize = 1}); });
}

Result<std::string> probe_primero(primero::Primero& primero) {
  return timed("listCases", [&] { return primero.list_cases({.page = 1, .per = 1, .fields = "short"}); });
}

Result<std::string> probe_ledger(const std::string& path, const std::string& deployment) {
  if (is_postgres_url(path)) return probe_records(path, deployment, LedgerOpenMode::kCreate);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    const auto dir = std::filesystem::absolute(path, ec).parent_path();
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      return make_error(ErrorCode::kIo, "ledger " + path + " does not exist and its directory " + dir.string() +
                                            " is not writable by this user: the first run could not create it");
    }
    return "ledger " + path + " absent: the first run creates it (directory writable)";
  }
  return probe_records(path, deployment, LedgerOpenMode::kReadOnly);
}

}  // namespace refbridge::workflows
