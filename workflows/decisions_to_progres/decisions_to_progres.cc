// Workflow 1.2. See decisions_to_progres.h for the steps and their source.
#include "decisions_to_progres.h"

#include "refbridge/mappings/primero_decision_to_progres.h"
#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/json.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/validation.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace refbridge::workflows {
namespace {

constexpr const char* kWorkflow = "1.2";
constexpr std::size_t kDuePageSize = 100;  // ledger rows retried per step (memory bound)

using Decision = ping::OutgoingReferralDecision;
using Staged = StagedRecord<Decision>;
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

std::string text_of(const Nullable<std::string>& v) { return v ? *v : std::string(); }

/// One decision found in a case: its key and row, or the refusal of a group of rows.
struct Candidate {
  std::string key;
  std::string number;                ///< progres_interventionnumber
  const primero::Service* service;   ///< the (first) selected row
  std::optional<Error> refusal;      ///< set when the case's rows for `number` disagree
};

/// The case part of the key: case_id, or the record id when a case lacks one (the mapping then
/// rejects it for the missing case_id; the key only has to be unique).
std::string case_part(const primero::Case& c) {
  const std::string case_id = text_of(c.case_id);
  return case_id.empty() ? "record:" + text_of(c.id) : case_id;
}

/// Step 2 over one case: the selected rows grouped by intervention number (ordered, so retries
/// and reports are deterministic). Rows of one number with different decisions are refused.
std::vector<Candidate> candidates(const primero::Case& c) {
  std::map<std::string, std::vector<const primero::Service*>> by_number;
  if (c.services_section) {
    for (const auto& s : *c.services_section) {
      if (is_selected_decision(s)) by_number[*s.progres_interventionnumber].push_back(&s);
    }
  }
  std::vector<Candidate> out;
  for (const auto& entry : by_number) {
    const auto& number = entry.first;
    const auto& rows = entry.second;  // a plain reference: clang 14 cannot capture structured bindings
    Candidate cand{decision_key(case_part(c), number), number, rows.front(), std::nullopt};
    const bool agree = std::all_of(rows.begin(), rows.end(), [&](const primero::Service* s) {
      return s->unhcr_referral_status == rows.front()->unhcr_referral_status &&
             s->unhcr_referral_rejection_reason == rows.front()->unhcr_referral_rejection_reason;
    });
    if (!agree) {
      cand.refusal = make_rejection("ambiguous-decision",
                                    "case " + case_part(c) + " has " + std::to_string(rows.size()) +
                                        " services_section rows for intervention " + number +
                                        " with different decisions (unhcr_referral_status / "
                                        "unhcr_referral_rejection_reason); keep one row in Primero");
    }
    out.push_back(std::move(cand));
  }
  return out;
}

/// Delivered, skipped or rejected: the ledger needs nothing more for the record.
bool is_final(LedgerState s) {
  return s == LedgerState::kDelivered || s == LedgerState::kSkipped || s == LedgerState::kRejected;
}

/// Splits a ledger key back into (case part, intervention number); the case part never holds '/'.
std::pair<std::string, std::string> split_key(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) return {key, std::string()};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

class DecisionProcessor {
 public:
  DecisionProcessor(const DecisionsToProgresDeps& deps, RecordBook& book, RunReport& report)
      : d_(deps),
        book_(book),
        report_(report),
        executor_(deps.engine.sync.concurrency, &run_cancellation(), &book.guard().token()) {}

  /// The run guard's error once a run-level failure or the breaker stopped the run (run_guard.h):
  /// the cursor then stays before the page whose records were not all processed.
  Result<void> check_running() const {
    if (auto cause = book_.guard().cause()) return *cause;
    return ok();
  }

  ~DecisionProcessor() { executor_.wait_idle(); }
  DecisionProcessor(const DecisionProcessor&) = delete;
  DecisionProcessor& operator=(const DecisionProcessor&) = delete;

  // Step 0: the ledger's due rows, kDuePageSize at a time. Errors: the ledger's.
  Result<void> retry_due() {
    return retry_due_rows(
        ingestion_deps(), kDuePageSize, [this](const LedgerRecord& row) { remember(row.source_key, row.content_hash); },
        [this](std::vector<LedgerRecord>& rows) {
          for (const auto& row : rows) {
            // Rows of one case one at a time (per-key ordering, executor.h).
            executor_.submit(split_key(row.source_key).first, [this, &row] { retry_row(row); });
          }
          executor_.wait_idle();
          ingest_staged();
        });
  }

  // Steps 2-4 over one page of cases.
  void process_page(const std::vector<primero::Case>& cases) {
    for (const auto& c : cases) {
      executor_.submit(case_part(c), [this, &c] {
        for (const auto& cand : candidates(c)) consider(c, cand);
      });
    }
    executor_.wait_idle();
    ingest_staged();
  }

 private:
  IngestionDeps ingestion_deps() { return IngestionDeps{d_.ping, book_, report_, d_.engine.log, d_.engine.sleep}; }

  // A due failed / in_flight row: the case as it is now decides what is sent.
  void retry_row(const LedgerRecord& row) {
    auto fetched = d_.primero.get_case({.id = row.source_id});
    if (!fetched) {
      // The fingerprint is the payload last attempted: the same decision re-read through the
      // cursor later in this run is not reported twice; a changed one is processed.
      if (!first_time(row.source_key, row.content_hash)) return;
      RecordTicket ticket{row, true, false};
      settle_failure(book_, d_.engine.log, report_, ticket, outcome(row.source_key, row.source_id), fetched.error(),
                     "re-reading the case failed: ");
      return;
    }
    const primero::Case& c = fetched.value().data;
    const auto number = split_key(row.source_key).second;
    for (const auto& cand : candidates(c)) {
      if (cand.key == row.source_key) return consider(c, cand);
    }
    if (!first_time(row.source_key, "no-longer-selected")) return;
    RecordTicket ticket{row, true, false};
    auto out = outcome(row.source_key, row.source_id);
    out.ids["intervention_number"] = number;
    settle(ticket, std::move(out), RecordState::kSkipped, "no-longer-selected",
           "the case no longer holds an external referral row for intervention " + number +
               " with unhcr_referral_status accepted or rejected");
  }

  // Step 3 for one decision; stages it for step 4 unless it ends here.
  void consider(const primero::Case& c, const Candidate& cand) {
    auto out = outcome(cand.key, text_of(c.id));
    out.ids["case_id"] = text_of(c.case_id);
    out.ids["intervention_number"] = cand.number;
    Result<Decision> body = cand.refusal ? Result<Decision>(*cand.refusal) : transform(c, *cand.service);
    const std::string hash = body ? content_hash(json::serialize(body.value())) : "refused:" + body.error().rule;
    if (!first_time(cand.key, hash)) return;

    auto ticket = book_.open(cand.key, out.source_id);
    if (!ticket) return report_only(std::move(out), RecordState::kFailed, "ledger", ticket.error().describe());
    RecordTicket& t = ticket.value();
    if (book_.backing_off(t)) {
      return report_only(std::move(out), RecordState::kSkipped, "retry-backoff",
                         "failed before; next attempt not before " + DateTime::from_utc(*t.row.next_attempt_at).text);
    }
    if (!body) {
      const Error& e = body.error();
      const bool rule = e.code == ErrorCode::kRejected;
      return settle(t, std::move(out), RecordState::kRejected, rule ? e.rule : std::string(to_string(e.code)),
                    rule ? e.message : e.describe());
    }
    // A row left in_flight / failed with another body may have reached PING: send again then.
    if (RecordBook::unchanged(t, hash) && is_final(t.row.state)) {
      return report_only(std::move(out), RecordState::kSkipped, "already-sent",
                         "this decision was delivered to PING before; nothing changed since");
    }
    if (t.row.state == LedgerState::kRejected && t.row.content_hash == hash) {
      return report_only(std::move(out), RecordState::kSkipped, "already-rejected",
                         "this same decision was rejected before (" + t.row.error_code + "); change it in Primero to resend");
    }
    staging_.stage(Staged{std::move(t), std::move(out), hash, std::move(body).value()});
  }

  // The generated transform, then the generated validator on its output (rule "schema").
  Result<Decision> transform(const primero::Case& c, const primero::Service& s) {
    mappings::PrimeroDecisionToProgresInput in;
    in.case_ = c;
    in.case_.services_section.reset();  // the mapping reads the row from `service` only
    in.service = s;
    const MappingContext ctx{WriteMode::kCreate, &d_.engine.clock};
    REFBRIDGE_TRY(auto body, mappings::primero_decision_to_progres(in, d_.profile, ctx));
    if (auto v = ping::validate(body); !v.empty()) {
      return make_rejection("schema", "the PING decision violates its schema: " + to_string(v));
    }
    return body;
  }

  // Step 4: the staged records in batches of sync.ingestion_batch_size, batches concurrently.
  void ingest_staged() {
    const std::function<Result<ping::IngestionAccepted>(std::vector<Decision>)> submit = [this](std::vector<Decision> records) {
      return d_.ping.ingest_referral_decisions({.body = ping::DecisionIngestion{.records = std::move(records)}});
    };
    ingest_in_batches<Decision>(ingestion_deps(), executor_, staging_.take(), d_.engine.sync.ingestion_batch_size, submit);
  }

  /// True when this run has not yet given `key` an outcome for this `fingerprint`: the first time
  /// the key is seen, or again when its decision changed during the run (a new change).
  bool first_time(const std::string& key, const std::string& fingerprint) {
    std::lock_guard lock(mutex_);
    if (book_.claim(key)) {
      seen_[key] = fingerprint;
      return true;
    }
    auto it = seen_.find(key);
    if (it != seen_.end() && it->second == fingerprint) return false;
    seen_[key] = fingerprint;
    return true;
  }

  void remember(const std::string& key, const std::string& fingerprint) {
    std::lock_guard lock(mutex_);
    seen_[key] = fingerprint;
  }

  static RecordOutcome outcome(const std::string& key, const std::string& source_id) {
    return new_outcome(key, source_id);
  }

  /// An outcome that leaves the ledger untouched.
  void report_only(RecordOutcome out, RecordState state, std::string rule, std::string reason) {
    workflows::report_only(d_.engine.log, report_, kWorkflow, std::move(out), state, std::move(rule), std::move(reason));
  }

  /// Writes the outcome to the ledger (a failure may become retries-exhausted), logs and reports it.
  void settle(RecordTicket& ticket, RecordOutcome out, RecordState state, std::string rule, std::string reason) {
    settle_outcome(book_, d_.engine.log, report_, ticket, std::move(out), state, std::move(rule), std::move(reason));
  }

  const DecisionsToProgresDeps& d_;
  RecordBook& book_;
  RunReport& report_;
  std::mutex mutex_;
  StagingArea<Decision> staging_;
  std::map<std::string, std::string> seen_;  // key -> fingerprint given an outcome this run; guarded by mutex_
  BoundedExecutor executor_;                 // last: its destructor waits for tasks using the members above
};

/// Steps 1-4: every page of cases updated since the cursor; the cursor moves after each page.
/// Returns the cursor the run ended with. Errors: the cursor's, listCases', the ledger's.
Result<std::string> read_and_send(const DecisionsToProgresDeps& deps, DecisionProcessor& processor) {
  const auto& sync = deps.engine.sync;
  REFBRIDGE_TRY(const Instant stored, load_time_cursor(deps.engine.ledger, kWorkflow, sync.initial_cursor));
  Instant cursor = stored;
  UpdatedCasesQuery query;
  query.from = stored - std::chrono::duration_cast<std::chrono::milliseconds>(sync.cursor_overlap);
  query.per = sync.primero_page_size;
  int page_number = 0;
  auto on_page = [&](std::vector<primero::Case>& cases, std::optional<Instant> newest) -> Result<void> {
    ++page_number;
    deps.engine.log.info("page.read", {{LogKey::kWorkflow, kWorkflow},
                                       {LogKey::kPage, std::to_string(page_number)},
                                       {LogKey::kCount, std::to_string(cases.size())}});
    processor.process_page(cases);
    REFBRIDGE_TRY(processor.check_running());
    // Every record of the page has a ledger state now (failed ones are retried from the ledger).
    if (newest && *newest > cursor) {
      cursor = *newest;
      REFBRIDGE_TRY(deps.engine.ledger.set_cursor(kWorkflow, cursor_text(cursor)));
    }
    return ok();
  };
  REFBRIDGE_TRY(read_updated_cases(deps.primero, query, on_page));
  return cursor_text(cursor);
}

}  // namespace

std::string decision_key(const std::string& case_id, const std::string& intervention_number) {
  return case_id + "/" + intervention_number;
}

bool is_selected_decision(const primero::Service& s) {
  const std::string status = text_of(s.unhcr_referral_status);
  return !text_of(s.progres_interventionnumber).empty() && text_of(s.service_referral) == "external_referral" &&
         (status == "accepted" || status == "rejected");
}

RunReport run_decisions_to_progres(const DecisionsToProgresDeps& deps) {
  return run_with_ledger(deps.engine, kWorkflow, [&](RecordBook& book, RunReport& report) -> Result<std::string> {
    DecisionProcessor processor(deps, book, report);
    REFBRIDGE_TRY(processor.retry_due());
    REFBRIDGE_TRY(processor.check_running());
    return read_and_send(deps, processor);
  });
}

}  // namespace refbridge::workflows
