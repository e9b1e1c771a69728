#pragma once
// Delivering records through PING's asynchronous ingestion (workflows 1.2 and 2.1;
// ../shared/docs/workflows.md "POST to PING's ingestion API; confirm with the returned transaction
// id until the ingestion reaches a final status"; schemas/ping/openapi.yaml ingestReferrals,
// ingestReferralDecisions, getIngestionTransaction).
//
// A batch of up to sync.ingestion_batch_size records goes through these ledger states:
//   in_flight (before the POST: a crash now means "maybe received": the next run re-submits, and
//   PING de-duplicates by the record key) -> submitted with the transaction id (a crash now means
//   the next run only follows the transaction) -> the record's final state from the transaction's
//   per-record result: accepted or duplicate -> delivered; rejected -> rejected (rule
//   "ingestion-rejected", PING's error codes and fields in the reason); a failed transaction ->
//   failed (retried next run). A transaction still unfinished after sync.ingestion_timeout stays
//   submitted in the ledger and is reported failed (rule "ingestion-pending"): the next run follows
//   it again before anything else.

#include "executor.h"
#include "record_book.h"
#include "run_report.h"

#include "refbridge/ping/client.h"
#include "refbridge/crash_point.h"
#include "refbridge/log.h"

#include <chrono>
#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace refbridge::workflows {

/// Waits between transaction status reads; tests inject one that does not sleep.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
/// std::this_thread::sleep_for.
Sleeper real_sleeper();

/// A record ready for ingestion: its ledger ticket, its outcome so far (key, ids) and its body.
template <class Body>
struct StagedRecord {
  RecordTicket ticket;
  RecordOutcome outcome;
  std::string hash;  ///< content_hash() of the body
  Body body;
};

/// What the ingestion steps need; nothing owned.
struct IngestionDeps {
  ping::Ping& ping;
  RecordBook& book;
  RunReport& report;
  Logger& log;
  const Sleeper& sleep;
};

/// Reads the transaction until it is completed or failed, or until sync.ingestion_timeout has
/// passed (counted as polls x sync.ingestion_poll_interval, so an injected sleeper keeps tests
/// fast). Returns the last state read. Errors: the getIngestionTransaction call's.
Result<ping::IngestionTransaction> follow_transaction(ping::Ping& ping, const std::string& transaction_id,
                                                      const SyncSettings& settings, const Sleeper& sleep);

/// Settles records whose ingestion ended (or did not end in time) as described in the file
/// comment, adds their outcomes to the report and logs them. `records[i]` was submitted at index
/// i when `by_index`, otherwise results are matched by recordKey == the record's key.
void settle_ingested(const IngestionDeps& deps, const Result<ping::IngestionTransaction>& transaction,
                     std::vector<std::pair<RecordTicket*, RecordOutcome*>>& records, bool by_index);

/// Settles every record as failed with `error` (the ingestion POST failed).
void settle_all_failed(const IngestionDeps& deps, const Error& error,
                       std::vector<std::pair<RecordTicket*, RecordOutcome*>>& records);

/// Logs a settled record's outcome (ids, rule, codes; never payload values).
void log_outcome(Logger& log, std::string_view workflow, const RecordOutcome& outcome);

/// A fresh outcome for the record `key` read from `source_id`.
RecordOutcome new_outcome(const std::string& key, const std::string& source_id);
/// Gives `out` its state, rule and reason, logs it and adds it to the report; the ledger is left
/// untouched (nothing was attempted, e.g. skipped "already-sent" or "retry-backoff").
void report_only(Logger& log, RunReport& report, std::string_view workflow, RecordOutcome out, RecordState state,
                 std::string rule, std::string reason);
/// Same, after writing it to the ledger through RecordBook::settle (which may turn a failure into
/// rejected "retries-exhausted").
void settle_outcome(RecordBook& book, Logger& log, RunReport& report, RecordTicket& ticket, RecordOutcome out,
                    RecordState state, std::string rule, std::string reason);

/// Settles a record whose step failed with `e`, by the error's class (refbridge/error.h;
/// RecordBook::settle_error): permanent -> rejected with the rule, or the code and HTTP status
/// named (e.g. "http: ... (HTTP 413)"); transient -> failed for a later run (no attempt counted
/// when the system did not answer); run-level -> the run stops and the record is neither charged
/// nor reported. `context` prefixes the reason. Logs and reports what it settled.
void settle_failure(RecordBook& book, Logger& log, RunReport& report, RecordTicket& ticket, RecordOutcome out,
                    const Error& e, std::string_view context = {});

/// Ingests `batch` (at most 100 records) with `submit` (one of the PING ingest operations, given
/// the bodies in order) and settles every record. Never fails as a whole: each record ends with
/// its own state in the report and the ledger.
template <class Body>
void ingest_batch(const IngestionDeps& deps, std::vector<StagedRecord<Body>>& batch,
                  const std::function<Result<ping::IngestionAccepted>(std::vector<Body>)>& submit) {
  std::vector<std::pair<RecordTicket*, RecordOutcome*>> sent;
  std::vector<Body> bodies;
  for (auto& r : batch) {
    if (auto w = deps.book.in_flight(r.ticket, r.hash); !w) {
      std::vector<std::pair<RecordTicket*, RecordOutcome*>> one{{&r.ticket, &r.outcome}};
      settle_all_failed(deps, w.error(), one);
      continue;
    }
    sent.emplace_back(&r.ticket, &r.outcome);
    bodies.push_back(r.body);
  }
  if (sent.empty()) return;
  auto accepted = submit(std::move(bodies));
  if (!accepted) return settle_all_failed(deps, accepted.error(), sent);
  crash_point("ingestion.accepted");  // tests/crash: PING holds the batch, the ledger says in_flight
  for (auto& [ticket, outcome] : sent) {
    outcome->transaction_id = accepted.value().transactionId;
    (void)deps.book.submitted(*ticket, accepted.value().transactionId);  // a lost write only means a re-submission
  }
  settle_ingested(deps, follow_transaction(deps.ping, accepted.value().transactionId, deps.book.settings(), deps.sleep),
                  sent, /*by_index=*/true);
}

/// Records staged for ingestion by concurrent workers (thread-safe), taken all at once by the step
/// that ingests them.
template <class Body>
class StagingArea {
 public:
  void stage(StagedRecord<Body> record) {
    std::lock_guard lock(mutex_);
    staged_.push_back(std::move(record));
  }
  /// Everything staged so far; the area is empty afterwards.
  std::vector<StagedRecord<Body>> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(staged_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<StagedRecord<Body>> staged_;  // guarded by mutex_
};

/// Ingests `staged` in batches of `batch_size` records (clamped to PING's 1..100), the batches
/// concurrently on `executor`, and returns when every record is settled (ingest_batch()).
template <class Body>
void ingest_in_batches(const IngestionDeps& deps, BoundedExecutor& executor, std::vector<StagedRecord<Body>> staged,
                       int batch_size, const std::function<Result<ping::IngestionAccepted>(std::vector<Body>)>& submit) {
  if (staged.empty()) return;
  const auto size = static_cast<std::size_t>(std::clamp(batch_size, 1, 100));
  std::vector<std::vector<StagedRecord<Body>>> batches;
  for (auto& r : staged) {
    if (batches.empty() || batches.back().size() >= size) batches.emplace_back();
    batches.back().push_back(std::move(r));
  }
  for (auto& batch : batches) {
    executor.submit([&deps, &batch, &submit] { ingest_batch<Body>(deps, batch, submit); });
  }
  executor.wait_idle();
}

/// Follows the transactions of records left `submitted` by earlier runs (ledger rows with a
/// transaction id) and settles them; returns the keys it settled. Rows are grouped by transaction.
std::vector<std::string> resume_submitted(const IngestionDeps& deps, std::vector<LedgerRecord> rows);

/// Step 0 of the workflows that ingest into PING (1.2, 2.1): the ledger's due rows of the book's
/// workflow (Ledger::due at the book's clock), `page_size` at a time (memory bound). Per page, the
/// rows left `submitted` with a transaction id are followed and settled (resume_submitted; each is
/// first shown to `on_submitted`, e.g. to remember its content hash), and the others are handed to
/// `retry_page`, which processes them (and waits for its tasks) before the next page is read.
/// Errors: the ledger's.
Result<void> retry_due_rows(const IngestionDeps& deps, std::size_t page_size,
                            const std::function<void(const LedgerRecord&)>& on_submitted,
                            const std::function<void(std::vector<LedgerRecord>&)>& retry_page);

}  // namespace refbridge::workflows
