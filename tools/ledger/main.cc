// refbridge-ledger: the audit trail of the durable ledger (refbridge/ledger.h), read-only.
// Usage:
//   refbridge-ledger --ledger PATH show    --workflow W --key KEY         [--json]
//   refbridge-ledger --ledger PATH list    --workflow W [--state S] [--limit N] [--after KEY] [--json]
//   refbridge-ledger --ledger PATH runs    --workflow W [--limit N]        [--json]
//   refbridge-ledger --ledger PATH summary                                 [--json]
// Times are ISO-8601 UTC with milliseconds ("2025-01-01T10:00:00.000Z"). The ledger is opened
// read-only: a missing file is an error, never a new database.
// Exit status: 0 success; 1 the key is unknown (show); 2 usage or ledger error.
// Source: the state-store issue ("a refbridge-ledger command shows, for a record key, what
// happened to it across runs, and lists records by state").

#include "refbridge/json.h"
#include "refbridge/ledger.h"
#include "refbridge/time.h"
#include "refbridge/version.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using refbridge::Ledger;
using refbridge::LedgerEvent;
using refbridge::LedgerRecord;
using refbridge::LedgerTime;
using refbridge::Result;
using refbridge::RunRow;
using refbridge::json::Writer;

constexpr int kExitOk = 0;
constexpr int kExitUnknownKey = 1;
constexpr int kExitError = 2;

struct Options {
  std::string ledger;
  bool json = false;
  std::string workflow;
  std::string key;
  std::string state;
  std::string after;
  std::size_t list_limit = 100;
  std::size_t runs_limit = 20;
};

// ---- formatting ----

std::string iso(LedgerTime t) { return refbridge::DateTime::from_utc(t).text; }

std::string iso_or_dash(const std::optional<LedgerTime>& t) { return t ? iso(*t) : "-"; }

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

std::optional<std::int64_t> duration_ms(const RunRow& run) {
  if (!run.finished_at) return std::nullopt;
  return (*run.finished_at - run.started_at).count();
}

std::string duration_text(const RunRow& run) {
  const auto ms = duration_ms(run);
  if (!ms) return "unfinished";
  const std::string millis = std::to_string(1000 + *ms % 1000);
  return std::to_string(*ms / 1000) + "." + millis.substr(1) + "s";
}

using Row = std::vector<std::string>;

/// Aligned columns separated by two spaces; the last column is not padded.
void print_table(std::ostream& out, const std::vector<Row>& rows, std::string_view indent = {}) {
  std::vector<std::size_t> widths;
  for (const Row& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const Row& row : rows) {
    out << indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << '\n';
  }
}

std::string error_text(const std::string& code, const std::string& message) {
  if (code.empty() && message.empty()) return "-";
  return code + (message.empty() ? "" : ": " + message);
}

void print_record(std::ostream& out, const LedgerRecord& r) {
  out << "workflow " << r.workflow << ", key " << r.source_key << '\n';
  print_table(out,
              {{"state", std::string(to_string(r.state))},
               {"source_id", or_dash(r.source_id)},
               {"target_key", or_dash(r.target_key)},
               {"attempts", std::to_string(r.attempts)},
               {"error", error_text(r.error_code, r.error_message)},
               {"transaction_id", or_dash(r.transaction_id)},
               {"content_hash", or_dash(r.content_hash)},
               {"delivered_hash", or_dash(r.delivered_hash)},
               {"first_seen_at", iso(r.first_seen_at)},
               {"updated_at", iso(r.updated_at)},
               {"next_attempt_at", iso_or_dash(r.next_attempt_at)}},
              "  ");
}

void print_history(std::ostream& out, const std::vector<LedgerEvent>& events) {
  out << "history (" << events.size() << " events, oldest first)\n";
  std::vector<Row> rows{{"RUN", "AT", "STATE", "ATTEMPTS", "CODE", "TRANSACTION", "MESSAGE"}};
  for (const LedgerEvent& e : events) {
    rows.push_back({e.run_id == 0 ? "-" : std::to_string(e.run_id), iso(e.at), std::string(to_string(e.state)),
                    std::to_string(e.attempts), or_dash(e.error_code), or_dash(e.transaction_id), or_dash(e.error_message)});
  }
  print_table(out, rows, "  ");
}

std::string counts_text(const RunRow& run) {
  return "delivered=" + std::to_string(run.counts.delivered) + " skipped=" + std::to_string(run.counts.skipped) +
         " rejected=" + std::to_string(run.counts.rejected) + " failed=" + std::to_string(run.counts.failed);
}

// ---- JSON ----

void write_string(Writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_int(Writer& w, std::string_view key, std::int64_t value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.Int64(value);
}

/// `"key": "<ISO-8601>"`, or `"key": null` when unset.
void write_time(Writer& w, std::string_view key, const std::optional<LedgerTime>& t) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  if (t) {
    const std::string text = iso(*t);
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    w.Null();
  }
}

/// `"key": "value"`, or `"key": null` when unset.
void write_optional_string(Writer& w, std::string_view key, const std::optional<std::string>& value) {
  if (value) return write_string(w, key, *value);
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.Null();
}

void write_record(Writer& w, const LedgerRecord& r) {
  w.StartObject();
  write_string(w, "workflow", r.workflow);
  write_string(w, "source_key", r.source_key);
  write_string(w, "source_id", r.source_id);
  write_string(w, "target_key", r.target_key);
  write_string(w, "state", to_string(r.state));
  write_int(w, "attempts", r.attempts);
  write_string(w, "error_code", r.error_code);
  write_string(w, "error_message", r.error_message);
  write_string(w, "transaction_id", r.transaction_id);
  write_string(w, "content_hash", r.content_hash);
  write_string(w, "delivered_hash", r.delivered_hash);
  write_time(w, "first_seen_at", r.first_seen_at);
  write_time(w, "updated_at", r.updated_at);
  write_time(w, "next_attempt_at", r.next_attempt_at);
  w.EndObject();
}

void write_event(Writer& w, const LedgerEvent& e) {
  w.StartObject();
  w.Key("run_id");
  if (e.run_id == 0) {
    w.Null();
  } else {
    w.Int64(e.run_id);
  }
  write_time(w, "at", e.at);
  write_string(w, "state", to_string(e.state));
  write_int(w, "attempts", e.attempts);
  write_string(w, "error_code", e.error_code);
  write_string(w, "error_message", e.error_message);
  write_string(w, "transaction_id", e.transaction_id);
  write_string(w, "content_hash", e.content_hash);
  write_string(w, "target_key", e.target_key);
  w.EndObject();
}

void write_run(Writer& w, const RunRow& run) {
  w.StartObject();
  write_int(w, "id", run.id);
  write_string(w, "workflow", run.workflow);
  write_time(w, "started_at", run.started_at);
  write_time(w, "finished_at", run.finished_at);
  w.Key("duration_ms");
  if (const auto ms = duration_ms(run)) {
    w.Int64(*ms);
  } else {
    w.Null();
  }
  w.Key("counts");
  w.StartObject();
  write_int(w, "delivered", run.counts.delivered);
  write_int(w, "skipped", run.counts.skipped);
  write_int(w, "rejected", run.counts.rejected);
  write_int(w, "failed", run.counts.failed);
  w.EndObject();
  write_string(w, "aborted_reason", run.aborted_reason);
  write_string(w, "cursor_after", run.cursor_after);
  w.EndObject();
}

/// Writes `items` as a JSON array under `key` with `write_item`.
template <class T, class WriteItem>
void write_array(Writer& w, std::string_view key, const std::vector<T>& items, WriteItem write_item) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.StartArray();
  for (const T& item : items) write_item(w, item);
  w.EndArray();
}

/// Runs `body` on a fresh writer and prints the document followed by a newline.
template <class Body>
void print_json(std::ostream& out, Body body) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  body(w);
  out << std::string_view(buf.GetString(), buf.GetSize()) << '\n';
}

// ---- commands ----

Result<int> show(Ledger& ledger, const Options& o) {
  REFBRIDGE_TRY(auto record, ledger.find(o.workflow, o.key));
  if (!record) {
    std::cerr << "refbridge-ledger: no record with key " << o.key << " in workflow " << o.workflow
              << " (try: list --workflow " << o.workflow << ")\n";
    return kExitUnknownKey;
  }
  REFBRIDGE_TRY(auto events, ledger.history(o.workflow, o.key));
  if (o.json) {
    print_json(std::cout, [&](Writer& w) {
      w.StartObject();
      w.Key("record");
      write_record(w, *record);
      write_array(w, "history", events, write_event);
      w.EndObject();
    });
  } else {
    print_record(std::cout, *record);
    print_history(std::cout, events);
  }
  return kExitOk;
}

Result<int> list(Ledger& ledger, const Options& o) {
  std::optional<refbridge::LedgerState> state;
  if (!o.state.empty()) state = refbridge::ledger_state_from_string(o.state);  // checked by the parser
  REFBRIDGE_TRY(auto records, ledger.list(o.workflow, state, o.list_limit + 1, o.after));
  std::optional<std::string> next_after;
  if (records.size() > o.list_limit) {
    records.resize(o.list_limit);
    next_after = records.back().source_key;
  }
  if (o.json) {
    print_json(std::cout, [&](Writer& w) {
      w.StartObject();
      write_string(w, "workflow", o.workflow);
      write_optional_string(w, "state", o.state.empty() ? std::nullopt : std::optional<std::string>(o.state));
      write_array(w, "records", records, write_record);
      write_optional_string(w, "next_after", next_after);
      w.EndObject();
    });
    return kExitOk;
  }
  std::vector<Row> rows{{"KEY", "STATE", "ATTEMPTS", "CODE", "UPDATED_AT"}};
  for (const LedgerRecord& r : records) {
    rows.push_back({r.source_key, std::string(to_string(r.state)), std::to_string(r.attempts), or_dash(r.error_code),
                    iso(r.updated_at)});
  }
  print_table(std::cout, rows);
  if (next_after) std::cout << "(more: add --after " << *next_after << ")\n";
  return kExitOk;
}

/// The ABORTED column of a run without finished_at: it is still going, or its process died and the
/// next run of the workflow will close it (Ledger::close_crashed_runs: "crashed: ...").
constexpr const char* kUnfinishedNote = "- (still running, or its process died: the next run closes it)";

Result<int> runs(Ledger& ledger, const Options& o) {
  REFBRIDGE_TRY(auto rows_in, ledger.runs(o.workflow, o.runs_limit));
  if (o.json) {
    print_json(std::cout, [&](Writer& w) {
      w.StartObject();
      write_string(w, "workflow", o.workflow);
      write_array(w, "runs", rows_in, write_run);
      w.EndObject();
    });
    return kExitOk;
  }
  std::vector<Row> rows{{"RUN", "STARTED_AT", "DURATION", "DELIVERED", "SKIPPED", "REJECTED", "FAILED", "CURSOR", "ABORTED"}};
  for (const RunRow& r : rows_in) {
    rows.push_back({std::to_string(r.id), iso(r.started_at), duration_text(r), std::to_string(r.counts.delivered),
                    std::to_string(r.counts.skipped), std::to_string(r.counts.rejected), std::to_string(r.counts.failed),
                    or_dash(r.cursor_after), r.finished_at ? or_dash(r.aborted_reason) : kUnfinishedNote});
  }
  print_table(std::cout, rows);
  return kExitOk;
}

struct WorkflowSummary {
  std::string workflow;
  std::optional<std::string> cursor;
  std::map<std::string, std::int64_t> counts;
  std::optional<RunRow> last_run;
};

Result<WorkflowSummary> summarise(Ledger& ledger, const std::string& workflow) {
  WorkflowSummary s{workflow, {}, {}, {}};
  REFBRIDGE_TRY(s.cursor, ledger.cursor(workflow));
  REFBRIDGE_TRY(s.counts, ledger.count_by_state(workflow));
  REFBRIDGE_TRY(auto last, ledger.runs(workflow, 1));
  if (!last.empty()) s.last_run = last.front();
  return s;
}

void write_summary(Writer& w, const WorkflowSummary& s) {
  w.StartObject();
  write_string(w, "workflow", s.workflow);
  write_optional_string(w, "cursor", s.cursor);
  w.Key("counts");
  w.StartObject();
  for (const auto& [state, n] : s.counts) write_int(w, state, n);
  w.EndObject();
  w.Key("last_run");
  if (s.last_run) {
    write_run(w, *s.last_run);
  } else {
    w.Null();
  }
  w.EndObject();
}

void print_summary(std::ostream& out, const WorkflowSummary& s) {
  out << "workflow " << s.workflow << '\n';
  std::string counts;
  for (const auto& [state, n] : s.counts) counts += (counts.empty() ? "" : " ") + state + "=" + std::to_string(n);
  std::string last_run = "-";
  if (const auto& r = s.last_run) {
    last_run = "#" + std::to_string(r->id) + " started " + iso(r->started_at) + " (" + duration_text(*r) + ") " +
               counts_text(*r) + (r->aborted_reason.empty() ? "" : " aborted: " + r->aborted_reason);
  }
  print_table(out, {{"cursor", s.cursor ? or_dash(*s.cursor) : "-"}, {"records", counts}, {"last run", last_run}}, "  ");
}

Result<int> summary(Ledger& ledger, const Options& o) {
  REFBRIDGE_TRY(const auto names, ledger.workflows());
  std::vector<WorkflowSummary> all;
  for (const std::string& name : names) {
    REFBRIDGE_TRY(auto s, summarise(ledger, name));
    all.push_back(std::move(s));
  }
  if (o.json) {
    print_json(std::cout, [&](Writer& w) {
      w.StartObject();
      write_array(w, "workflows", all, write_summary);
      w.EndObject();
    });
  } else if (all.empty()) {
    std::cout << "the ledger holds no workflow yet\n";
  } else {
    for (const WorkflowSummary& s : all) print_summary(std::cout, s);
  }
  return kExitOk;
}

std::vector<std::string> state_names() {
  std::vector<std::string> names;
  for (const auto s : refbridge::kAllLedgerStates) names.emplace_back(to_string(s));
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"refbridge-ledger: what refbridge did with each record, across runs (read-only)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", refbridge::version_line("refbridge-ledger"));
  app.fallthrough();  // --ledger may also follow the subcommand
  app.add_option("--ledger", o.ledger, "the ledger file (SQLite; never created by this command)")->required();

  auto* show_cmd = app.add_subcommand("show", "a record's current row and its history across runs");
  show_cmd->add_option("--workflow", o.workflow, "workflow id (1.1, 1.2, 2.1, 2.2)")->required();
  show_cmd->add_option("--key", o.key, "the record's source key")->required();

  auto* list_cmd = app.add_subcommand("list", "records of a workflow, by source key");
  list_cmd->add_option("--workflow", o.workflow, "workflow id (1.1, 1.2, 2.1, 2.2)")->required();
  list_cmd->add_option("--state", o.state, "only records in this state")->check(CLI::IsMember(state_names()));
  list_cmd->add_option("--limit", o.list_limit, "at most this many records (default 100)")->check(CLI::Range(1, 1000000));
  list_cmd->add_option("--after", o.after, "only keys after this one (paging)");

  auto* runs_cmd = app.add_subcommand("runs", "a workflow's runs, newest first");
  runs_cmd->add_option("--workflow", o.workflow, "workflow id (1.1, 1.2, 2.1, 2.2)")->required();
  runs_cmd->add_option("--limit", o.runs_limit, "at most this many runs (default 20)")->check(CLI::Range(1, 1000000));

  auto* summary_cmd = app.add_subcommand("summary", "per workflow: cursor, records by state, last run");

  for (auto* sub : {show_cmd, list_cmd, runs_cmd, summary_cmd}) sub->add_flag("--json", o.json, "machine-readable JSON output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  }

  auto ledger = refbridge::open_sqlite_ledger(o.ledger, refbridge::LedgerOpenMode::kReadOnly);
  if (!ledger) {
    std::cerr << "refbridge-ledger: " << ledger.error().describe() << "\n";
    return kExitError;
  }
  Ledger& l = *ledger.value();
  Result<int> r = show_cmd->parsed()   ? show(l, o)
                  : list_cmd->parsed() ? list(l, o)
                  : runs_cmd->parsed() ? runs(l, o)
                                       : summary(l, o);
  if (!r) {
    std::cerr << "refbridge-ledger: " << r.error().describe() << "\n";
    return kExitError;
  }
  std::cout.flush();
  return std::cout ? r.value() : kExitError;
}
