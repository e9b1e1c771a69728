// See final_state.h.
#include "final_state.h"

#include "refbridge/ledger.h"
#include "refbridge/ledger_postgres.h"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>

namespace refbridge::crash_test {
namespace {

// Instants and per-call ids: a rerun after a crash legitimately gives them other values. PING
// numbers incoming referrals in the order they arrive (REF-IOP-SBX-<n>): with two referrals of
// one case, a rerun may send them in the other order.
const std::set<std::string> kVolatileMembers = {
    "last_updated_at", "created_at", "posted_at", "modifiedon", "at", "receivedAt", "completedAt",
    "transactionId", "transaction_id", "ingestionTransactionId", "responded_at", "short_id", "case_id_display", "polls",
    "progres_interoperabilityreferralnumber"};

void drop_volatile(rapidjson::Value& v) {
  if (v.IsObject()) {
    for (rapidjson::SizeType i = 0; i < v.MemberCount();) {
      auto it = v.MemberBegin() + i;
      if (kVolatileMembers.count(std::string(it->name.GetString(), it->name.GetStringLength())) != 0) {
        v.EraseMember(it);  // keeps the order of the others
      } else {
        drop_volatile(it->value);
        ++i;
      }
    }
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) drop_volatile(item);
  }
}

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::string member(const rapidjson::Value& v, const char* key) {
  return v.IsObject() && v.HasMember(key) && v[key].IsString() ? v[key].GetString() : std::string();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (auto p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size())) text.replace(p, from.size(), to);
}

/// Every item of `{"data":[...]}` as "<area>: <normalised JSON>".
void add_items(std::vector<std::string>& lines, const std::string& area, const std::string& dump) {
  auto doc = parse(dump);
  REQUIRE(doc.HasMember("data"));
  for (auto& item : doc["data"].GetArray()) {
    drop_volatile(item);
    lines.push_back(area + ": " + compact(item));
  }
}

}  // namespace

std::set<std::string> primero_case_ids(const sandbox::Sandbox& box) {
  std::set<std::string> ids;
  const auto doc = parse(box.primero_cases_json());
  for (const auto& c : doc["data"].GetArray()) ids.insert(member(c, "id"));
  return ids;
}

std::vector<std::string> final_state(const sandbox::Sandbox& box, const std::set<std::string>& seeded_case_ids,
                                     const std::string& ledger_path, const std::string& workflow,
                                     const std::string& deployment) {
  // The texts to compare, with the created cases' random ids replaced by stable labels.
  std::string cases = box.primero_cases_json();
  std::vector<std::pair<std::string, std::string>> referrals;  // record id -> referrals dump
  std::map<std::string, std::string> labels;                   // random id -> label
  const auto case_doc = parse(cases);
  for (const auto& c : case_doc["data"].GetArray()) {
    const std::string id = member(c, "id");
    referrals.emplace_back(id, box.primero_referrals_json(id).value_or("{\"data\":[]}"));
    if (seeded_case_ids.count(id) != 0) continue;
    const std::string label = "new-case:" + member(c, "unhcr_individual_no");
    labels[id] = label;
    labels[member(c, "case_id")] = label;
  }
  std::string interventions = box.ping_interventions_json();
  std::string incoming = box.ping_incoming_referrals_json();
  std::vector<std::string> lines;
  auto relabel = [&labels](std::string text) {
    for (const auto& entry : labels) replace_all(text, entry.first, entry.second);
    return text;
  };
  add_items(lines, "primero.case", relabel(cases));
  for (const auto& entry : referrals) add_items(lines, "primero.referrals of " + relabel(entry.first), relabel(entry.second));
  add_items(lines, "ping.intervention", relabel(interventions));
  add_items(lines, "ping.incoming", relabel(incoming));

  auto ledger = open_ledger(ledger_path, deployment, LedgerOpenMode::kReadOnly);  // SQLite file or PostgreSQL URL
  if (!ledger) FAIL("cannot open the ledger " << ledger_path << ": " << ledger.error().describe());
  auto rows = ledger.value()->list(workflow, std::nullopt, 100000);
  if (!rows) FAIL("cannot list the ledger: " << rows.error().describe());
  for (const auto& r : rows.value()) {
    lines.push_back(relabel("ledger " + r.workflow + " " + r.source_key + ": " + std::string(to_string(r.state)) + " " +
                            r.error_code + " -> " + r.target_key));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string state_difference(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  std::vector<std::string> missing;
  std::vector<std::string> extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(), std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(), std::back_inserter(extra));
  std::string out;
  for (const auto& l : missing) out += "- " + l + "\n";
  for (const auto& l : extra) out += "+ " + l + "\n";
  return out;
}

}  // namespace refbridge::crash_test
