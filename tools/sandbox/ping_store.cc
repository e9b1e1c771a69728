// PING state and operations. See ping_store.h and sandbox.h.
#include "ping_store.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace refbridge::sandbox::detail {

namespace {

constexpr std::string_view kTokenPrefix = "k1|";  // outgoing listing page tokens

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool is_transfer_status(std::string_view s) { return s == "pending" || s == "transferred" || s == "failed"; }

/// A Dynamics entity reference reduced to {Id, LogicalName, Name} (KeyAttributes and
/// RowVersion dropped; null members omitted). Non-object values are copied unchanged.
rapidjson::Value normalize_value(const rapidjson::Value& v, Alloc& a) {
  if (!v.IsObject() || find_member(v, "LogicalName") == nullptr) return rapidjson::Value(v, a);
  rapidjson::Value out(rapidjson::kObjectType);
  for (const char* key : {"Id", "LogicalName", "Name"}) {
    const auto* m = find_member(v, key);
    if (m != nullptr && !m->IsNull()) out.AddMember(rapidjson::StringRef(key), rapidjson::Value(*m, a), a);
  }
  return out;
}

/// Copies row[from] to out[to] when the row has a non-null value.
void copy_member(const rapidjson::Value& row, std::string_view from, rapidjson::Value& out, std::string_view to, Alloc& a) {
  const auto* v = find_member(row, from);
  if (v == nullptr || v->IsNull()) return;
  set_member(out, to, normalize_value(*v, a), a);
}

/// A reference member built from a GUID column (or an object) and a description column.
void copy_reference(const rapidjson::Value& row, std::string_view id_key, std::string_view name_key,
                    std::string_view logical_name, rapidjson::Value& out, std::string_view to, Alloc& a) {
  const auto* id = find_member(row, id_key);
  const auto* name = name_key.empty() ? nullptr : find_member(row, name_key);
  const bool has_id = id != nullptr && !id->IsNull();
  const bool has_name = name != nullptr && name->IsString();
  if (!has_id && !has_name) return;
  rapidjson::Value ref(rapidjson::kObjectType);
  if (has_id && id->IsObject()) {
    ref = normalize_value(*id, a);
  } else if (has_id) {
    ref.AddMember("Id", rapidjson::Value(*id, a), a);
    ref.AddMember("LogicalName", str_value(logical_name, a), a);
  } else {
    // EntityReference requires Id: a description without its GUID (never seen in the fixtures)
    // gets a deterministic one so that the Name is not lost.
    ref.AddMember("Id", str_value(name_uuid(std::string(logical_name) + ":" + name->GetString()), a), a);
    ref.AddMember("LogicalName", str_value(logical_name, a), a);
  }
  if (has_name) set_member(ref, "Name", rapidjson::Value(*name, a), a);
  set_member(out, to, std::move(ref), a);
}

/// Adds to `dst` every member of `src` that `dst` lacks; recurses into objects present in both.
void fill_gaps(rapidjson::Value& dst, const rapidjson::Value& src, Alloc& a) {
  for (auto it = src.MemberBegin(); it != src.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    auto* existing = find_member(dst, key);
    if (existing == nullptr) {
      dst.AddMember(rapidjson::Value(it->name, a), rapidjson::Value(it->value, a), a);
    } else if (existing->IsObject() && it->value.IsObject()) {
      fill_gaps(*existing, it->value, a);
    }
  }
}

/// The members of `row` whose key starts with `prefix` (prefix removed), plus `extra` keys as-is.
rapidjson::Value sub_object(const rapidjson::Value& row, std::string_view prefix, std::initializer_list<std::string_view> extra,
                            Alloc& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  for (auto it = row.MemberBegin(); it != row.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (it->value.IsNull()) continue;
    if (starts_with(key, prefix)) {
      set_member(out, key.substr(prefix.size()), normalize_value(it->value, a), a);
    } else if (std::find(extra.begin(), extra.end(), key) != extra.end()) {
      set_member(out, key, normalize_value(it->value, a), a);
    }
  }
  return out;
}

std::string ref_id(const rapidjson::Value& obj, std::string_view key) {
  const auto* ref = find_member(obj, key);
  if (ref == nullptr) return {};
  return string_member(*ref, "Id").value_or("");
}

void add_unique(std::vector<std::pair<std::string, rapidjson::Document>>& list, std::string key, const rapidjson::Value& entry) {
  for (const auto& [k, _] : list) {
    if (k == key) return;
  }
  rapidjson::Document d;
  d.CopyFrom(entry, d.GetAllocator());
  list.emplace_back(std::move(key), std::move(d));
}

}  // namespace

PingStore::PingStore(std::string token, int ingestion_polls_to_complete)
    : token_(std::move(token)),
      ingestion_(
          ingestion_polls_to_complete,
          [this](const rapidjson::Value& record, const std::string& tx, const std::string& at) {
            return incoming_.ingest_referral(record, tx, at);
          },
          [this](const rapidjson::Value& record, const std::string& tx, const std::string& at) {
            return apply_decision(record, tx, at);
          }) {}

// ---- seeding ------------------------------------------------------------------------------

bool PingStore::seed_document(const rapidjson::Value& doc, std::string_view origin, SeedReport& report) {
  const rapidjson::Value* rows = nullptr;
  if (doc.IsArray()) {
    rows = &doc;
  } else if (const auto* m = find_member(doc, "interventions"); m != nullptr && m->IsArray()) {
    rows = m;
  }
  if (rows == nullptr) {
    report.notices.push_back(std::string(origin) + ": not an intervention document (expected {\"interventions\":[...]} or an array)");
    return false;
  }
  std::lock_guard lock(mutex_);
  for (rapidjson::SizeType i = 0; i < rows->Size(); ++i) {
    if (!(*rows)[i].IsObject()) {
      report.notices.push_back(std::string(origin) + ": row " + std::to_string(i) + " is not an object, skipped");
      continue;
    }
    ++report.rows;
    add_row((*rows)[i], origin, i, report);
  }
  return true;
}

void PingStore::add_row(const rapidjson::Value& row, std::string_view origin, std::size_t index, SeedReport& report) {
  rapidjson::Document iv_doc(rapidjson::kObjectType);
  auto& a = iv_doc.GetAllocator();

  auto number = string_member(row, "progres_interventionnumber");
  auto id = string_member(row, "progres_lpinterventionid");
  if (!id || id->empty()) {
    if (!number || number->empty()) {
      report.notices.push_back(std::string(origin) + ": row " + std::to_string(index) +
                               " has neither progres_lpinterventionid nor progres_interventionnumber, skipped");
      return;
    }
    auto known = id_by_number_.find(*number);
    id = known != id_by_number_.end() ? known->second : name_uuid("progres_lpintervention:" + *number);
    report.notices.push_back(std::string(origin) + ": row " + std::to_string(index) + " (" + *number +
                             ") has no progres_lpinterventionid; using " + *id);
  }
  if (!number || number->empty()) number = *id;

  iv_doc.AddMember("progres_lpinterventionid", str_value(*id, a), a);
  iv_doc.AddMember("progres_interventionnumber", str_value(*number, a), a);
  copy_member(row, "progres_interventionstartdate", iv_doc, "progres_interventionstartdate", a);
  copy_member(row, "progres_interventiondescription", iv_doc, "progres_interventiondescription", a);
  copy_member(row, "progres_reasonforreferral", iv_doc, "progres_reasonforreferral", a);
  copy_member(row, "progres_comments_nonrestrictedstore", iv_doc, "progres_comments_nonrestrictedstore", a);
  copy_member(row, "progres_interventionbyother", iv_doc, "progres_interventionbyother", a);
  copy_reference(row, "progres_interventiontype2", "interventiontype.progres_description", "progres_interventiontype", iv_doc,
                 "progres_interventiontype2", a);
  copy_reference(row, "progres_interventionsubtype2", "interventionsubtype.progres_description", "progres_interventionsubtype",
                 iv_doc, "progres_interventionsubtype2", a);
  copy_reference(row, "progres_businessunit", "", "businessunit", iv_doc, "progres_businessunit", a);
  copy_member(row, "progres_interventionserviceprovider", iv_doc, "progres_interventionserviceprovider", a);

  rapidjson::Value owner(rapidjson::kObjectType);
  copy_member(row, "progres_businessowner", owner, "systemuserid", a);
  for (std::string_view k : {"title", "internalemailaddress", "mobilephone", "progres_partner"}) {
    copy_member(row, std::string("user.") + std::string(k), owner, k, a);
  }
  if (owner.MemberCount() > 0) iv_doc.AddMember("progres_businessowner", owner, a);

  auto individual_id = string_member(row, "individuals.progres_id");
  if (individual_id && !individual_id->empty()) {
    iv_doc.AddMember("progres_individual", str_value(*individual_id, a), a);
  } else {
    report.notices.push_back(std::string(origin) + ": row " + std::to_string(index) + " (" + *number +
                             ") has no individuals.progres_id; no individual recorded");
  }
  copy_member(row, "childprotection.progres_priority", iv_doc, "progres_priority", a);

  // Intervention: the same number (or id) across rows and files is one intervention.
  auto by_number = id_by_number_.find(*number);
  const std::string key = by_number != id_by_number_.end() ? by_number->second : *id;
  auto found = interventions_.find(key);
  if (found == interventions_.end()) {
    Intervention iv;
    iv.id = *id;
    iv.number = *number;
    iv.individual_id = individual_id.value_or("");
    iv.doc = std::move(iv_doc);
    iv.modifiedon = format_utc_ms(now_ms());
    id_by_number_.emplace(iv.number, iv.id);
    order_.emplace(iv.number, iv.id);
    interventions_.emplace(iv.id, std::move(iv));
  } else {
    fill_gaps(found->second.doc, iv_doc, found->second.doc.GetAllocator());
    if (found->second.individual_id.empty()) found->second.individual_id = individual_id.value_or("");
  }

  if (!individual_id || individual_id->empty()) return;

  // Individual: first values kept, later rows fill gaps.
  auto& person = individuals_[*individual_id];
  rapidjson::Document ind_doc(rapidjson::kObjectType);
  auto& ia = ind_doc.GetAllocator();
  ind_doc.AddMember("progres_individualid", str_value(*individual_id, ia), ia);
  auto fields = sub_object(row, "individuals.", {}, ia);
  fill_gaps(ind_doc, fields, ia);
  if (person.doc.IsNull()) {
    person.doc = std::move(ind_doc);
  } else {
    fill_gaps(person.doc, ind_doc, person.doc.GetAllocator());
  }

  rapidjson::Document scratch;
  auto& sa = scratch.GetAllocator();
  auto language = sub_object(row, "languages.", {}, sa);
  if (language.MemberCount() > 0) {
    std::string dedup = ref_id(language, "progres_languagecodeid");
    if (dedup.empty()) dedup = "value:" + to_json(language);
    add_unique(person.languages, std::move(dedup), language);
  }
  auto need = sub_object(row, "specificneeds.", {"spncategory2code", "spnsubcategory2code"}, sa);
  if (need.MemberCount() > 0) {
    std::string cat = ref_id(need, "progres_spncategory2");
    std::string sub = ref_id(need, "progres_spnsubcategory2");
    std::string dedup = cat.empty() && sub.empty() ? "value:" + to_json(need) : cat + "|" + sub;
    add_unique(person.needs, std::move(dedup), need);
  }
}

void PingStore::count_into(SeedReport& report) const {
  std::lock_guard lock(mutex_);
  report.interventions = static_cast<int>(interventions_.size());
  report.individuals = static_cast<int>(individuals_.size());
  report.languages = 0;
  report.specific_needs = 0;
  for (const auto& [_, person] : individuals_) {
    report.languages += static_cast<int>(person.languages.size());
    report.specific_needs += static_cast<int>(person.needs.size());
  }
}

// ---- rendering ----------------------------------------------------------------------------

namespace {
rapidjson::Value update_json(const TransferUpdate& u, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("transferStatus", str_value(u.transfer_status, a), a);
  if (u.primero_case_id) o.AddMember("primeroCaseId", str_value(*u.primero_case_id, a), a);
  if (u.primero_record_id) o.AddMember("primeroRecordId", str_value(*u.primero_record_id, a), a);
  if (u.reason) o.AddMember("reason", str_value(*u.reason, a), a);
  o.AddMember("at", str_value(u.at, a), a);
  return o;
}

rapidjson::Value decision_json(const InterventionDecision& d, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("case_id", str_value(d.case_id, a), a);
  o.AddMember("status", str_value(d.status, a), a);
  if (d.closure_reason) o.AddMember("closure_reason", str_value(*d.closure_reason, a), a);
  o.AddMember("transactionId", str_value(d.transaction_id, a), a);
  o.AddMember("at", str_value(d.at, a), a);
  return o;
}
}  // namespace

void PingStore::render_intervention(const Intervention& iv, rapidjson::Value& out, Alloc& a, bool with_history) const {
  out.CopyFrom(iv.doc, a);
  out.AddMember("transferStatus", str_value(iv.transfer_status, a), a);
  if (iv.primero_case_id) out.AddMember("primeroCaseId", str_value(*iv.primero_case_id, a), a);
  if (iv.primero_record_id) out.AddMember("primeroRecordId", str_value(*iv.primero_record_id, a), a);
  if (iv.reason) out.AddMember("transferReason", str_value(*iv.reason, a), a);
  out.AddMember("modifiedon", str_value(iv.modifiedon, a), a);
  if (with_history) {
    rapidjson::Value h(rapidjson::kArrayType);
    for (const auto& u : iv.history) h.PushBack(update_json(u, a), a);
    out.AddMember("transferHistory", h, a);
    rapidjson::Value decisions(rapidjson::kArrayType);
    for (const auto& dec : iv.decisions) decisions.PushBack(decision_json(dec, a), a);
    out.AddMember("decisions", decisions, a);
  }
}

std::string PingStore::dump_json() const {
  std::lock_guard lock(mutex_);
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& [number, id] : order_) {
    rapidjson::Value v;
    render_intervention(interventions_.at(id), v, a, true);
    items.PushBack(v, a);
  }
  d.AddMember("data", items, a);
  return to_json(d, true);
}

// ---- transfer status ------------------------------------------------------------------------

void PingStore::apply_update(Intervention& iv, TransferUpdate update) {
  iv.transfer_status = update.transfer_status;
  iv.primero_case_id = update.primero_case_id;
  iv.primero_record_id = update.primero_record_id;
  iv.reason = update.reason;
  iv.modifiedon = update.at;
  iv.history.push_back(std::move(update));
}

bool PingStore::requeue(const std::string& intervention_id) {
  std::lock_guard lock(mutex_);
  auto it = interventions_.find(intervention_id);
  if (it == interventions_.end()) return false;
  TransferUpdate u;
  u.transfer_status = "pending";
  u.reason = "requeued by the sandbox";
  u.at = format_utc_ms(now_ms());
  apply_update(it->second, std::move(u));
  return true;
}

std::optional<std::string> PingStore::transfer_status(const std::string& intervention_id) const {
  std::lock_guard lock(mutex_);
  auto it = interventions_.find(intervention_id);
  if (it == interventions_.end()) return std::nullopt;
  return it->second.transfer_status;
}

std::vector<TransferUpdate> PingStore::history(const std::string& intervention_id) const {
  std::lock_guard lock(mutex_);
  auto it = interventions_.find(intervention_id);
  if (it == interventions_.end()) return {};
  return it->second.history;
}

std::vector<std::string> PingStore::ordered_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [number, id] : order_) out.push_back(id);
  return out;
}

// ---- HTTP ---------------------------------------------------------------------------------

ApiResponse PingStore::handle(const ApiRequest& request) {
  const auto& path = request.raw_path;
  if (!token_.empty() && !bearer_matches(request.authorization, token_)) {
    auto r = problem(401, "a valid Bearer token is required", path);
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"PING\"");
    return r;
  }
  const auto seg = split_path(path);
  auto not_allowed = [&](std::string_view allow) {
    auto r = problem(405, "method " + request.method + " is not allowed here", path);
    r.headers.emplace_back("Allow", std::string(allow));
    return r;
  };
  if (seg.size() >= 2 && seg[0] == "v1") {
    if (seg.size() == 3 && seg[1] == "referrals" && seg[2] == "outgoing") {
      return request.method == "GET" ? list_outgoing(request) : not_allowed("GET");
    }
    if (seg[1] == "interventions" && seg.size() == 3) {
      return request.method == "GET" ? get_intervention(seg[2], request) : not_allowed("GET");
    }
    if (seg[1] == "interventions" && seg.size() == 4 && seg[3] == "transfer-status") {
      return request.method == "PATCH" ? patch_transfer_status(seg[2], request) : not_allowed("PATCH");
    }
    // ---- PING ingestion and decisions ----
    if (seg[1] == "ingestion" && seg.size() == 3 && (seg[2] == "referrals" || seg[2] == "referral-decisions")) {
      if (request.method != "POST") return not_allowed("POST");
      return ingestion_.submit(seg[2] == "referrals" ? IngestionKind::kReferrals : IngestionKind::kDecisions, request);
    }
    if (seg[1] == "ingestion" && seg.size() == 4 && seg[2] == "transactions") {
      return request.method == "GET" ? ingestion_.get_transaction(seg[3], request) : not_allowed("GET");
    }
    if (seg[1] == "referrals" && seg.size() >= 4 && seg[2] == "incoming") return incoming_.handle(request, seg);
    if (seg[1] == "individuals" && (seg.size() == 3 || seg.size() == 4)) {
      int part = 0;
      if (seg.size() == 4) {
        if (seg[3] == "languages") {
          part = 1;
        } else if (seg[3] == "specific-needs") {
          part = 2;
        } else {
          return problem(404, "no such resource", path);
        }
      }
      return request.method == "GET" ? get_individual(seg[2], request, part) : not_allowed("GET");
    }
  }
  return problem(404, "no such resource", path);
}

ApiResponse PingStore::list_outgoing(const ApiRequest& request) {
  std::optional<std::string> status = query_param(request, "transferStatus");
  if (status && !is_transfer_status(*status)) {
    return problem(400, "transferStatus must be pending, transferred or failed", request.raw_path);
  }
  auto query = parse_page_query(request, kTokenPrefix);
  if (auto* bad = std::get_if<ApiResponse>(&query)) return *bad;

  std::lock_guard lock(mutex_);
  auto include = [&](const PageKey& key) { return !status || interventions_.at(key.second).transfer_status == *status; };
  auto render_summary = [&](const PageKey& key, Alloc& a) {
    const auto& iv = interventions_.at(key.second);
    rapidjson::Value s(rapidjson::kObjectType);
    s.AddMember("progres_lpinterventionid", str_value(iv.id, a), a);
    s.AddMember("progres_interventionnumber", str_value(iv.number, a), a);
    s.AddMember("progres_individualid", str_value(iv.individual_id, a), a);  // required; empty when the row had none
    s.AddMember("modifiedon", str_value(iv.modifiedon, a), a);
    return s;
  };
  return keyset_page(order_, std::get<PageQuery>(query), kTokenPrefix, include, render_summary);
}

ApiResponse PingStore::get_intervention(const std::string& id, const ApiRequest& request) {
  std::lock_guard lock(mutex_);
  auto it = interventions_.find(id);
  if (it == interventions_.end()) return problem(404, "intervention not found", request.raw_path);
  rapidjson::Document d;
  render_intervention(it->second, d, d.GetAllocator(), false);
  return json_answer(200, d);
}

ApiResponse PingStore::patch_transfer_status(const std::string& id, const ApiRequest& request) {
  const auto& path = request.raw_path;
  auto parsed = parse_status_patch(request, "transferStatus", {"pending", "transferred", "failed"},
                                   {"primeroCaseId", "primeroRecordId", "reason"});
  if (auto* bad = std::get_if<ApiResponse>(&parsed)) return *bad;
  const auto& patch = std::get<StatusPatch>(parsed);
  TransferUpdate u;
  u.transfer_status = patch.status;
  for (auto [key, target] : std::array<std::pair<const char*, std::optional<std::string>*>, 3>{
           {{"primeroCaseId", &u.primero_case_id}, {"primeroRecordId", &u.primero_record_id}, {"reason", &u.reason}}}) {
    if (auto it = patch.strings.find(key); it != patch.strings.end()) *target = it->second;
  }
  if (u.transfer_status == "transferred" && (!u.primero_case_id || u.primero_case_id->empty())) {
    return problem(422, "transferStatus transferred requires primeroCaseId", path);
  }
  if (u.transfer_status == "failed" && (!u.reason || u.reason->empty())) {
    return problem(422, "transferStatus failed requires a reason", path);
  }

  std::lock_guard lock(mutex_);
  auto it = interventions_.find(id);
  if (it == interventions_.end()) return problem(404, "intervention not found", path);
  u.at = format_utc_ms(now_ms());
  apply_update(it->second, u);

  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("progres_lpinterventionid", str_value(id, a), a);
  d.AddMember("transferStatus", str_value(u.transfer_status, a), a);
  if (u.primero_case_id) d.AddMember("primeroCaseId", str_value(*u.primero_case_id, a), a);
  if (u.primero_record_id) d.AddMember("primeroRecordId", str_value(*u.primero_record_id, a), a);
  if (u.reason) d.AddMember("reason", str_value(*u.reason, a), a);
  d.AddMember("modifiedon", str_value(u.at, a), a);
  return json_answer(200, d);
}

ApiResponse PingStore::get_individual(const std::string& id, const ApiRequest& request, int part) {
  std::lock_guard lock(mutex_);
  auto it = individuals_.find(id);
  if (it == individuals_.end()) return problem(404, "individual not found", request.raw_path);
  if (part == 0) return json_answer(200, it->second.doc);
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& [_, entry] : part == 1 ? it->second.languages : it->second.needs) items.PushBack(rapidjson::Value(entry, a), a);
  d.AddMember("items", items, a);
  return json_answer(200, d);
}

}  // namespace refbridge::sandbox::detail

namespace refbridge::sandbox::detail {

// ---- PING ingestion and decisions ----

RecordOutcome PingStore::apply_decision(const rapidjson::Value& record, const std::string& transaction_id, const std::string& at) {
  const std::string number = string_member(record, "progres_interventionnumber").value_or("");
  InterventionDecision decision;
  decision.case_id = string_member(record, "case_id").value_or("");
  decision.status = string_member(record, "status").value_or("");
  decision.closure_reason = string_member(record, "closure_reason");
  decision.transaction_id = transaction_id;
  decision.at = at;

  std::lock_guard lock(mutex_);
  auto by_number = id_by_number_.find(number);
  if (by_number == id_by_number_.end()) {
    return {"rejected", {{"unknown-intervention", "PING holds no intervention with this progres_interventionnumber",
                          "progres_interventionnumber"}}};
  }
  auto& iv = interventions_.at(by_number->second);
  for (const auto& held : iv.decisions) {
    if (held.case_id == decision.case_id && held.status == decision.status && held.closure_reason == decision.closure_reason) {
      return {"duplicate", {}};
    }
  }
  iv.decisions.push_back(std::move(decision));
  return {"accepted", {}};
}

std::vector<InterventionDecision> PingStore::decisions(const std::string& intervention_id) const {
  std::lock_guard lock(mutex_);
  auto it = interventions_.find(intervention_id);
  if (it == interventions_.end()) return {};
  return it->second.decisions;
}

std::optional<ApiResponse> PingStore::handle_admin(const ApiRequest& request, const std::vector<std::string>& seg) {
  auto text = [](std::string body) {
    ApiResponse r;
    r.body = std::move(body);
    return r;
  };
  if (seg.size() == 3 && seg[1] == "ping" && seg[2] == "incoming-referrals" && request.method == "GET") {
    return text(incoming_.dump_json());
  }
  if (seg.size() == 3 && seg[1] == "ping" && seg[2] == "ingestions" && request.method == "GET") return text(ingestion_.dump_json());
  if (seg.size() == 4 && seg[1] == "ping" && seg[2] == "ingestion" && seg[3] == "fail-next" && request.method == "POST") {
    const auto count = query_param(request, "count").value_or("");
    const bool numeric = !count.empty() && count.size() <= 7 &&
                         std::all_of(count.begin(), count.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!numeric) return problem(400, "count must be an integer from 0 to 1000000", request.raw_path);
    const int n = std::stoi(count);
    if (n > 1000000) return problem(400, "count must be an integer from 0 to 1000000", request.raw_path);
    ingestion_.fail_next(n);
    return text("{\"failNext\":" + std::to_string(n) + "}");
  }
  return std::nullopt;
}

}  // namespace refbridge::sandbox::detail
