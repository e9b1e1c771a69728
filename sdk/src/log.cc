// Structured JSON-lines logger. See refbridge/log.h.
#include "refbridge/log.h"

#include "refbridge/redaction.h"
#include "refbridge/time.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ostream>

namespace refbridge {

std::string_view to_string(LogKey key) noexcept {
  switch (key) {
    case LogKey::kWorkflow: return "workflow";
    case LogKey::kInterventionNumber: return "intervention";
    case LogKey::kInterventionId: return "intervention_id";
    case LogKey::kIndividualId: return "individual";
    case LogKey::kCaseId: return "case_id";
    case LogKey::kCaseRecordId: return "case_record_id";
    case LogKey::kServiceId: return "service_id";
    case LogKey::kTransactionId: return "transaction_id";
    case LogKey::kState: return "state";
    case LogKey::kRule: return "rule";
    case LogKey::kErrorCode: return "error_code";
    case LogKey::kHttpStatus: return "http_status";
    case LogKey::kCount: return "count";
    case LogKey::kPage: return "page";
    case LogKey::kDurationMs: return "duration_ms";
    case LogKey::kMessage: return "message";
    case LogKey::kRecordKey: return "record_key";
    case LogKey::kReferralId: return "referral_id";
    case LogKey::kCursor: return "cursor";
    case LogKey::kOperation: return "operation";
    case LogKey::kAttempt: return "attempt";
  }
  return "unknown";
}

namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

template <class W>
void write_redacted(W& w, std::string_view text) {
  const std::string clean = redact(text);
  w.String(clean.c_str(), static_cast<rapidjson::SizeType>(clean.size()));
}

}  // namespace

Logger::Logger(std::ostream& out, LogLevel min_level) : out_(out), min_level_(min_level) {}

void Logger::add_secret(std::string_view secret) { register_secret(secret); }

void Logger::log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (level < min_level_) return;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  const auto ts = DateTime::from_utc(SystemClock{}.now()).text;
  w.Key("ts");
  w.String(ts.c_str());
  w.Key("level");
  const auto lv = level_name(level);
  w.String(lv.data(), static_cast<rapidjson::SizeType>(lv.size()));
  w.Key("event");
  write_redacted(w, event);
  for (const auto& f : fields) {
    const auto key = to_string(f.key);
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    write_redacted(w, f.value);
  }
  w.EndObject();
  std::string line(buf.GetString(), buf.GetSize());
  std::lock_guard lock(mutex_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace refbridge
