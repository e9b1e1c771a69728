#pragma once
// The crash-safety experiment (issue 5): a workflow executable runs against a freshly seeded
// in-process sandbox with a fresh SQLite ledger; it is SIGKILLed at one kill point, rerun without
// kill until its records settle, and the final state (final_state.h) is compared with that of an
// uninterrupted run.
//
// Kill points of two kinds:
//   kRemoteWrite: the sandbox's post-write hook (SandboxOptions::on_write) SIGKILLs the workflow
//     after it applied the k-th write (non-GET answered 2xx) and before the answer is sent;
//   kCrashPoint: the workflow's k-th refbridge::crash_point() hit (after each ledger commit, and
//     between the steps of a record) raises SIGKILL (REFBRIDGE_CRASH_AT=k, refbridge/crash_point.h).
// The uninterrupted run counts both (writes through the hook, crash points through
// REFBRIDGE_CRASH_TRACE), so every k in 1..K is a point the workflow really reaches.

#include "child_process.h"
#include "sandbox.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <set>
#include <string>
#include <vector>

namespace refbridge::crash_test {

enum class KillKind { kRemoteWrite, kCrashPoint };

/// One workflow under test.
struct Scenario {
  std::string workflow;  ///< "1.1", "1.2", "2.1", "2.2"
  std::string program;   ///< the workflow executable
  /// Seeds a fresh sandbox (fixtures and synthetic records); must give the same data every time.
  std::function<void(sandbox::Sandbox&)> seed;
  int concurrency = 1;   ///< sync.concurrency: 1 makes kill point k the same instant in every run
  /// Adjusts the sandbox before it starts (e.g. another Primero configuration); may be empty.
  std::function<void(sandbox::SandboxOptions&)> configure;
};

/// Counts the sandbox's writes and SIGKILLs the running workflow at the chosen one (thread-safe;
/// called on the sandbox's server threads).
class WriteKiller {
 public:
  /// Signal the workflow at write number `k` (from 1, counted from now on); 0 = never. SIGKILL
  /// waits until the child is dead before the answer is sent; any other signal (SIGTERM, SIGINT:
  /// a graceful stop) is sent and the answer goes out as usual.
  void arm(int k, int signal = SIGKILL) {
    signal_ = signal;
    kill_at_ = writes_.load() + k;
    armed_ = k > 0;
  }
  void set_child(pid_t pid) { child_ = pid; }
  [[nodiscard]] int writes() const { return writes_.load(); }
  [[nodiscard]] bool fired() const { return fired_.load(); }
  /// The kind of every write so far, in order: "<METHOD> <path>" with the id segments (longer than
  /// 3 characters and holding a digit) replaced by "{id}", e.g.
  /// "PATCH /v1/interventions/{id}/transfer-status".
  [[nodiscard]] std::vector<std::string> kinds() const;
  void on_write(std::string_view method, std::string_view path);

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> kinds_;  // guarded by mutex_
  std::atomic<int> writes_{0};
  std::atomic<int> kill_at_{0};
  std::atomic<bool> armed_{false};
  std::atomic<bool> fired_{false};
  std::atomic<int> signal_{SIGKILL};
  std::atomic<pid_t> child_{0};
};

/// A fresh world: a temporary directory (config, ledger, logs), a seeded sandbox and its killer.
class Trial {
 public:
  explicit Trial(const Scenario& scenario);
  ~Trial();
  Trial(const Trial&) = delete;
  Trial& operator=(const Trial&) = delete;

  /// Runs the workflow once with `env` added (REFBRIDGE_CRASH_*; a REFBRIDGE_PING_* or
  /// REFBRIDGE_PRIMERO_* given here replaces the sandbox's) and waits for its end.
  ChildExit run(const std::map<std::string, std::string>& env = {});
  /// Runs the workflow once with `args` after "--config <config.yaml>" (e.g. "--dry-run").
  ChildExit run_with(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
  /// Starts the workflow once (as run() does) without waiting; the write killer targets it.
  pid_t start(const std::map<std::string, std::string>& env = {}, const std::vector<std::string>& args = {});
  /// Waits for a process start() began.
  ChildExit wait(pid_t pid);
  /// The normalised final state (final_state.h).
  [[nodiscard]] std::vector<std::string> state() const;

  /// Every later run uses the PostgreSQL ledger `url` (deployment, password) instead of the
  /// trial's SQLite file, through the environment (REFBRIDGE_LEDGER, REFBRIDGE_DEPLOYMENT,
  /// REFBRIDGE_LEDGER_PASSWORD); state() reads it there (the password is also set in this
  /// process's environment for that).
  void use_ledger(const std::string& url, const std::string& deployment, const std::string& password);

  WriteKiller& killer() { return killer_; }
  [[nodiscard]] const sandbox::Sandbox& box() const { return *box_; }
  sandbox::Sandbox& box() { return *box_; }
  [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }
  /// The child's combined stdout + stderr of every run so far (for failure messages).
  [[nodiscard]] std::string output() const;

 private:
  const Scenario& scenario_;
  std::filesystem::path dir_;
  WriteKiller killer_;  // before the sandbox: its hook points here until the sandbox stops
  std::unique_ptr<sandbox::Sandbox> box_;
  std::set<std::string> seeded_cases_;
  std::string ledger_;      // the SQLite file, or the PostgreSQL URL of use_ledger()
  std::string deployment_;  // use_ledger()'s deployment
  std::map<std::string, std::string> ledger_env_;
};

/// The uninterrupted run: its final state and its kill points of each kind.
struct Reference {
  std::vector<std::string> state;
  std::vector<std::string> writes;        ///< write k is writes[k - 1] (WriteKiller::kinds())
  std::vector<std::string> crash_points;  ///< crash point k is crash_points[k - 1] (its name, from the trace)
};

/// Runs the scenario uninterrupted (and checks that it exits 0 and that a second uninterrupted run
/// on the same world changes nothing).
Reference reference_run(const Scenario& scenario);

/// What one kill point gave.
struct KillResult {
  bool died_by_sigkill = false;
  int reruns = 0;            ///< runs needed after the kill until the state matched (1 or 2)
  std::string difference;    ///< empty when the final state equals the reference
  std::string output;        ///< the workflow's output of every run (on failure)
};

/// Kills the scenario at point `k` of `kind`, reruns it up to `max_reruns` times (stopping as soon
/// as the state equals the reference; every rerun must exit 0) and compares.
/// `prepare`, when set, adjusts the trial before its first run (e.g. Trial::use_ledger for PostgreSQL).
KillResult kill_and_rerun(const Scenario& scenario, const Reference& reference, KillKind kind, int k, int max_reruns = 2,
                          const std::function<void(Trial&)>& prepare = {});

/// The kill points to exercise among 1..points.size() (points[k - 1] names point k): all of them
/// when REFBRIDGE_CRASH_ALL=1 or when there are at most `budget`; otherwise the first and the last
/// point of every name, then points spread evenly until `budget` (or the names' points) are chosen.
std::vector<int> kill_points(const std::vector<std::string>& points, std::size_t budget);

/// "name x count" for every name of `points`, sorted by name.
std::string count_by_name(const std::vector<std::string>& points);

}  // namespace refbridge::crash_test
