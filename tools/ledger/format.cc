// refbridge-ledger's text and JSON output. See format.h.
#include "format.h"

#include "refbridge/time.h"

#include <algorithm>

namespace refbridge::ledger_tool {

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


/// Aligned columns separated by two spaces; the last column is not padded.
void print_table(std::ostream& out, const std::vector<Row>& rows, std::string_view indent) {
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

}  // namespace refbridge::ledger_tool
