// Workflow 2.1. See referrals_to_progres.h for the steps and their source.
#include "referrals_to_progres.h"

#include "refbridge/mappings/primero_referral_to_progres.h"
#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/json.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/validation.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace refbridge::workflows {
namespace {

constexpr const char* kWorkflow = "2.1";
constexpr std::size_t kDuePageSize = 100;       // ledger rows retried per step (memory bound)
constexpr std::size_t kSuffixLength = 12;       // workflows.md correlation keys
constexpr std::string_view kCaseRowSuffix = "#referrals";  // case whose referrals could not be listed

using Body = ping::IncomingReferral;
using Staged = StagedRecord<Body>;
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

std::string text_of(const Nullable<std::string>& v) { return v ? *v : std::string(); }

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
}

/// The case part of every key: case_id, or the record id when a case lacks one (the mapping then
/// rejects it for the missing case_id; the key only has to be unique).
std::string case_part(const primero::Case& c) {
  const std::string case_id = text_of(c.case_id);
  return case_id.empty() ? "record:" + text_of(c.id) : case_id;
}

std::string case_row_key(const primero::Case& c) { return case_part(c) + std::string(kCaseRowSuffix); }

bool is_case_row_key(const std::string& key) { return key.ends_with(kCaseRowSuffix); }

/// The services_section row whose unique_id is `unique_id` (non-empty), or null.
const primero::Service* service_row(const primero::Case& c, const std::string& unique_id) {
  if (unique_id.empty() || !c.services_section) return nullptr;
  for (const auto& s : *c.services_section) {
    if (text_of(s.unique_id) == unique_id) return &s;
  }
  return nullptr;
}

/// The user whose contact goes with the referral (step 3): the referring user, else the owner.
std::string referring_user(const primero::Case& c, const primero::Referral& r) {
  const std::string by = text_of(r.transitioned_by);
  return by.empty() ? text_of(c.owned_by) : by;
}

bool same_user_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

/// One referral to UNHCR to send: its key, the referral and the referred row (null when the row
/// cannot be found: rejected "no-service-row").
struct Candidate {
  std::string key;
  const primero::Referral* referral;
  const primero::Service* service;
};

/// Step 2 over one case: the in_progress referrals to UNHCR, one per key (the oldest referral of a
/// row wins when a row was referred twice), in creation order.
std::vector<Candidate> candidates(const primero::Case& c, const std::vector<primero::Referral>& referrals,
                                  const UnhcrIdentity& unhcr) {
  std::vector<const primero::Referral*> selected;
  for (const auto& r : referrals) {
    if (r.status == primero::ReferralStatus::kInProgress && is_referral_to_unhcr(r, c, unhcr)) selected.push_back(&r);
  }
  const auto created = [](const primero::Referral* r) {
    return r->created_at ? r->created_at->utc : Instant::max();
  };
  std::sort(selected.begin(), selected.end(), [&](const primero::Referral* a, const primero::Referral* b) {
    return created(a) != created(b) ? created(a) < created(b) : a->id < b->id;
  });
  std::vector<Candidate> out;
  std::set<std::string> keys;
  for (const auto* r : selected) {
    const std::string row_id = text_of(r->service_record_id);
    const primero::Service* row = row_id.size() >= kSuffixLength ? service_row(c, row_id) : nullptr;
    std::string key = row ? referral_key(case_part(c), row_id) : case_part(c) + "#referral-" + r->id;
    if (keys.insert(key).second) out.push_back(Candidate{std::move(key), r, row});
  }
  return out;
}

/// The referring users' contact records for one run (step 3): at most one listUsers per user name
/// per run, whatever the number of threads asking. Thread-safe.
class ContactDirectory {
 public:
  ContactDirectory(primero::Primero& primero, const UnhcrIdentity& unhcr, Logger& log)
      : primero_(primero), unhcr_(unhcr), log_(log) {}

  /// The contact for `user_name`: that user's record, else the fallback user's, else an empty
  /// record (the mapping's profile constants fill it). Errors: a listUsers failure other than 403.
  Result<primero::User> contact_for(const std::string& user_name) {
    if (!user_name.empty()) {
      REFBRIDGE_TRY(auto user, find(user_name));
      if (user) return std::move(*user);
    }
    if (!unhcr_.fallback_contact_user.empty()) {
      REFBRIDGE_TRY(auto fallback, find(unhcr_.fallback_contact_user));
      if (fallback) return std::move(*fallback);
    }
    return primero::User{};
  }

 private:
  using Found = Result<std::optional<primero::User>>;
  struct Slot {
    std::once_flag once;
    std::optional<Found> value;
  };

  /// The cached answer for `user_name` (looked up on first use).
  Found find(const std::string& user_name) {
    if (forbidden_.load()) return std::optional<primero::User>();
    std::shared_ptr<Slot> slot;
    {
      std::lock_guard lock(mutex_);
      auto& s = slots_[user_name];
      if (!s) s = std::make_shared<Slot>();
      slot = s;
    }
    std::call_once(slot->once, [&] { slot->value = fetch(user_name); });
    return *slot->value;
  }

  /// One listUsers(user_name): the exact match, nullopt when none or when the API user may not
  /// list users (403: logged once; every contact then falls back to the empty one).
  Found fetch(const std::string& user_name) {
    primero::ListUsersRequest req;
    req.user_name = user_name;
    auto list = primero_.list_users(req);
    if (!list) {
      if (list.error().code != ErrorCode::kForbidden) return list.error();
      if (!forbidden_.exchange(true)) {
        log_.warn("contacts.forbidden", {{LogKey::kWorkflow, kWorkflow},
                                         {LogKey::kHttpStatus, "403"},
                                         {LogKey::kMessage, "listUsers is not permitted to the API user (user-management "
                                                            "read); every referral carries the profile's fallback contact"}});
      }
      return std::optional<primero::User>();
    }
    for (auto& u : list.value().data) {
      if (same_user_name(u.user_name, user_name)) return std::optional<primero::User>(std::move(u));
    }
    return std::optional<primero::User>();
  }

  primero::Primero& primero_;
  const UnhcrIdentity& unhcr_;
  Logger& log_;
  std::atomic<bool> forbidden_{false};
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Slot>> slots_;  // guarded by mutex_
};

/// A case with its referrals, as re-read for a retry.
struct CaseReferrals {
  primero::Case c;
  std::vector<primero::Referral> referrals;
};

class ReferralProcessor {
 public:
  ReferralProcessor(const ReferralsToProgresDeps& deps, RecordBook& book, RunReport& report)
      : d_(deps),
        book_(book),
        report_(report),
        contacts_(deps.primero, deps.unhcr, deps.engine.log),
        executor_(deps.engine.sync.concurrency, &run_cancellation(), &book.guard().token()) {}

  /// The run guard's error once a run-level failure or the breaker stopped the run (run_guard.h):
  /// the cursor then stays before the page whose records were not all processed.
  Result<void> check_running() const {
    if (auto cause = book_.guard().cause()) return *cause;
    return ok();
  }

  ~ReferralProcessor() { executor_.wait_idle(); }
  ReferralProcessor(const ReferralProcessor&) = delete;
  ReferralProcessor& operator=(const ReferralProcessor&) = delete;

  // Step 0: the ledger's due rows, kDuePageSize at a time, one re-read per case. Errors: the ledger's.
  Result<void> retry_due() {
    return retry_due_rows(ingestion_deps(), kDuePageSize, {}, [this](std::vector<LedgerRecord>& rows) {
      std::map<std::string, std::vector<LedgerRecord>> by_case;  // source_id -> rows
      for (auto& row : rows) by_case[row.source_id].push_back(std::move(row));
      for (const auto& entry : by_case) {
        executor_.submit(entry.first, [this, &entry] { retry_case(entry.first, entry.second); });  // one case at a time
      }
      executor_.wait_idle();
      ingest_staged();
    });
  }

  // Steps 2-4 over one page of cases.
  void process_page(const std::vector<primero::Case>& cases) {
    for (const auto& c : cases) {
      executor_.submit(text_of(c.id), [this, &c] { process_case(c); });  // one case at a time (executor.h)
    }
    executor_.wait_idle();
    ingest_staged();
  }

 private:
  IngestionDeps ingestion_deps() { return IngestionDeps{d_.ping, book_, report_, d_.engine.log, d_.engine.sleep}; }

  // Step 2 for a case read through the cursor.
  void process_case(const primero::Case& c) {
    auto referrals = d_.primero.list_case_referrals({.id = text_of(c.id)});
    if (!referrals) {
      const std::string key = case_row_key(c);
      if (!book_.claim(key)) return;
      auto ticket = book_.open(key, text_of(c.id));
      auto out = outcome(key, text_of(c.id));
      out.ids["case_id"] = text_of(c.case_id);
      if (!ticket) return report_only(std::move(out), RecordState::kFailed, "ledger", ticket.error().describe());
      return settle_failure(book_, d_.engine.log, report_, ticket.value(), std::move(out), referrals.error(),
                            "listing the case's referrals failed (read again next run): ");
    }
    for (const auto& cand : candidates(c, referrals.value().data, d_.unhcr)) consider(c, cand);
  }

  // A case with due failed / in_flight rows: the case and its referrals as they are now decide.
  void retry_case(const std::string& record_id, const std::vector<LedgerRecord>& rows) {
    auto fetched = fetch(record_id);
    if (!fetched) {
      for (const auto& row : rows) {
        if (!book_.claim(row.source_key)) continue;
        RecordTicket ticket{row, true, false};
        settle_failure(book_, d_.engine.log, report_, ticket, outcome(row.source_key, record_id), fetched.error(),
                       "re-reading the case or its referrals failed: ");
      }
      return;
    }
    const CaseReferrals& cr = fetched.value();
    const auto cands = candidates(cr.c, cr.referrals, d_.unhcr);
    for (const auto& row : rows) {
      if (is_case_row_key(row.source_key)) {
        for (const auto& cand : cands) consider(cr.c, cand);
        settle_retired(row, record_id, RecordState::kSkipped, "referrals-read",
                       "the case's referrals were read again; each referral to UNHCR has its own outcome");
        continue;
      }
      const auto it = std::find_if(cands.begin(), cands.end(), [&](const Candidate& c) { return c.key == row.source_key; });
      if (it != cands.end()) {
        consider(cr.c, *it);
      } else {
        settle_retired(row, record_id, RecordState::kSkipped, "no-longer-selected",
                       "the case no longer holds an in_progress referral to UNHCR for this service row");
      }
    }
  }

  Result<CaseReferrals> fetch(const std::string& record_id) {
    REFBRIDGE_TRY(auto envelope, d_.primero.get_case({.id = record_id}));
    REFBRIDGE_TRY(auto referrals, d_.primero.list_case_referrals({.id = record_id}));
    return CaseReferrals{std::move(envelope.data), std::move(referrals.data)};
  }

  /// Settles a ledger row that has no candidate any more (claimed once per run).
  void settle_retired(const LedgerRecord& row, const std::string& record_id, RecordState state, std::string rule,
                      std::string reason) {
    if (!book_.claim(row.source_key)) return;
    RecordTicket ticket{row, true, false};
    settle(ticket, outcome(row.source_key, record_id), state, std::move(rule), std::move(reason));
  }

  // Steps 2-4 for one referral to UNHCR; stages it for ingestion unless it ends here.
  void consider(const primero::Case& c, const Candidate& cand) {
    if (!book_.claim(cand.key)) return;
    auto out = outcome(cand.key, text_of(c.id));
    out.ids["case_id"] = text_of(c.case_id);
    out.ids["referral_id"] = cand.referral->id;
    out.ids["service_id"] = text_of(cand.referral->service_record_id);

    auto ticket = book_.open(cand.key, out.source_id);
    if (!ticket) return report_only(std::move(out), RecordState::kFailed, "ledger", ticket.error().describe());
    RecordTicket& t = ticket.value();
    if (!t.row.delivered_hash.empty() || t.row.state == LedgerState::kDelivered) {
      return report_only(std::move(out), RecordState::kSkipped, "already-delivered",
                         "this referral was delivered to PING before; only the original referral request is exchanged");
    }
    if (book_.backing_off(t)) {
      return report_only(std::move(out), RecordState::kSkipped, "retry-backoff",
                         "failed before; next attempt not before " + DateTime::from_utc(*t.row.next_attempt_at).text);
    }
    if (cand.service == nullptr) {
      if (t.row.state == LedgerState::kRejected && t.row.error_code == "no-service-row") {
        return report_only(std::move(out), RecordState::kSkipped, "already-rejected",
                           "this referral was rejected before (no-service-row); refer the case from its service row");
      }
      return settle(t, std::move(out), RecordState::kRejected, "no-service-row",
                    "referral " + cand.referral->id +
                        " names no services_section row of the case (service_record_id empty, shorter than 12 "
                        "characters, or no row with that unique_id); refer the case from its service row in Primero");
    }
    auto contact = contacts_.contact_for(referring_user(c, *cand.referral));
    if (!contact) {
      Error e = contact.error();
      e.message = std::string(to_string(e.code));  // the listing's text may name the user: codes only
      return settle_failure(book_, d_.engine.log, report_, t, std::move(out), e,
                            "reading the referring user's contact (listUsers) failed: ");
    }
    auto body = transform(c, cand, contact.value());
    if (!body) {
      const Error& e = body.error();
      const bool rule = e.code == ErrorCode::kRejected;
      return settle(t, std::move(out), RecordState::kRejected, rule ? e.rule : std::string(to_string(e.code)),
                    rule ? e.message : e.describe());
    }
    const std::string hash = content_hash(json::serialize(body.value()));
    if (t.row.state == LedgerState::kRejected && t.row.content_hash == hash) {
      return report_only(std::move(out), RecordState::kSkipped, "already-rejected",
                         "this same referral was rejected before (" + t.row.error_code + "); change it in Primero to resend");
    }
    staging_.stage(Staged{std::move(t), std::move(out), hash, std::move(body).value()});
  }

  // The generated transform, then the generated validator on its output (rule "schema").
  Result<Body> transform(const primero::Case& c, const Candidate& cand, primero::User contact) {
    mappings::PrimeroReferralToProgresInput in;
    in.case_ = c;
    in.case_.services_section.reset();  // the mapping reads the row from `service` only
    in.service = *cand.service;
    in.referral = *cand.referral;
    in.contact = std::move(contact);
    const MappingContext ctx{WriteMode::kCreate, &d_.engine.clock};
    REFBRIDGE_TRY(auto body, mappings::primero_referral_to_progres(in, d_.profile, ctx));
    if (auto v = ping::validate(body); !v.empty()) {
      return make_rejection("schema", "the PING referral violates its schema: " + to_string(v));
    }
    return body;
  }

  // Step 4: the staged records in batches of sync.ingestion_batch_size, batches concurrently.
  void ingest_staged() {
    const std::function<Result<ping::IngestionAccepted>(std::vector<Body>)> submit = [this](std::vector<Body> records) {
      return d_.ping.ingest_referrals({.body = ping::ReferralIngestion{.records = std::move(records)}});
    };
    ingest_in_batches<Body>(ingestion_deps(), executor_, staging_.take(), d_.engine.sync.ingestion_batch_size, submit);
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

  const ReferralsToProgresDeps& d_;
  RecordBook& book_;
  RunReport& report_;
  ContactDirectory contacts_;
  StagingArea<Body> staging_;
  BoundedExecutor executor_;    // last: its destructor waits for tasks using the members above
};

/// The associated_user_names filter: the configured UNHCR user names, comma-separated (none: no filter).
std::optional<std::string> user_filter(const UnhcrIdentity& unhcr) {
  if (unhcr.user_names.empty()) return std::nullopt;
  std::string out;
  for (const auto& name : unhcr.user_names) {
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

/// Steps 1-4: every page of cases updated since the cursor; the cursor moves after each page.
/// Returns the cursor the run ended with. Errors: the cursor's, listCases', the ledger's.
Result<std::string> read_and_send(const ReferralsToProgresDeps& deps, ReferralProcessor& processor) {
  const auto& sync = deps.engine.sync;
  REFBRIDGE_TRY(const Instant stored, load_time_cursor(deps.engine.ledger, kWorkflow, sync.initial_cursor));
  Instant cursor = stored;
  UpdatedCasesQuery query;
  query.from = stored - std::chrono::duration_cast<std::chrono::milliseconds>(sync.cursor_overlap);
  query.per = sync.primero_page_size;
  query.associated_user_names = user_filter(deps.unhcr);
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

std::string referral_key(const std::string& case_id, const std::string& service_record_id) {
  const std::size_t n = service_record_id.size();
  return case_id + "#" + (n > kSuffixLength ? service_record_id.substr(n - kSuffixLength) : service_record_id);
}

bool is_referral_to_unhcr(const primero::Referral& r, const primero::Case& c, const UnhcrIdentity& unhcr) {
  if (contains(unhcr.user_names, text_of(r.transitioned_to))) return true;
  if (contains(unhcr.agencies, text_of(r.transitioned_to_agency))) return true;
  const primero::Service* row = service_row(c, text_of(r.service_record_id));
  return row != nullptr && contains(unhcr.agencies, text_of(row->service_implementing_agency));
}

RunReport run_referrals_to_progres(const ReferralsToProgresDeps& deps) {
  return run_with_ledger(deps.engine, kWorkflow, [&](RecordBook& book, RunReport& report) -> Result<std::string> {
    ReferralProcessor processor(deps, book, report);
    REFBRIDGE_TRY(processor.retry_due());
    REFBRIDGE_TRY(processor.check_running());
    return read_and_send(deps, processor);
  });
}

}  // namespace refbridge::workflows
