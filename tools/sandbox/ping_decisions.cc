// PING incoming referrals, decisions and synchronisation status. See ping_decisions.h.
#include "ping_decisions.h"

#include <array>
#include <cstdio>
#include <utility>

namespace refbridge::sandbox::detail {

namespace {

constexpr std::string_view kDecisionTokenKind = "d1|";  // outgoing listing tokens use "k1|"
constexpr std::string_view kReferralId = "progres_interoperabilityreferralid";
constexpr std::string_view kOrgReferralId = "progres_orgreferralid";
constexpr std::string_view kReviewDecision = "progres_reviewdecision";

// InteroperabilityReferral members of the contract (schemas/ping/openapi.yaml), proGres spellings.
constexpr std::array<std::string_view, 13> kKnownMembers = {
    "progres_interoperabilityreferralid",
    "progres_interoperabilityreferralnumber",
    "progres_orgreferralid",
    "progres_reviewdecision",
    "progres_interoperabiltyreferralrejectionreason",
    "progres_interoperabilityreferralrejectionomment",
    "progres_individualid",
    "progres_interoperabilityreferralrouteto",
    "progres_interoperabilityreferralrouteserviceunito",
    "progres_interventiontype",
    "progres_reviewby",
    "progres_reviewdate",
    "syncStatus",
};

/// Spellings seen in fixtures for members the contract spells otherwise (§7, §9.1).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kKnownVariants = {{
    {"progres_interoperabilityreferralrejectioncomment", "progres_interoperabilityreferralrejectionomment"},
    {"progres_interoperabilityreferralrejectionreason", "progres_interoperabiltyreferralrejectionreason"},
    {"progres_interoperabilityreferralrouteserviceunit", "progres_interoperabilityreferralrouteserviceunito"},
}};

bool is_known_member(std::string_view key) {
  for (auto k : kKnownMembers) {
    if (k == key) return true;
  }
  return false;
}

std::string contract_spelling(std::string_view key) {
  for (const auto& [variant, contract] : kKnownVariants) {
    if (variant == key) return std::string(contract);
  }
  return {};
}

bool is_sync_status(std::string_view s) { return s == "pending" || s == "synchronised" || s == "failed"; }

/// The listing key of the n-th record: zero-padded so that string order is creation order.
std::string sequence_text(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  return std::string(20 - digits.size(), '0') + digits;
}

std::string ingested_number(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "REF-IOP-SBX-%09d", n);
  return buf;
}

rapidjson::Value sync_update_json(const SyncUpdate& u, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("syncStatus", str_value(u.sync_status, a), a);
  if (u.primero_referral_id) o.AddMember("primeroReferralId", str_value(*u.primero_referral_id, a), a);
  if (u.reason) o.AddMember("reason", str_value(*u.reason, a), a);
  o.AddMember("at", str_value(u.at, a), a);
  return o;
}

}  // namespace

// ---- seeding and admin changes -------------------------------------------------------------

refbridge::Result<DecisionSeedReport> IncomingStore::seed_files(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return make_error(ErrorCode::kIo, "fixtures directory not found: " + dir.string());
  DecisionSeedReport report;
  for (const auto& name : names) {
    rapidjson::Document doc;
    if (auto notice = read_json_file(dir, name, doc)) {
      ++report.files_skipped;
      report.notices.push_back(*notice);
      continue;
    }
    if (seed_document(doc, name, report)) {
      ++report.files;
    } else {
      ++report.files_skipped;
    }
  }
  count_into(report);
  return report;
}

bool IncomingStore::seed_document(const rapidjson::Value& doc, std::string_view origin, DecisionSeedReport& report) {
  const auto* records = find_member(doc, "interventions");
  if (records == nullptr || !records->IsArray()) {
    report.notices.push_back(std::string(origin) + ": not a decision document (expected {\"interventions\":[...]})");
    return false;
  }
  for (rapidjson::SizeType i = 0; i < records->Size(); ++i) {
    if (!(*records)[i].IsObject()) {
      report.notices.push_back(std::string(origin) + ": record " + std::to_string(i) + " is not an object, skipped");
      continue;
    }
    ++report.records;
    upsert((*records)[i], origin, i, report.notices);
  }
  return true;
}

void IncomingStore::note_members(const rapidjson::Value& record, const std::string& where, std::vector<std::string>& notices) const {
  for (auto it = record.MemberBegin(); it != record.MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    if (!is_known_member(key)) {
      const auto contract = contract_spelling(key);
      notices.push_back(where + "member " + key + " is not in the contract" +
                        (contract.empty() ? std::string() : " (the contract spells it " + contract + ")") + "; kept as found");
    }
    if (it->value.IsString() && std::string_view(it->value.GetString(), it->value.GetStringLength()) == "string") {
      notices.push_back(where + "member " + key + " holds the placeholder value \"string\"; kept");
    }
  }
  if (auto code = string_member(record, kReviewDecision); code && *code != "125080000" && *code != "125080001") {
    notices.push_back(where + "progres_reviewdecision " + *code +
                      " is neither 125080000 (accepted) nor 125080001 (rejected) (§8.7); kept, passed through");
  }
}

std::string IncomingStore::upsert(const rapidjson::Value& record, std::string_view origin, std::size_t index,
                                  std::vector<std::string>& notices) {
  const std::string where = std::string(origin) + ": record " + std::to_string(index) + ": ";
  note_members(record, where, notices);
  auto id = string_member(record, kReferralId);
  auto org = string_member(record, kOrgReferralId);

  std::lock_guard lock(mutex_);
  auto found = id ? referrals_.find(*id) : referrals_.end();
  if (found == referrals_.end() && org) {
    if (auto by_org = id_by_org_.find(*org); by_org != id_by_org_.end()) {
      found = referrals_.find(by_org->second);
      if (id) notices.push_back(where + "progres_orgreferralid is held by " + by_org->second + "; merged into it");
    }
  }
  const std::string at = format_utc_ms(now_ms());
  if (found == referrals_.end()) {
    if (!id) {
      id = name_uuid("progres_interoperabilityreferral:" + (org ? *org : std::string(origin) + ":" + std::to_string(index)));
      notices.push_back(where + "has no progres_interoperabilityreferralid; using " + *id);
    }
    auto& created = create(*id, at);
    merge(created, record);
    return created.id;
  }
  Referral& r = found->second;
  if (merge(r, record)) set_sync(r, {"pending", std::nullopt, "decision recorded in proGres", at});
  return r.id;
}

IncomingStore::Referral& IncomingStore::create(const std::string& id, const std::string& at) {
  Referral r;
  r.id = id;
  r.key = {sequence_text(++sequence_), id};
  r.doc.SetObject();
  r.doc.AddMember(str_value(kReferralId, r.doc.GetAllocator()), str_value(id, r.doc.GetAllocator()), r.doc.GetAllocator());
  r.modifiedon = at;
  order_.insert(r.key);
  return referrals_.emplace(id, std::move(r)).first->second;
}

/// Copies every member of `record` (but the id and syncStatus) onto the document; indexes a new
/// progres_orgreferralid. Returns true when the document changed.
bool IncomingStore::merge(Referral& r, const rapidjson::Value& record) {
  auto& a = r.doc.GetAllocator();
  bool changed = false;
  for (auto it = record.MemberBegin(); it != record.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (key == kReferralId || key == "syncStatus") continue;
    const auto* existing = find_member(r.doc, key);
    if (existing != nullptr && *existing == it->value) continue;
    set_member(r.doc, key, rapidjson::Value(it->value, a), a);
    changed = true;
  }
  if (auto org = string_member(r.doc, kOrgReferralId)) id_by_org_.emplace(*org, r.id);  // the first holder keeps it
  return changed;
}

void IncomingStore::set_sync(Referral& r, SyncUpdate update) {
  r.sync_status = update.sync_status;
  r.primero_referral_id = update.primero_referral_id;
  r.reason = update.reason;
  r.modifiedon = update.at;
  r.history.push_back(std::move(update));
}

void IncomingStore::count_into(DecisionSeedReport& report) const {
  std::lock_guard lock(mutex_);
  report.incoming_referrals = static_cast<int>(referrals_.size());
  report.decisions = 0;
  for (const auto& [_, r] : referrals_) report.decisions += has_decision(r) ? 1 : 0;
}

std::optional<std::string> IncomingStore::decide(const std::string& org_referral_id, const std::string& review_decision_code,
                                                 const std::optional<std::string>& reason_code,
                                                 const std::optional<std::string>& comment) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember(str_value(kReviewDecision, a), str_value(review_decision_code, a), a);
  if (reason_code) d.AddMember("progres_interoperabiltyreferralrejectionreason", str_value(*reason_code, a), a);
  if (comment) d.AddMember("progres_interoperabilityreferralrejectionomment", str_value(*comment, a), a);
  const std::string at = format_utc_ms(now_ms());
  d.AddMember("progres_reviewdate", str_value(at, a), a);

  std::lock_guard lock(mutex_);
  auto by_org = id_by_org_.find(org_referral_id);
  if (by_org == id_by_org_.end()) return std::nullopt;
  Referral& r = referrals_.at(by_org->second);
  merge(r, d);
  set_sync(r, {"pending", std::nullopt, "decision recorded in proGres", at});
  return r.id;
}

// ---- ingestion ------------------------------------------------------------------------------

RecordOutcome IncomingStore::ingest_referral(const rapidjson::Value& record, const std::string& transaction_id,
                                             const std::string& at) {
  const std::string org = string_member(record, "id").value_or("");
  std::lock_guard lock(mutex_);
  Referral* r = nullptr;
  if (auto by_org = id_by_org_.find(org); by_org != id_by_org_.end()) {
    r = &referrals_.at(by_org->second);
    if (!r->ingested.IsNull() && static_cast<const rapidjson::Value&>(r->ingested) == record) return {"duplicate", {}};
  } else {
    std::string id = name_uuid("progres_interoperabilityreferral:" + org);
    if (referrals_.count(id) != 0) id = random_uuid();  // that id was given to another record by a seed
    r = &create(id, at);
    auto& a = r->doc.GetAllocator();
    r->doc.AddMember("progres_interoperabilityreferralnumber", str_value(ingested_number(++ingested_numbers_), a), a);
    r->doc.AddMember(str_value(kOrgReferralId, a), str_value(org, a), a);
    id_by_org_.emplace(org, id);
  }
  r->ingested.CopyFrom(record, r->ingested.GetAllocator());
  r->ingestion_transaction_id = transaction_id;
  r->modifiedon = at;
  return {"accepted", {}};
}

// ---- HTTP ---------------------------------------------------------------------------------

ApiResponse IncomingStore::handle(const ApiRequest& request, const std::vector<std::string>& seg) {
  const auto& path = request.raw_path;
  auto not_allowed = [&](std::string_view allow) {
    auto r = problem(405, "method " + request.method + " is not allowed here", path);
    r.headers.emplace_back("Allow", std::string(allow));
    return r;
  };
  if (seg.size() == 4 && seg[3] == "decisions") return request.method == "GET" ? list_decisions(request) : not_allowed("GET");
  if (seg.size() == 4) return request.method == "GET" ? get_referral(seg[3], request) : not_allowed("GET");
  if (seg.size() == 5 && seg[4] == "sync-status") {
    return request.method == "PATCH" ? patch_sync_status(seg[3], request) : not_allowed("PATCH");
  }
  return problem(404, "no such resource", path);
}

bool IncomingStore::has_decision(const Referral& r) const {
  auto code = string_member(r.doc, kReviewDecision);
  return code && !code->empty();
}

ApiResponse IncomingStore::list_decisions(const ApiRequest& request) {
  std::optional<std::string> status = query_param(request, "syncStatus");
  if (status && !is_sync_status(*status)) {
    return problem(400, "syncStatus must be pending, synchronised or failed", request.raw_path);
  }
  auto query = parse_page_query(request, kDecisionTokenKind);
  if (auto* bad = std::get_if<ApiResponse>(&query)) return *bad;

  std::lock_guard lock(mutex_);
  auto include = [&](const PageKey& key) {
    const auto& r = referrals_.at(key.second);
    return has_decision(r) && (!status || r.sync_status == *status);
  };
  auto render_summary = [&](const PageKey& key, Alloc& a) {
    const auto& r = referrals_.at(key.second);
    rapidjson::Value s(rapidjson::kObjectType);
    s.AddMember(str_value(kReferralId, a), str_value(r.id, a), a);
    for (std::string_view k : {std::string_view("progres_interoperabilityreferralnumber"), kOrgReferralId}) {
      if (auto v = string_member(r.doc, k)) s.AddMember(str_value(k, a), str_value(*v, a), a);
    }
    s.AddMember("modifiedon", str_value(r.modifiedon, a), a);
    return s;
  };
  return keyset_page(order_, std::get<PageQuery>(query), kDecisionTokenKind, include, render_summary);
}

void IncomingStore::render(const Referral& r, rapidjson::Value& out, Alloc& a, bool for_dump) const {
  out.CopyFrom(r.doc, a);
  out.AddMember("syncStatus", str_value(r.sync_status, a), a);
  if (!for_dump) return;
  if (r.primero_referral_id) out.AddMember("primeroReferralId", str_value(*r.primero_referral_id, a), a);
  if (r.reason) out.AddMember("syncReason", str_value(*r.reason, a), a);
  out.AddMember("modifiedon", str_value(r.modifiedon, a), a);
  rapidjson::Value h(rapidjson::kArrayType);
  for (const auto& u : r.history) h.PushBack(sync_update_json(u, a), a);
  out.AddMember("syncHistory", h, a);
  if (!r.ingested.IsNull()) {
    out.AddMember("ingestionTransactionId", str_value(r.ingestion_transaction_id, a), a);
    out.AddMember("ingestedReferral", rapidjson::Value(r.ingested, a), a);
  }
}

ApiResponse IncomingStore::get_referral(const std::string& id, const ApiRequest& request) {
  std::lock_guard lock(mutex_);
  auto it = referrals_.find(id);
  if (it == referrals_.end()) return problem(404, "incoming referral not found", request.raw_path);
  rapidjson::Document d;
  render(it->second, d, d.GetAllocator(), false);
  return json_answer(200, d);
}

ApiResponse IncomingStore::patch_sync_status(const std::string& id, const ApiRequest& request) {
  const auto& path = request.raw_path;
  auto parsed = parse_status_patch(request, "syncStatus", {"pending", "synchronised", "failed"}, {"primeroReferralId", "reason"});
  if (auto* bad = std::get_if<ApiResponse>(&parsed)) return *bad;
  auto& patch = std::get<StatusPatch>(parsed);
  SyncUpdate u;
  u.sync_status = patch.status;
  if (auto it = patch.strings.find("primeroReferralId"); it != patch.strings.end()) u.primero_referral_id = it->second;
  if (auto it = patch.strings.find("reason"); it != patch.strings.end()) u.reason = it->second;
  if (u.sync_status == "failed" && (!u.reason || u.reason->empty())) return problem(422, "syncStatus failed requires a reason", path);

  std::lock_guard lock(mutex_);
  auto it = referrals_.find(id);
  if (it == referrals_.end()) return problem(404, "incoming referral not found", path);
  u.at = format_utc_ms(now_ms());
  set_sync(it->second, u);

  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember(str_value(kReferralId, a), str_value(id, a), a);
  d.AddMember("syncStatus", str_value(u.sync_status, a), a);
  if (u.primero_referral_id) d.AddMember("primeroReferralId", str_value(*u.primero_referral_id, a), a);
  if (u.reason) d.AddMember("reason", str_value(*u.reason, a), a);
  d.AddMember("modifiedon", str_value(u.at, a), a);
  return json_answer(200, d);
}

// ---- inspection ---------------------------------------------------------------------------

std::string IncomingStore::dump_json() const {
  std::lock_guard lock(mutex_);
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& key : order_) {
    rapidjson::Value v;
    render(referrals_.at(key.second), v, a, true);
    items.PushBack(v, a);
  }
  d.AddMember("data", items, a);
  return to_json(d, true);
}

std::optional<std::string> IncomingStore::sync_status(const std::string& referral_id) const {
  std::lock_guard lock(mutex_);
  auto it = referrals_.find(referral_id);
  if (it == referrals_.end()) return std::nullopt;
  return it->second.sync_status;
}

std::vector<SyncUpdate> IncomingStore::history(const std::string& referral_id) const {
  std::lock_guard lock(mutex_);
  auto it = referrals_.find(referral_id);
  if (it == referrals_.end()) return {};
  return it->second.history;
}

std::optional<std::string> IncomingStore::id_for_org_referral(const std::string& org_referral_id) const {
  std::lock_guard lock(mutex_);
  auto it = id_by_org_.find(org_referral_id);
  if (it == id_by_org_.end()) return std::nullopt;
  return it->second;
}

}  // namespace refbridge::sandbox::detail
