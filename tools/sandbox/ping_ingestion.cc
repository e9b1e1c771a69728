// PING ingestion transactions. See ping_ingestion.h.
#include "ping_ingestion.h"

#include <array>
#include <string_view>
#include <utility>

namespace refbridge::sandbox::detail {

namespace {

constexpr rapidjson::SizeType kMaxRecords = 100;  // ReferralIngestion / DecisionIngestion maxItems

/// What a member must hold (besides being a string): the schema's format, pattern or enum.
enum class Check { kString, kNonEmpty, kOrgReferralId, kDate, kDateTime, kDecisionStatus };

/// One member rule of a record schema.
struct FieldRule {
  std::string_view name;
  bool required;
  Check check;
};

// IncomingReferral (schemas/ping/openapi.yaml): required members first, then the optional ones
// (every optional member is nullable).
constexpr std::array<FieldRule, 23> kReferralRules = {{
    {"id", true, Check::kOrgReferralId},
    {"primero_user", true, Check::kNonEmpty},
    {"service_implementing_agency", true, Check::kString},
    {"service_type", true, Check::kNonEmpty},
    {"name_first", true, Check::kNonEmpty},
    {"name_last", true, Check::kNonEmpty},
    {"position", false, Check::kString},
    {"email", false, Check::kString},
    {"phone", false, Check::kString},
    {"full_name", false, Check::kString},
    {"service_response_day_time", false, Check::kDateTime},
    {"service_type_other", false, Check::kString},
    {"service_referral_notes", false, Check::kString},
    {"owned_by_agency_id", false, Check::kString},
    {"unhcr_individual_no", false, Check::kString},
    {"unhcr_id_no", false, Check::kString},
    {"name_middle", false, Check::kString},
    {"name_nickname", false, Check::kString},
    {"date_of_birth", false, Check::kDate},
    {"sex", false, Check::kString},
    {"address_current", false, Check::kString},
    {"telephone_current", false, Check::kString},
    {"language", false, Check::kString},
}};

// OutgoingReferralDecision (schemas/ping/openapi.yaml).
constexpr std::array<FieldRule, 5> kDecisionRules = {{
    {"case_id", true, Check::kNonEmpty},
    {"primero_user", false, Check::kString},
    {"progres_interventionnumber", true, Check::kNonEmpty},
    {"status", true, Check::kDecisionStatus},
    {"closure_reason", false, Check::kString},
}};

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

/// IncomingReferral.id pattern ^[^#]+#[0-9a-f]{12}$.
bool is_org_referral_id(std::string_view s) {
  const auto hash = s.find('#');
  return hash != std::string_view::npos && hash > 0 && s.size() - hash - 1 == 12 && is_lower_hex(s.substr(hash + 1));
}

/// The message for a string value that fails `check`, or empty when it passes.
std::string check_string(Check check, std::string_view v) {
  switch (check) {
    case Check::kString: return {};
    case Check::kNonEmpty: return v.empty() ? "must not be empty" : "";
    case Check::kOrgReferralId: return is_org_referral_id(v) ? "" : "must be \"<case_id>#<12 lower-case hex digits>\"";
    case Check::kDate: return parse_calendar_date(v) ? "" : "must be a date YYYY-MM-DD";
    case Check::kDateTime: return parse_date_time(v) ? "" : "must be an ISO-8601 date-time";
    case Check::kDecisionStatus: return v == "acknowledged" || v == "rejected" ? "" : "must be acknowledged or rejected";
  }
  return {};
}

/// Every rule violation of one record object.
template <std::size_t N>
std::vector<IngestionError> validate(const rapidjson::Value& record, const std::array<FieldRule, N>& rules) {
  std::vector<IngestionError> errors;
  auto fail = [&](const FieldRule& rule, std::string message) {
    errors.push_back({"invalid-field", std::move(message), std::string(rule.name)});
  };
  for (const auto& rule : rules) {
    const auto* v = find_member(record, rule.name);
    if (v == nullptr || (v->IsNull() && !rule.required)) {
      if (rule.required && v == nullptr) fail(rule, "required member is missing");
      continue;
    }
    if (!v->IsString()) {
      fail(rule, v->IsNull() ? "must not be null" : "must be a string");
      continue;
    }
    auto message = check_string(rule.check, std::string_view(v->GetString(), v->GetStringLength()));
    if (!message.empty()) fail(rule, std::move(message));
  }
  return errors;
}

std::vector<IngestionError> validate_record(IngestionKind kind, const rapidjson::Value& record) {
  if (!record.IsObject()) return {{"invalid-field", "record is not a JSON object", ""}};
  return kind == IngestionKind::kReferrals ? validate(record, kReferralRules) : validate(record, kDecisionRules);
}

/// IngestionRecordResult.recordKey: IncomingReferral.id, or "<case_id>/<progres_interventionnumber>".
std::string record_key(IngestionKind kind, const rapidjson::Value& record) {
  if (kind == IngestionKind::kReferrals) return string_member(record, "id").value_or("");
  auto case_id = string_member(record, "case_id");
  auto number = string_member(record, "progres_interventionnumber");
  if (!case_id && !number) return {};
  return case_id.value_or("") + "/" + number.value_or("");
}

const char* kind_name(IngestionKind kind) { return kind == IngestionKind::kReferrals ? "referrals" : "referral-decisions"; }

rapidjson::Value error_json(const IngestionError& e, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("code", str_value(e.code, a), a);
  if (!e.message.empty()) o.AddMember("message", str_value(e.message, a), a);
  if (!e.field.empty()) o.AddMember("field", str_value(e.field, a), a);
  return o;
}

}  // namespace

IngestionStore::IngestionStore(int polls_to_complete, RecordSink referrals, RecordSink decisions)
    : polls_to_complete_(polls_to_complete < 1 ? 1 : polls_to_complete),
      referrals_(std::move(referrals)),
      decisions_(std::move(decisions)) {}

ApiResponse IngestionStore::submit(IngestionKind kind, const ApiRequest& request) {
  const auto& path = request.raw_path;
  Transaction tx;
  tx.kind = kind;
  if (auto err = parse_json(request.body, tx.records)) return problem(400, "body is not JSON (" + *err + ")", path);
  if (!tx.records.IsObject()) return problem(400, "body must be a JSON object", path);
  auto* records = find_member(tx.records, "records");
  if (records == nullptr || !records->IsArray()) return problem(400, "records (an array) is required", path);
  if (records->Empty()) return problem(400, "records must hold at least one record", path);
  if (records->Size() > kMaxRecords) {
    return problem(413, "records holds more than " + std::to_string(kMaxRecords) + " records", path);
  }
  tx.record_count = records->Size();
  tx.id = random_uuid();
  tx.received_at = format_utc_ms(now_ms());

  std::lock_guard lock(mutex_);
  if (fail_next_ > 0) {
    --fail_next_;
    tx.fail = true;
  }
  const std::string id = tx.id;
  order_.push_back(id);
  transactions_.emplace(id, std::move(tx));

  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("transactionId", str_value(id, a), a);
  d.AddMember("status", "received", a);
  return json_answer(202, d);
}

ApiResponse IngestionStore::get_transaction(const std::string& transaction_id, const ApiRequest& request) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(transaction_id);
  if (it == transactions_.end()) return problem(404, "ingestion transaction not found", request.raw_path);
  advance(it->second);
  rapidjson::Document d;
  render(it->second, d, d.GetAllocator(), false);
  return json_answer(200, d);
}

void IngestionStore::advance(Transaction& tx) {
  if (tx.status == "completed" || tx.status == "failed") return;
  ++tx.polls;
  if (tx.polls < polls_to_complete_) {
    tx.status = "processing";
    return;
  }
  complete(tx);
}

void IngestionStore::complete(Transaction& tx) {
  tx.completed_at = format_utc_ms(now_ms());
  if (tx.fail) {
    tx.status = "failed";  // nothing stored
  } else {
    const RecordSink& sink = tx.kind == IngestionKind::kReferrals ? referrals_ : decisions_;
    for (const auto& record : tx.records["records"].GetArray()) {
      tx.keys.push_back(record.IsObject() ? record_key(tx.kind, record) : std::string());
      auto errors = validate_record(tx.kind, record);
      tx.results.push_back(errors.empty() ? sink(record, tx.id, tx.completed_at) : RecordOutcome{"rejected", std::move(errors)});
    }
    tx.status = "completed";
  }
  tx.records = rapidjson::Document();  // release the submitted body
}

void IngestionStore::render(const Transaction& tx, rapidjson::Value& out, Alloc& a, bool for_dump) const {
  out.SetObject();
  out.AddMember("transactionId", str_value(tx.id, a), a);
  if (for_dump) out.AddMember("kind", rapidjson::StringRef(kind_name(tx.kind)), a);
  out.AddMember("status", str_value(tx.status, a), a);
  out.AddMember("receivedAt", str_value(tx.received_at, a), a);
  if (!tx.completed_at.empty()) out.AddMember("completedAt", str_value(tx.completed_at, a), a);
  if (for_dump) {
    out.AddMember("polls", tx.polls, a);
    out.AddMember("recordCount", static_cast<std::uint64_t>(tx.record_count), a);
  }
  if (tx.status == "completed") {
    rapidjson::Value results(rapidjson::kArrayType);
    for (std::size_t i = 0; i < tx.results.size(); ++i) {
      rapidjson::Value r(rapidjson::kObjectType);
      r.AddMember("index", static_cast<int>(i), a);
      if (!tx.keys[i].empty()) r.AddMember("recordKey", str_value(tx.keys[i], a), a);
      r.AddMember("status", str_value(tx.results[i].status, a), a);
      if (!tx.results[i].errors.empty()) {
        rapidjson::Value errors(rapidjson::kArrayType);
        for (const auto& e : tx.results[i].errors) errors.PushBack(error_json(e, a), a);
        r.AddMember("errors", errors, a);
      }
      results.PushBack(r, a);
    }
    out.AddMember("results", results, a);
  }
  if (tx.status == "failed") {
    out.AddMember("error", error_json({"processing-error", "the sandbox failed this ingestion on request; nothing was stored", ""}, a), a);
  }
}

void IngestionStore::fail_next(int n) {
  std::lock_guard lock(mutex_);
  fail_next_ = n < 0 ? 0 : n;
}

std::size_t IngestionStore::count() const {
  std::lock_guard lock(mutex_);
  return transactions_.size();
}

std::string IngestionStore::dump_json() const {
  std::lock_guard lock(mutex_);
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& id : order_) {
    rapidjson::Value v;
    render(transactions_.at(id), v, a, true);
    items.PushBack(v, a);
  }
  d.AddMember("data", items, a);
  return to_json(d, true);
}

}  // namespace refbridge::sandbox::detail
