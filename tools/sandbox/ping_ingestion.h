#pragma once
// PING ingestion of the sandbox: POST /v1/ingestion/referrals and /v1/ingestion/referral-decisions
// create transactions; GET /v1/ingestion/transactions/{id} advances and answers them.
// Contract: schemas/ping/openapi.yaml (ingestReferrals, ingestReferralDecisions,
// getIngestionTransaction; ReferralIngestion, DecisionIngestion, IngestionTransaction, ...).
// Internal to the sandbox; see sandbox.h.
//
// Record validation (at completion; every problem of a record is one error, code "invalid-field",
// `field` = the member, `message` never repeats the value):
//   IncomingReferral: id (required, "<case_id>#<12 lower-case hex>"), primero_user, service_type,
//     name_first, name_last (required, non-empty strings), service_implementing_agency (required
//     string); optional members are strings or null, date_of_birth a date "YYYY-MM-DD" and
//     service_response_day_time an ISO-8601 date-time. Unknown members are allowed.
//   OutgoingReferralDecision: case_id, progres_interventionnumber (required, non-empty strings),
//     status (required, acknowledged | rejected), primero_user and closure_reason (string or null).
// A record that is not an object is rejected with code "invalid-field" and no field.
// Valid records go to the sink of their kind, which stores them and answers accepted, duplicate
// or rejected (e.g. "unknown-intervention"). A transaction marked to fail stores nothing.

#include "ping_http.h"

#include <rapidjson/document.h>

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace refbridge::sandbox::detail {

/// One IngestionError: `code` machine-readable, `message` without personal data, `field` the
/// member concerned (empty = none).
struct IngestionError {
  std::string code;
  std::string message;
  std::string field;
};

/// The outcome of one record: status accepted | duplicate | rejected, with errors when rejected.
struct RecordOutcome {
  std::string status;
  std::vector<IngestionError> errors;
};

/// What an ingestion carries.
enum class IngestionKind { kReferrals, kDecisions };

/// Stores one valid record of a completing transaction. Called with the ingestion lock held;
/// `transaction_id` and `at` (UTC "YYYY-MM-DDTHH:MM:SS.mmmZ") are recorded with what is stored.
using RecordSink = std::function<RecordOutcome(const rapidjson::Value& record, const std::string& transaction_id,
                                               const std::string& at)>;

/// The ingestion transactions of the PING server. Thread-safe.
class IngestionStore {
 public:
  /// `polls_to_complete`: see SandboxOptions::ingestion_polls_to_complete. `referrals` and
  /// `decisions` store the valid records of completing transactions of each kind.
  IngestionStore(int polls_to_complete, RecordSink referrals, RecordSink decisions);

  /// POST of an ingestion: 202 {transactionId, status: received}; 400 problem for a malformed
  /// body (not JSON, not an object, `records` missing, not an array or empty), 413 above 100 records.
  ApiResponse submit(IngestionKind kind, const ApiRequest& request);
  /// GET of a transaction: advances it one step and answers the IngestionTransaction; 404 problem
  /// for an unknown id.
  ApiResponse get_transaction(const std::string& transaction_id, const ApiRequest& request);

  /// The next `n` transactions submitted end in status failed (n < 0 counts as 0).
  void fail_next(int n);
  /// Number of transactions received.
  std::size_t count() const;
  /// {"data":[...]} in submission order, indented, without record contents.
  std::string dump_json() const;

 private:
  struct Transaction {
    std::string id;
    IngestionKind kind = IngestionKind::kReferrals;
    std::string status = "received";  ///< received | processing | completed | failed
    std::string received_at;
    std::string completed_at;
    int polls = 0;
    bool fail = false;
    std::size_t record_count = 0;
    rapidjson::Document records;  ///< the submitted body {records:[...]}; released at completion
    std::vector<RecordOutcome> results;
    std::vector<std::string> keys;  ///< recordKey per result (empty = none)
  };

  void advance(Transaction& tx);
  void complete(Transaction& tx);
  void render(const Transaction& tx, rapidjson::Value& out, Alloc& a, bool for_dump) const;

  int polls_to_complete_;
  RecordSink referrals_;
  RecordSink decisions_;
  mutable std::mutex mutex_;
  int fail_next_ = 0;
  std::map<std::string, Transaction> transactions_;  ///< by transaction id
  std::vector<std::string> order_;                     ///< ids in submission order
};

}  // namespace refbridge::sandbox::detail
