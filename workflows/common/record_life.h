#pragma once
// One engine component owns a queue record's life (the "No duplicate, ever" issue): workflows
// 1.1 (PING outgoing referrals) and 2.2 (PING referral decisions) read a PING pending queue and
// supply only their steps (QueueSteps: deliver = fetch + transform + write, acknowledge,
// source_status); RecordLife does everything between and around them, in this order
// (../shared/docs/workflows.md "Common rules"; record_book.h for the ledger states):
//   claim (once per run) -> open the ledger row -> backing off? skipped "retry-backoff"
//   -> steps.deliver(item, gate): gate.before_write(hash) writes in_flight just before the first
//      remote write; a skip (e.g. "not-pending") is settled as it is
//   -> acknowledging(outcome) -> crash point "<workflow>.acknowledged" after steps.acknowledge()
//   -> settle; a failure that exhausts sync.max_attempts becomes rejected "retries-exhausted" and
//      is acknowledged too (PING is told why).
// Errors from a step are handled by class (refbridge/error.h classify(); RecordBook::settle_error):
// permanent -> rejected with the rule (kRejected) or the code and HTTP status (e.g. 413, 422),
// acknowledged to PING; transient -> failed, retried by a later run; run-level -> the run stops
// (exit 77/78), the record is neither charged nor reported; unavailable -> failed without an
// attempt, and the breaker may stop the run (exit 69).
// Records are ordered by QueueItem::order_key (executor.h): two records of one target are never
// in flight together.

#include "engine.h"
#include "page_loop.h"
#include "record_book.h"
#include "run_report.h"

#include "refbridge/error.h"
#include "refbridge/log.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge::workflows {

/// An answer of the TARGET system (Primero, in 1.1 and 2.2) whose text holds invalid UTF-8 is
/// that system's fault, not the record's: the rejection the reader gives (rule "invalid-utf8",
/// refbridge/utf8.h) becomes kInvalidResponse (transient: failed and retried, never rejected, so
/// PING is never told "failed" for a write Primero applied). Any other result passes unchanged.
template <class T>
Result<T> target_answer(Result<T> r) {
  if (r || r.error().code != ErrorCode::kRejected || r.error().rule != "invalid-utf8") return r;
  Error e = make_error(ErrorCode::kInvalidResponse, "the target system's answer holds invalid UTF-8: " + r.error().message);
  e.system = r.error().system;
  return e;
}

/// What deliver() achieved.
struct StepResult {
  RecordState state = RecordState::kDelivered;  ///< kDelivered (to acknowledge) or kSkipped (settled as is)
  std::string rule, reason;                     ///< kSkipped: why
  std::string target_key;                       ///< ledger target_key (Primero case_id, referral id)
  std::map<std::string, std::string> ids;       ///< further report ids (case_id, action, ...)
};

/// Lets deliver() record that its first remote write is about to start.
class WriteGate {
 public:
  WriteGate(RecordBook& book, RecordTicket& ticket) : book_(book), ticket_(ticket) {}
  /// Writes in_flight with the payload's content hash (record_book.h). Errors: the ledger's
  /// (then do not write: the record is failed and redone next run).
  Result<void> before_write(const std::string& hash) { return book_.in_flight(ticket_, hash); }
  /// The ledger row as the run found it (e.g. target_key of an earlier delivery).
  [[nodiscard]] const LedgerRecord& row() const { return ticket_.row; }

 private:
  RecordBook& book_;
  RecordTicket& ticket_;
};

/// A source record's status as PING holds it now (for rows PING no longer lists).
struct SourceStatus {
  bool acknowledged = false;  ///< true: transferred / synchronised; false: failed
  std::string field;          ///< e.g. "transfer status"
  std::string status;         ///< the wire value
};

/// The steps a queue workflow supplies. Called from several worker threads at once (different
/// order keys): implementations must be thread-safe.
class QueueSteps {
 public:
  virtual ~QueueSteps() = default;
  /// Fetches, validates, transforms and writes the record; calls gate.before_write() just before
  /// the first remote write. Errors: any, handled by class (file comment).
  virtual Result<StepResult> deliver(const QueueItem& item, WriteGate& gate, RecordOutcome& out) = 0;
  /// Tells PING the outcome: out.state kDelivered (with out.target_key, out.ids) or kRejected
  /// ("<rule>: <reason>"). Errors: the PING call's.
  virtual Result<void> acknowledge(const QueueItem& item, const RecordOutcome& out) = 0;
  /// The item of a ledger row an operator retried by hand (kRetryByHandRule), re-read from the
  /// source (its key, source_id and the ids the listing would give; by_hand set). Errors: the
  /// source's (the row stays due: the next run tries again).
  virtual Result<QueueItem> retry_item(const LedgerRecord& row) = 0;
  /// PING's status of a ledger row's record now; nullopt while still pending or unreadable.
  virtual std::optional<SourceStatus> source_status(const LedgerRecord& row) = 0;
  /// Logs a settled outcome (ids, rule, codes; never payload values).
  virtual void log(const RecordOutcome& out) = 0;
};

/// Runs records of one workflow run through their life (file comment). Thread-safe.
class RecordLife {
 public:
  /// Nothing owned; all must outlive this object.
  RecordLife(std::string workflow, RecordBook& book, QueueSteps& steps) : workflow_(std::move(workflow)), book_(book), steps_(steps) {}

  /// One listed record. nullopt: not charged (the run stopped at a run-level failure).
  std::optional<RecordOutcome> run(const QueueItem& item);
  /// A ledger row left failed or in flight that PING no longer lists (unlisted_rows.h):
  /// acknowledged -> delivered; failed -> rejected with the row's rule; pending -> nullopt.
  /// A row retried by hand (error_code kRetryByHandRule) is processed again instead, from
  /// QueueSteps::retry_item(), whatever PING's status (its outcome is acknowledged to PING as usual).
  std::optional<RecordOutcome> reconcile(const LedgerRecord& row);

 private:
  std::optional<RecordOutcome> deliver(const QueueItem& item, RecordTicket& ticket, RecordOutcome out);
  /// A step's error (file comment). nullopt: run-level, not charged.
  std::optional<RecordOutcome> fail(const QueueItem& item, RecordTicket& ticket, RecordOutcome out, const Error& e);
  /// A failure to retry (any class but a rule); `context` prefixes the reason; `rule` (when not
  /// empty) is kept as the outcome's rule instead of the error code (a rejection whose
  /// acknowledgement failed stays known by its rule: unlisted_rows.h settles it with that rule
  /// when PING took it after all). Acknowledges a retries-exhausted outcome. nullopt: run-level.
  std::optional<RecordOutcome> failed(const QueueItem& item, RecordTicket& ticket, RecordOutcome out, const Error& e,
                                      std::string_view context, std::string_view rule = {});
  /// Writes a delivered / skipped / rejected outcome and logs it.
  RecordOutcome settle(RecordTicket& ticket, RecordOutcome out);
  RecordOutcome report_only(RecordOutcome out, RecordState state, std::string rule, std::string reason);
  /// reconcile() of a row retried by hand. nullopt: run-level, not charged.
  std::optional<RecordOutcome> retry_by_hand(const LedgerRecord& row);

  std::string workflow_;
  RecordBook& book_;
  QueueSteps& steps_;
};

/// Every page of a PING queue through RecordLife, at most sync.concurrency records at once and
/// ordered by QueueItem::order_key, then the unlisted ledger rows (unlisted_rows.h). `pages` is a
/// generated `*_pages()` range; `to_item` turns a listed summary into a QueueItem. Errors: the
/// first page that could not be read, the ledger's.
template <class Pages, class ToItem>
Result<void> run_queue(const EngineDeps& engine, RecordBook& book, RunReport& report, QueueSteps& steps, Pages&& pages,
                       ToItem&& to_item);

}  // namespace refbridge::workflows

#include "unlisted_rows.h"

template <class Pages, class ToItem>
refbridge::Result<void> refbridge::workflows::run_queue(const EngineDeps& engine, RecordBook& book, RunReport& report,
                                                        QueueSteps& steps, Pages&& pages, ToItem&& to_item) {
  RecordLife life(book.workflow(), book, steps);
  REFBRIDGE_TRY(process_pages(engine, book, std::forward<Pages>(pages), report, [&](const auto& summary) {
    return to_item(summary);
  }, [&life](const QueueItem& item) { return life.run(item); }));
  if (book.guard().stopped()) return ok();
  return reconcile_unlisted(book, report, [&life](const LedgerRecord& row) { return life.reconcile(row); });
}
