#pragma once
// refbridge-ledger's output: aligned text tables and JSON (RapidJSON writer) of ledger records,
// history events and runs. Times are ISO-8601 UTC with milliseconds; "-" stands for empty.

#include "refbridge/json.h"
#include "refbridge/ledger.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::ledger_tool {

using refbridge::json::Writer;

std::string iso(LedgerTime t);
std::string iso_or_dash(const std::optional<LedgerTime>& t);
std::string or_dash(const std::string& s);
/// finished_at - started_at in ms, unset while the run is unfinished.
std::optional<std::int64_t> duration_ms(const RunRow& run);
/// "1.250s", or "unfinished".
std::string duration_text(const RunRow& run);

using Row = std::vector<std::string>;
/// Aligned columns separated by two spaces; the last column is not padded.
void print_table(std::ostream& out, const std::vector<Row>& rows, std::string_view indent = {});
/// "code: message", "-" when both are empty.
std::string error_text(const std::string& code, const std::string& message);
void print_record(std::ostream& out, const LedgerRecord& r);
void print_history(std::ostream& out, const std::vector<LedgerEvent>& events);
/// "delivered=1 skipped=0 rejected=0 failed=0".
std::string counts_text(const RunRow& run);

void write_string(Writer& w, std::string_view key, std::string_view value);
void write_int(Writer& w, std::string_view key, std::int64_t value);
/// `"key": "<ISO-8601>"`, or `"key": null` when unset.
void write_time(Writer& w, std::string_view key, const std::optional<LedgerTime>& t);
/// `"key": "value"`, or `"key": null` when unset.
void write_optional_string(Writer& w, std::string_view key, const std::optional<std::string>& value);
void write_record(Writer& w, const LedgerRecord& r);
void write_event(Writer& w, const LedgerEvent& e);
void write_run(Writer& w, const RunRow& run);

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

}  // namespace refbridge::ledger_tool
