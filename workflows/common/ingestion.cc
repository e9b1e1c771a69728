// PING ingestion steps. See ingestion.h.
#include "ingestion.h"

#include <map>
#include <thread>

namespace refbridge::workflows {
namespace {

bool is_final(const ping::IngestionTransaction& t) {
  return t.status == ping::IngestionStatusValue::kCompleted || t.status == ping::IngestionStatusValue::kFailed;
}

std::string describe_errors(const ping::IngestionRecordResult& r) {
  std::string out;
  if (!r.errors.has_value()) return "no error detail";
  for (const auto& e : *r.errors) {
    if (!out.empty()) out += "; ";
    out += e.code;
    if (e.field.has_value()) out += " (" + *e.field + ")";
    if (e.message.has_value()) out += ": " + *e.message;
  }
  return out;
}

void finish(const IngestionDeps& deps, RecordTicket& ticket, RecordOutcome& outcome) {
  deps.book.settle(ticket, outcome);
  log_outcome(deps.log, deps.book.workflow(), outcome);
  deps.report.add(outcome);
}

void apply_result(RecordOutcome& out, const ping::IngestionRecordResult* r, const std::string& tx) {
  out.transaction_id = tx;
  if (r == nullptr) {
    out.state = RecordState::kFailed;
    out.rule = "ingestion-result-missing";
    out.reason = "transaction " + tx + " completed without a result for this record";
  } else if (r->status == ping::IngestionRecordStatusValue::kAccepted ||
             r->status == ping::IngestionRecordStatusValue::kDuplicate) {
    out.state = RecordState::kDelivered;
    out.rule.clear();
    out.reason.clear();
    out.ids["ingestion"] = std::string(r->status.text());
    if (r->recordKey.has_value()) out.target_key = *r->recordKey;
  } else {
    out.state = RecordState::kRejected;
    out.rule = "ingestion-rejected";
    out.reason = "PING rejected the record: " + describe_errors(*r);
  }
}

const ping::IngestionRecordResult* find_result(const ping::IngestionTransaction& t, std::size_t index,
                                               const std::string& key, bool by_index) {
  if (!t.results.has_value()) return nullptr;
  for (const auto& r : *t.results) {
    if (by_index ? r.index == static_cast<std::int32_t>(index) : (r.recordKey.has_value() && *r.recordKey == key)) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

Sleeper real_sleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

Result<ping::IngestionTransaction> follow_transaction(ping::Ping& ping, const std::string& transaction_id,
                                                      const SyncSettings& settings, const Sleeper& sleep) {
  const auto interval = std::max(settings.ingestion_poll_interval, std::chrono::milliseconds(1));
  const auto max_polls = 1 + std::chrono::duration_cast<std::chrono::milliseconds>(settings.ingestion_timeout) / interval;
  for (std::int64_t poll = 0;; ++poll) {
    REFBRIDGE_TRY(auto t, ping.get_ingestion_transaction({.transactionId = transaction_id}));
    if (is_final(t) || poll + 1 >= max_polls) return t;
    sleep(settings.ingestion_poll_interval);
  }
}

void settle_all_failed(const IngestionDeps& deps, const Error& error,
                       std::vector<std::pair<RecordTicket*, RecordOutcome*>>& records) {
  for (auto& [ticket, outcome] : records) settle_failure(deps.book, deps.log, deps.report, *ticket, *outcome, error);
}

void settle_ingested(const IngestionDeps& deps, const Result<ping::IngestionTransaction>& transaction,
                     std::vector<std::pair<RecordTicket*, RecordOutcome*>>& records, bool by_index) {
  if (!transaction) return settle_all_failed(deps, transaction.error(), records);
  const auto& t = transaction.value();
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& [ticket, out] = records[i];
    out->transaction_id = t.transactionId;
    if (t.status == ping::IngestionStatusValue::kFailed) {
      out->state = RecordState::kFailed;
      out->rule = "ingestion-failed";
      out->reason = "PING transaction " + t.transactionId + " failed" +
                    (t.error.has_value() ? ": " + t.error->code : std::string()) + "; submitted again next run";
    } else if (t.status != ping::IngestionStatusValue::kCompleted) {
      // Still received/processing: keep the ledger row `submitted`, so the next run follows it.
      out->state = RecordState::kFailed;
      out->rule = "ingestion-pending";
      out->reason = "PING transaction " + t.transactionId + " still " + std::string(t.status.text()) +
                    " after the timeout; followed again next run";
      deps.log.warn("record.failed", {{LogKey::kWorkflow, deps.book.workflow()},
                                      {LogKey::kRecordKey, out->key},
                                      {LogKey::kTransactionId, t.transactionId},
                                      {LogKey::kRule, out->rule}});
      deps.report.add(*out);
      continue;
    } else {
      apply_result(*out, find_result(t, i, out->key, by_index), t.transactionId);
    }
    finish(deps, *ticket, *out);
  }
}

std::vector<std::string> resume_submitted(const IngestionDeps& deps, std::vector<LedgerRecord> rows) {
  std::map<std::string, std::vector<LedgerRecord>> by_transaction;
  for (auto& r : rows) {
    if (r.state == LedgerState::kSubmitted && !r.transaction_id.empty()) by_transaction[r.transaction_id].push_back(std::move(r));
  }
  std::vector<std::string> settled;
  for (auto& [tx, group] : by_transaction) {
    std::vector<RecordTicket> tickets;
    std::vector<RecordOutcome> outcomes;
    tickets.reserve(group.size());
    outcomes.reserve(group.size());
    for (auto& row : group) {
      if (!deps.book.claim(row.source_key)) continue;
      RecordOutcome o;
      o.key = row.source_key;
      o.source_id = row.source_id;
      outcomes.push_back(std::move(o));
      tickets.push_back(RecordTicket{std::move(row), true, true});
    }
    std::vector<std::pair<RecordTicket*, RecordOutcome*>> refs;
    for (std::size_t i = 0; i < tickets.size(); ++i) refs.emplace_back(&tickets[i], &outcomes[i]);
    settle_ingested(deps, follow_transaction(deps.ping, tx, deps.book.settings(), deps.sleep), refs, false);
    for (const auto& o : outcomes) settled.push_back(o.key);
  }
  return settled;
}

void log_outcome(Logger& log, std::string_view workflow, const RecordOutcome& out) {
  const std::string event = "record." + std::string(to_string(out.state));
  if (out.state == RecordState::kDelivered) {
    log.info(event, {{LogKey::kWorkflow, std::string(workflow)},
                     {LogKey::kRecordKey, out.key},
                     {LogKey::kTransactionId, out.transaction_id}});
  } else {
    log.warn(event, {{LogKey::kWorkflow, std::string(workflow)},
                     {LogKey::kRecordKey, out.key},
                     {LogKey::kTransactionId, out.transaction_id},
                     {LogKey::kRule, out.rule},
                     {LogKey::kMessage, out.reason}});
  }
}

RecordOutcome new_outcome(const std::string& key, const std::string& source_id) {
  RecordOutcome out;
  out.key = key;
  out.source_id = source_id;
  return out;
}

void report_only(Logger& log, RunReport& report, std::string_view workflow, RecordOutcome out, RecordState state,
                 std::string rule, std::string reason) {
  out.state = state;
  out.rule = std::move(rule);
  out.reason = std::move(reason);
  log_outcome(log, workflow, out);
  report.add(std::move(out));
}

void settle_outcome(RecordBook& book, Logger& log, RunReport& report, RecordTicket& ticket, RecordOutcome out,
                    RecordState state, std::string rule, std::string reason) {
  out.state = state;
  out.rule = std::move(rule);
  out.reason = std::move(reason);
  book.settle(ticket, out);
  log_outcome(log, book.workflow(), out);
  report.add(std::move(out));
}

void settle_failure(RecordBook& book, Logger& log, RunReport& report, RecordTicket& ticket, RecordOutcome out,
                    const Error& e, std::string_view context) {
  Error shown = e;
  shown.message = std::string(context) + e.message;
  if (classify(e) == ErrorClass::kPermanent) {
    const bool rule = e.code == ErrorCode::kRejected;
    return settle_outcome(book, log, report, ticket, std::move(out), RecordState::kRejected,
                          rule ? e.rule : std::string(to_string(e.code)), rule ? shown.message : shown.describe());
  }
  if (!book.settle_error(ticket, out, shown)) return;  // run-level: the run stops, the record is not charged
  log_outcome(log, book.workflow(), out);
  report.add(std::move(out));
}

Result<void> retry_due_rows(const IngestionDeps& deps, std::size_t page_size,
                            const std::function<void(const LedgerRecord&)>& on_submitted,
                            const std::function<void(std::vector<LedgerRecord>&)>& retry_page) {
  std::string after;
  for (;;) {
    REFBRIDGE_TRY(auto rows, deps.book.ledger().due(deps.book.workflow(), deps.book.clock().now(), page_size, after));
    if (rows.empty()) return ok();
    after = rows.back().source_key;
    const bool last = rows.size() < page_size;
    std::vector<LedgerRecord> submitted;
    std::vector<LedgerRecord> retried;
    for (auto& row : rows) {
      if (row.state == LedgerState::kSubmitted && !row.transaction_id.empty()) {
        if (on_submitted) on_submitted(row);
        submitted.push_back(std::move(row));
      } else {
        retried.push_back(std::move(row));
      }
    }
    if (!submitted.empty()) resume_submitted(deps, std::move(submitted));
    retry_page(retried);
    if (last) return ok();
  }
}

}  // namespace refbridge::workflows
