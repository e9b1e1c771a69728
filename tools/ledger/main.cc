// refbridge-ledger: the audit trail of the durable ledger (refbridge/ledger.h), and the two
// audited actions an operator takes on it (actions.h).
// Usage:
//   refbridge-ledger --ledger PATH show    --workflow W --key KEY         [--json]
//   refbridge-ledger --ledger PATH list    [--workflow W] [--state S] [--limit N] [--after KEY] [--json]
//   refbridge-ledger --ledger PATH runs    --workflow W [--limit N]        [--json]
//   refbridge-ledger --ledger PATH summary [--workflow W]                  [--json]
//   refbridge-ledger --ledger PATH retry   --workflow W (--key K | --state rejected [--rule R]) --reason TEXT [--yes]
//   refbridge-ledger --ledger PATH resolve --workflow W (--key K | --state S [--rule R]) --reason TEXT [--yes]
//   refbridge-ledger migrate --from sqlite FILE --to postgresql://... --deployment D
//   refbridge-ledger --version
// --ledger may be a postgresql:// URL (with --deployment; the password from REFBRIDGE_LEDGER_PASSWORD).
// Workflow ids: 1.1, 1.2, 2.1, 2.2 (and 1.1/targets for show, list, runs, summary); list and
// summary without --workflow cover the four. Times are ISO-8601 UTC with milliseconds
// ("2025-01-01T10:00:00.000Z"). show / list / runs / summary open the ledger read-only; retry and
// resolve write, holding the workflow's run lease. A missing file is an error, never a new database.
// Exit status (sysexits(3), as the workflows): 0 success; 1 nothing done (unknown key, no record
// matched, not eligible, not confirmed); 64 usage (unknown option or workflow id); 70 internal;
// 74 the ledger cannot be read or written; 75 a run holds the lease (retry, resolve); 78 the
// ledger's permissions or schema.
// Source: the state-store issue ("a refbridge-ledger command shows, for a record key, what
// happened to it across runs, and lists records by state") and issue 12 (ledger actions).

#include "actions.h"
#include "migrate.h"
#include "format.h"

#include "refbridge/json.h"
#include "refbridge/ledger.h"
#include "refbridge/ledger_postgres.h"
#include "refbridge/time.h"
#include "refbridge/version.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
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
using namespace refbridge::ledger_tool;

constexpr int kExitUnknownKey = kExitNothingDone;

/// The workflows an operator acts on, and what list and summary cover without --workflow.
const std::vector<std::string> kWorkflows = {"1.1", "1.2", "2.1", "2.2"};
/// Also readable: the case 1.1 created per individual (workflows/common/case_targets.h).
const std::vector<std::string> kReadableWorkflows = {"1.1", "1.2", "2.1", "2.2", "1.1/targets"};

struct Options {
  std::string ledger;
  std::string deployment;      // a PostgreSQL ledger's deployment (--deployment, env REFBRIDGE_DEPLOYMENT)
  std::string migrate_from;    // migrate: the SQLite file
  std::string migrate_kind;    // migrate: "sqlite"
  bool json = false;
  std::string workflow;
  std::string key;
  std::string state;
  std::string after;
  std::size_t list_limit = 100;
  std::size_t runs_limit = 20;
  ActionRequest action;  // retry / resolve
};

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

/// One workflow's page of `list`: the records and the key to continue after, if more.
struct ListPage {
  std::string workflow;
  std::vector<LedgerRecord> records;
  std::optional<std::string> next_after;
};

Result<ListPage> list_page(Ledger& ledger, const Options& o, const std::string& workflow) {
  std::optional<refbridge::LedgerState> state;
  if (!o.state.empty()) state = refbridge::ledger_state_from_string(o.state);  // checked by the parser
  ListPage page{workflow, {}, {}};
  REFBRIDGE_TRY(page.records, ledger.list(workflow, state, o.list_limit + 1, o.after));
  if (page.records.size() > o.list_limit) {
    page.records.resize(o.list_limit);
    page.next_after = page.records.back().source_key;
  }
  return page;
}

Result<int> list(Ledger& ledger, const Options& o) {
  const std::vector<std::string> workflows = o.workflow.empty() ? kWorkflows : std::vector<std::string>{o.workflow};
  std::vector<ListPage> pages;
  for (const std::string& w : workflows) {
    REFBRIDGE_TRY(auto page, list_page(ledger, o, w));
    pages.push_back(std::move(page));
  }
  if (o.json) {
    print_json(std::cout, [&](Writer& w) {
      w.StartObject();
      write_optional_string(w, "workflow", o.workflow.empty() ? std::nullopt : std::optional<std::string>(o.workflow));
      write_optional_string(w, "state", o.state.empty() ? std::nullopt : std::optional<std::string>(o.state));
      w.Key("records");
      w.StartArray();
      for (const ListPage& p : pages) {
        for (const LedgerRecord& r : p.records) write_record(w, r);
      }
      w.EndArray();
      if (o.workflow.empty()) {
        w.Key("next_after");
        w.StartObject();
        for (const ListPage& p : pages) write_optional_string(w, p.workflow, p.next_after);
        w.EndObject();
      } else {
        write_optional_string(w, "next_after", pages.front().next_after);
      }
      w.EndObject();
    });
    return kExitOk;
  }
  std::vector<Row> rows{{"WORKFLOW", "KEY", "STATE", "ATTEMPTS", "CODE", "UPDATED_AT"}};
  for (const ListPage& p : pages) {
    for (const LedgerRecord& r : p.records) {
      rows.push_back({r.workflow, r.source_key, std::string(to_string(r.state)), std::to_string(r.attempts),
                      or_dash(r.error_code), iso(r.updated_at)});
    }
  }
  if (!o.workflow.empty()) {
    for (Row& row : rows) row.erase(row.begin());  // one workflow: no WORKFLOW column
  }
  print_table(std::cout, rows);
  for (const ListPage& p : pages) {
    if (p.next_after) std::cout << "(more: add --workflow " << p.workflow << " --after " << *p.next_after << ")\n";
  }
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
  std::vector<std::string> names{o.workflow};
  if (o.workflow.empty()) {  // the four, and any other workflow the ledger holds (1.1/targets)
    REFBRIDGE_TRY(names, ledger.workflows());
    for (const std::string& w : kWorkflows) {
      if (std::find(names.begin(), names.end(), w) == names.end()) names.push_back(w);
    }
    std::sort(names.begin(), names.end());
  }
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

/// --workflow, checked against `ids` (an unknown id is a usage error, exit 64).
CLI::Option* add_workflow(CLI::App* cmd, std::string& into, const std::vector<std::string>& ids, bool required) {
  auto* opt = cmd->add_option("--workflow", into, required ? "workflow id (1.1, 1.2, 2.1, 2.2)"
                                                           : "workflow id (1.1, 1.2, 2.1, 2.2); default: all four");
  opt->check(CLI::IsMember(ids));
  if (required) opt->required();
  return opt;
}

CLI::App* add_action(CLI::App& app, Options& o, const char* name, const char* what, const char* states) {
  auto* cmd = app.add_subcommand(name, what);
  add_workflow(cmd, o.action.workflow, kWorkflows, true);
  cmd->add_option("--key", o.action.key, "the record's source key (or --state for a set)");
  cmd->add_option("--state", o.action.state, std::string("act on every record in this state: ") + states);
  cmd->add_option("--rule", o.action.rule, "with --state: only records whose rule (error code) is this");
  cmd->add_option("--reason", o.action.reason,
                  "why, recorded in the record's history with your OS user and the time; ids and codes only: "
                  "the reason must NOT hold personal data (names, dates of birth, case details)")
      ->required();
  cmd->add_flag("--yes", o.action.yes, "do not ask for confirmation of a --state set");
  return cmd;
}

/// Opens the ledger for `writable` commands only after checking it exists with the current schema.
/// A postgresql:// URL opens the rows of `deployment` (read-only unless `writable`; never migrated).
Result<std::unique_ptr<Ledger>> open_ledger(const std::string& path, const std::string& deployment, bool writable) {
  REFBRIDGE_TRY(auto read_only, refbridge::open_ledger(path, deployment, refbridge::LedgerOpenMode::kReadOnly));
  if (!writable) return read_only;
  read_only.reset();
  return refbridge::open_ledger(path, deployment, refbridge::LedgerOpenMode::kCreate);
}

/// migrate --from sqlite FILE --to URL: copies, checks, prints the counts; the exit status.
int migrate(const Options& o) {
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto from = open_ledger(o.migrate_from, "", true);
  auto to = from ? refbridge::open_ledger(o.ledger, o.deployment) : Result<std::unique_ptr<Ledger>>(from.error());
  auto moved = to ? refbridge::ledger_tool::migrate_ledger(*from.value(), *to.value(), now)
                  : Result<refbridge::ledger_tool::MigrateCounts>(to.error());
  if (!moved) {
    std::cerr << "refbridge-ledger: " << moved.error().describe() << "\n";
    return exit_status_for(moved.error());
  }
  const auto& n = moved.value();
  std::cout << "migrated " << o.migrate_from << " into " << refbridge::describe_postgres_url(o.ledger) << " deployment "
            << o.deployment << ": " << n.workflows << " workflows, " << n.runs << " runs, " << n.records << " records, "
            << n.events << " history events, " << n.cursors << " cursors; checked row by row: identical\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"refbridge-ledger: what refbridge did with each record, across runs; retry or resolve records by hand"};
  app.require_subcommand(1);
  app.set_version_flag("--version", refbridge::version_line("refbridge-ledger"));
  app.fallthrough();  // --ledger may also follow the subcommand
  app.add_option("--ledger", o.ledger, "the ledger: a SQLite file (never created by this command) or a postgresql:// URL "
                                      "(password from REFBRIDGE_LEDGER_PASSWORD / _FILE)")
      ->envname("REFBRIDGE_LEDGER");
  app.add_option("--deployment", o.deployment, "with a PostgreSQL ledger: the deployment whose rows to read or change")
      ->envname("REFBRIDGE_DEPLOYMENT");
  auto* migrate_cmd = app.add_subcommand("migrate", "copy a SQLite ledger into a PostgreSQL deployment, checked row by row "
                                                    "(--to is the PostgreSQL URL, --deployment required)");
  migrate_cmd->add_option("--from", o.migrate_kind, "the source's kind: sqlite")->required()->check(CLI::IsMember({"sqlite"}));
  migrate_cmd->add_option("file", o.migrate_from, "the SQLite ledger file")->required();
  migrate_cmd->add_option("--to", o.ledger, "postgresql://user@host:port/database[?sslmode=...]")->required();

  auto* show_cmd = app.add_subcommand("show", "a record's current row and its history across runs");
  add_workflow(show_cmd, o.workflow, kReadableWorkflows, true);
  show_cmd->add_option("--key", o.key, "the record's source key")->required();

  auto* list_cmd = app.add_subcommand("list", "records by source key (of one workflow, or of the four)");
  add_workflow(list_cmd, o.workflow, kReadableWorkflows, false);
  list_cmd->add_option("--state", o.state, "only records in this state")->check(CLI::IsMember(state_names()));
  list_cmd->add_option("--limit", o.list_limit, "at most this many records per workflow (default 100)")
      ->check(CLI::Range(1, 1000000));
  list_cmd->add_option("--after", o.after, "only keys after this one (paging; needs --workflow)");

  auto* runs_cmd = app.add_subcommand("runs", "a workflow's runs, newest first");
  add_workflow(runs_cmd, o.workflow, kReadableWorkflows, true);
  runs_cmd->add_option("--limit", o.runs_limit, "at most this many runs (default 20)")->check(CLI::Range(1, 1000000));

  auto* summary_cmd = app.add_subcommand("summary", "per workflow: cursor, records by state, last run");
  add_workflow(summary_cmd, o.workflow, kReadableWorkflows, false);

  for (auto* sub : {show_cmd, list_cmd, runs_cmd, summary_cmd}) sub->add_flag("--json", o.json, "machine-readable JSON output");

  auto* retry_cmd = add_action(app, o, "retry",
                               "make a rejected (or failed) record due again at the next run: state failed, attempts 0 "
                               "(audited; refused while a run holds the lease)",
                               "rejected");
  auto* resolve_cmd = add_action(app, o, "resolve",
                                 "close a rejected or failed record by hand: state skipped, rule resolved-by-hand "
                                 "(audited; refused while a run holds the lease)",
                                 "rejected or failed");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!o.after.empty() && o.workflow.empty()) {
    std::cerr << "refbridge-ledger: list --after needs --workflow\n";
    return kExitUsage;
  }

  if (o.ledger.empty()) {
    std::cerr << "refbridge-ledger: --ledger is required (a SQLite file or a postgresql:// URL)\n";
    return kExitUsage;
  }
  if (refbridge::is_postgres_url(o.ledger) && o.deployment.empty()) {
    std::cerr << "refbridge-ledger: a PostgreSQL ledger needs --deployment (or REFBRIDGE_DEPLOYMENT)\n";
    return kExitUsage;
  }
  if (migrate_cmd->parsed()) {
    if (!refbridge::is_postgres_url(o.ledger)) {
      std::cerr << "refbridge-ledger: migrate --to needs a postgresql:// URL\n";
      return kExitUsage;
    }
    return migrate(o);
  }
  const bool writes = retry_cmd->parsed() || resolve_cmd->parsed();
  auto ledger = open_ledger(o.ledger, o.deployment, writes);
  if (!ledger) {
    std::cerr << "refbridge-ledger: " << ledger.error().describe() << "\n";
    return exit_status_for(ledger.error());
  }
  Ledger& l = *ledger.value();
  if (writes) {
    o.action.action = retry_cmd->parsed() ? Action::kRetry : Action::kResolve;
    const int status = run_action(l, o.action, std::cin, std::cout, std::cerr);
    std::cout.flush();
    return std::cout ? status : kExitIo;
  }
  Result<int> r = show_cmd->parsed()   ? show(l, o)
                  : list_cmd->parsed() ? list(l, o)
                  : runs_cmd->parsed() ? runs(l, o)
                                       : summary(l, o);
  if (!r) {
    std::cerr << "refbridge-ledger: " << r.error().describe() << "\n";
    return exit_status_for(r.error());
  }
  std::cout.flush();
  return std::cout ? r.value() : kExitIo;
}
