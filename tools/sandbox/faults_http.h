#pragma once
// Applies a fault plan (faults.h) to the sandbox's cpp-httplib servers: a wrapper around each
// server's request handler, so a fault can act before the request is handled (latency, status,
// reset/hang "before", token expiry, ingestion knobs) or rewrite / lose the answer after it
// (reset/hang "after", truncated, malformed and schema-violating bodies). Internal to the sandbox.
//
// What the client sees:
//   status            the status, Retry-After when configured, and the API's error envelope
//                     (PING: RFC 7807 problem; Primero: {"errors":[{status,resource,message}]}).
//   reset             status line and headers (Content-Length of the real body), then the connection
//                     closes: "before" sends no body byte, "after" half of the real body.
//   hang              nothing for hang_ms, then the connection closes (a client with a shorter
//                     timeout times out first). Sandbox::stop() ends a hang early.
//   truncated_json    200-class answer, body cut to half its length (Content-Length matches).
//   malformed_json    the real body with its first ':' replaced by ' '.
//   schema_violation  valid JSON of the wrong shape: an object answer gets every top-level member
//                     replaced by the number 0; an array answer becomes {"unexpected":true}; an
//                     empty body stays empty.
//   token_expiry      401 (PING: problem + WWW-Authenticate Bearer error="invalid_token"; Primero:
//                     {"error":"Signature has expired"}) for this request and every later request
//                     carrying a Bearer token this server (PING or Primero) saw before the hit; a
//                     token first seen later passes (a Primero re-login, a new OAuth token).
//   ingestion_fail    the hit POST /v1/ingestion/... is accepted; its transaction ends "failed"
//                     and stores nothing (the ingestion store's fail_next(1)).
//   ingestion_pending the hit GET /v1/ingestion/transactions/{id} answers {transactionId, status:
//                     "processing"} without advancing the transaction.

#include "faults.h"
#include "support.h"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace refbridge {
class Logger;
}

namespace refbridge::sandbox::detail {

/// Which error envelope the faults of one server answer with.
enum class FaultApi { kPing, kPrimero };

class FaultInjector {
 public:
  /// `fail_next_ingestion` makes the next PING ingestion fail (ingestion_fail); `logger` may be
  /// null (rule index, kind and status only are logged).
  FaultInjector(std::function<void()> fail_next_ingestion, refbridge::Logger* logger);

  /// Replaces the plan (counters start at zero) / removes every rule and forgets expired tokens.
  void set_plan(FaultPlan plan);
  void clear();
  [[nodiscard]] std::vector<FaultRuleStats> stats() const;

  /// The admin route /_sandbox/faults: POST (body: a plan, YAML or JSON) replaces the plan, 400
  /// problem naming the mistake when invalid; DELETE clears it; GET reports. Each answers
  /// {"rules":[{kind, method, path, matched, hits}]}; 405 problem for other methods.
  ApiResponse admin(const ApiRequest& request);

  /// `inner` with the current plan applied to every request it serves.
  httplib::Server::Handler wrap(FaultApi api, httplib::Server::Handler inner);

  /// Ends every hang now and makes later ones return at once (the servers are stopping).
  void cancel();

 private:
  void handle(FaultApi api, const httplib::Server::Handler& inner, const httplib::Request& req, httplib::Response& res);
  /// Answers the request when a "before" fault applies; false when it must be handled.
  bool before(FaultApi api, const std::vector<FaultRule>& hits, const httplib::Request& req, httplib::Response& res);
  void after(const std::vector<FaultRule>& hits, httplib::Response& res);
  /// True when the request carries a token `api` expired; records its token as seen otherwise.
  bool token_expired(FaultApi api, const std::string& bearer);
  void expire_seen_tokens(FaultApi api);
  void wait_ms(int ms);
  void log_hit(const FaultRule& rule);

  std::function<void()> fail_next_ingestion_;
  refbridge::Logger* logger_;
  std::shared_ptr<FaultSelector> selector_;  // replaced whole by set_plan(); guarded by mutex_
  std::set<std::pair<FaultApi, std::string>> seen_tokens_;     // guarded by mutex_
  std::set<std::pair<FaultApi, std::string>> expired_tokens_;  // guarded by mutex_
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool cancelled_ = false;  // guarded by mutex_
};

}  // namespace refbridge::sandbox::detail
