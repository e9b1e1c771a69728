#pragma once
// Structured logging that cannot carry personal data by construction: a log line is an event
// name plus fields whose keys come from a closed list of ids, counts and codes (LogKey).
// There is no key for a name, a date of birth, a phone number, a note or a credential.
// Every registered secret (refbridge/redaction.h) is also replaced by "[redacted]" in the event
// name and in every field value, before JSON escaping, as a second line of defence.
// Source: DEVELOPERS guide "Quality bar" (logs), ../shared/docs/workflows.md "Common rules" (Logs).
// Output: one JSON object per line on the given stream:
//   {"ts":"2026-11-22T10:00:00.000Z","level":"info","event":"record.delivered","intervention":"..."}

#include <initializer_list>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>

namespace refbridge {

/// The only keys a log line may carry.
enum class LogKey {
  kWorkflow,            ///< "1.1", "1.2", ...
  kInterventionNumber,  ///< progres_interventionnumber
  kInterventionId,      ///< progres_lpinterventionid (GUID)
  kIndividualId,        ///< proGres individual id (progres_id), a registration identifier
  kCaseId,              ///< Primero case_id (UUID)
  kCaseRecordId,        ///< Primero record id (UUID, used in URLs)
  kServiceId,           ///< services_section unique_id
  kTransactionId,       ///< PING ingestion transaction id
  kState,               ///< delivered / skipped / rejected / failed
  kRule,                ///< the business rule that decided (e.g. "accepted-type-gate")
  kErrorCode,           ///< refbridge::ErrorCode name
  kHttpStatus,          ///< HTTP status code
  kCount,               ///< a count
  kPage,                ///< page number or token ordinal
  kDurationMs,          ///< milliseconds
  kMessage,             ///< an Error::message (which never carries personal data)
  kRecordKey,           ///< a workflow's correlation key (ledger source_key: an id, never personal data)
  kReferralId,          ///< Primero referral id or PING incoming referral id (GUID)
  kCursor,              ///< a cursor value (ISO-8601 UTC instant)
  kOperation,           ///< an API operationId ("getIntervention"), never a URL
  kAttempt,             ///< attempt number of a call (from 1)
};

/// JSON key used for a LogKey ("intervention", "case_id", ...).
std::string_view to_string(LogKey key) noexcept;

struct LogField {
  LogKey key;
  std::string value;
};

enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// Thread-safe line logger.
class Logger {
 public:
  /// Writes to `out` (not owned; must outlive the logger). Lines below `min_level` are dropped.
  explicit Logger(std::ostream& out, LogLevel min_level = LogLevel::kInfo);

  /// Registers `secret` with the process-wide redaction (refbridge::register_secret): any later
  /// line of any logger containing it (>= kMinSecretLength characters) shows "[redacted]" instead.
  void add_secret(std::string_view secret);

  void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);
  void debug(std::string_view event, std::initializer_list<LogField> fields = {}) { log(LogLevel::kDebug, event, fields); }
  void info(std::string_view event, std::initializer_list<LogField> fields = {}) { log(LogLevel::kInfo, event, fields); }
  void warn(std::string_view event, std::initializer_list<LogField> fields = {}) { log(LogLevel::kWarn, event, fields); }
  void error(std::string_view event, std::initializer_list<LogField> fields = {}) { log(LogLevel::kError, event, fields); }

 private:
  std::ostream& out_;
  LogLevel min_level_;
  std::mutex mutex_;
};

}  // namespace refbridge
