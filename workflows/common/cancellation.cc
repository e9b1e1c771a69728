// Run cancellation. See cancellation.h.
#include "cancellation.h"

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <pthread.h>

namespace refbridge::workflows {
namespace {

std::atomic<std::size_t> g_not_started{0};

/// The watcher's wake-up at shutdown (sent to its thread only; ignored by default elsewhere).
constexpr int kWakeSignal = SIGURG;

/// SIGINT, SIGTERM and the watcher's wake-up: blocked while a ShutdownWatcher lives, so that
/// only its sigtimedwait() receives them.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, kWakeSignal);
  return set;
}

/// Forwards every call to `inner_`; set_cursor() is refused once the token is cancelled.
class CursorFreezingLedger final : public Ledger {
 public:
  CursorFreezingLedger(Ledger& inner, const CancellationToken& token) : inner_(inner), token_(token) {}

  Result<std::optional<std::string>> cursor(std::string_view workflow) override { return inner_.cursor(workflow); }
  Result<void> set_cursor(std::string_view workflow, std::string_view value) override {
    if (token_.cancelled()) {
      return make_error(ErrorCode::kIo, "the run was interrupted (" + token_.reason() + "): the cursor of workflow " +
                                            std::string(workflow) + " stays at its last value");
    }
    return inner_.set_cursor(workflow, value);
  }
  Result<std::optional<LedgerRecord>> find(std::string_view workflow, std::string_view key) override {
    return inner_.find(workflow, key);
  }
  Result<void> record(const LedgerRecord& row, std::int64_t run_id) override { return inner_.record(row, run_id); }
  Result<std::vector<LedgerRecord>> list(std::string_view workflow, std::optional<LedgerState> state, std::size_t limit,
                                         std::string_view after_key) override {
    return inner_.list(workflow, state, limit, after_key);
  }
  Result<std::vector<LedgerRecord>> due(std::string_view workflow, LedgerTime now, std::size_t limit,
                                        std::string_view after_key) override {
    return inner_.due(workflow, now, limit, after_key);
  }
  Result<std::vector<LedgerEvent>> history(std::string_view workflow, std::string_view key) override {
    return inner_.history(workflow, key);
  }
  Result<std::int64_t> begin_run(std::string_view workflow, LedgerTime started_at) override {
    return inner_.begin_run(workflow, started_at);
  }
  Result<void> finish_run(std::int64_t run_id, const RunCounts& counts, LedgerTime finished_at,
                          std::string_view aborted_reason, std::string_view cursor_after) override {
    return inner_.finish_run(run_id, counts, finished_at, aborted_reason, cursor_after);
  }
  Result<std::vector<RunRow>> runs(std::string_view workflow, std::size_t limit) override {
    return inner_.runs(workflow, limit);
  }
  Result<std::map<std::string, std::int64_t>> count_by_state(std::string_view workflow) override {
    return inner_.count_by_state(workflow);
  }
  Result<std::vector<std::string>> workflows() override { return inner_.workflows(); }
  Result<std::unique_ptr<RunLease>> acquire_run_lease(std::string_view w, LedgerTime now) override { return inner_.acquire_run_lease(w, now); }
  Result<std::vector<RunRow>> close_crashed_runs(std::string_view w, LedgerTime now) override { return inner_.close_crashed_runs(w, now); }

 private:
  Ledger& inner_;
  const CancellationToken& token_;
};

}  // namespace

CancellationToken& run_cancellation() {
  static CancellationToken token;
  return token;
}

std::size_t tasks_not_started() { return g_not_started.load(); }
void note_task_not_started() { g_not_started.fetch_add(1); }

void reset_run_cancellation() {
  run_cancellation().reset();
  g_not_started.store(0);
}

int exit_status_for(const CancellationToken& token) {
  return token.reason() == kRunTimeoutReason ? kExitRunTimeout : kExitInterrupted;
}

std::unique_ptr<Ledger> freeze_cursor_on_cancel(Ledger& inner, const CancellationToken& token) {
  return std::make_unique<CursorFreezingLedger>(inner, token);
}

ShutdownWatcher::ShutdownWatcher(Logger& log, std::chrono::seconds run_timeout, std::chrono::seconds grace)
    : log_(log),
      deadline_(run_timeout.count() > 0 ? std::chrono::steady_clock::now() + run_timeout
                                        : std::chrono::steady_clock::time_point::max()),
      grace_(grace) {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { watch(); });
}

ShutdownWatcher::~ShutdownWatcher() {
  done_ = true;
  // Ends the watcher's wait at once instead of at its next 100 ms tick (the idle run's exit).
  pthread_kill(thread_.native_handle(), kWakeSignal);
  thread_.join();
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void ShutdownWatcher::watch() {
  using Clock = std::chrono::steady_clock;
  const sigset_t set = stop_signals();
  std::optional<Clock::time_point> cancelled_at;
  auto give_up = [this](const char* why) {
    log_.error("run.abandoned", {{LogKey::kMessage, std::string(why) + "; in-flight records are left for the next run"}});
    std::_Exit(exit_status_for(run_cancellation()));
  };
  while (!done_) {
    const timespec tick{0, 100'000'000};  // 100 ms
    const int sig = sigtimedwait(&set, nullptr, &tick);
    CancellationToken& token = run_cancellation();
    if (sig == SIGINT || sig == SIGTERM) {
      const char* name = sig == SIGINT ? "SIGINT" : "SIGTERM";
      if (token.cancelled()) give_up("second signal");
      token.cancel(name);
      log_.warn("run.interrupted", {{LogKey::kMessage, std::string(name) + ": no new record is started; in-flight "
                                                       "records get shutdown_grace_seconds to finish"},
                                    {LogKey::kDurationMs, std::to_string(grace_.count() * 1000)}});
    } else if (!token.cancelled() && Clock::now() >= deadline_) {
      token.cancel(kRunTimeoutReason);
      log_.warn("run.interrupted", {{LogKey::kMessage, "run_timeout_seconds reached: no new record is started"},
                                    {LogKey::kDurationMs, std::to_string(grace_.count() * 1000)}});
    }
    if (token.cancelled() && !cancelled_at) cancelled_at = Clock::now();
    if (cancelled_at && Clock::now() - *cancelled_at >= grace_) give_up("shutdown grace period passed");
  }
}

}  // namespace refbridge::workflows
