#pragma once
// Fault plans for the sandbox (issue 5, fault injection): which requests get which fault, and the
// deterministic selection of those requests. Pure logic, no HTTP: faults_http.h applies the
// decisions to the cpp-httplib servers.
//
// A plan is a list of rules; every rule names the requests it applies to (method + path glob), a
// fault kind with its parameters, and which of the matching requests it hits. Text form (YAML; JSON
// is YAML too, so POST /_sandbox/faults takes the same document), either a bare list of rules or
// {rules: [...]}:
//
//   rules:
//     - method: POST                 # GET | POST | PUT | PATCH | DELETE | "*" (default "*")
//       path: /api/v2/cases          # glob over the encoded path without the query (default "**"):
//                                    #   "*" = any characters within one segment, "**" = anything
//       kind: status                 # see FaultKind
//       status: 503                  # kind status: 500 | 502 | 503 | 429 (any 400..599 accepted)
//       retry_after: 1               # kind status: Retry-After header in seconds (optional)
//       latency_ms: 200              # kind latency: added before the request is handled
//       phase: before                # kind reset / hang: before = the request is never handled;
//                                    #   after = handled (the write happened), the answer is lost
//       hang_ms: 3000                # kind hang: how long the connection stays silent, then drops
//       skip: 0                      # let this many matching requests through first
//       first: 1                     # then hit the next N matching requests, or
//       every: 3                     # every Nth matching request (after skip), or
//       probability: 0.25            # each matching request with this probability, drawn from
//       seed: 7                      #   a generator seeded per rule (same order -> same hits)
//                                    # none of first/every/probability = every matching request
//
// Paths under /_sandbox (the admin routes) are never faulted. A request hit by several rules gets
// every latency, then the first answering fault in plan order.

#include "refbridge/error.h"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::sandbox {

/// What a rule does to a request it hits.
enum class FaultKind {
  kLatency,           ///< waits latency_ms, then the request is handled normally
  kStatus,            ///< answers `status` (+ Retry-After) with the API's error envelope; not handled
  kReset,             ///< the connection closes without a complete answer (see FaultPhase)
  kHang,              ///< no answer for hang_ms (longer than the client's timeout), then the connection closes
  kTruncatedJson,     ///< handled; the answer's body is cut to half its length (invalid JSON)
  kMalformedJson,     ///< handled; the answer's body has a syntax error (first ':' replaced by ' ')
  kSchemaViolation,   ///< handled; the answer is valid JSON of the wrong shape (see faults_http.h)
  kTokenExpiry,       ///< every Bearer token seen so far becomes invalid: 401 now and for later uses
  kIngestionFail,     ///< a PING ingestion POST it hits is accepted, and its transaction ends failed
  kIngestionPending,  ///< a transaction GET it hits answers "processing" without advancing the transaction
};

/// Whether a reset or hang happens before the request is handled or after (the write is applied).
enum class FaultPhase { kBefore, kAfter };

/// "latency", "status", "reset", "hang", "truncated_json", "malformed_json", "schema_violation",
/// "token_expiry", "ingestion_fail", "ingestion_pending".
std::string_view to_string(FaultKind kind) noexcept;

/// One rule of a plan (member meanings: the file comment).
struct FaultRule {
  std::string method = "*";
  std::string path = "**";
  FaultKind kind = FaultKind::kStatus;
  int latency_ms = 0;                  ///< milliseconds, 0..60000
  int status = 503;                    ///< 400..599
  std::optional<int> retry_after;      ///< seconds, 0..86400
  FaultPhase phase = FaultPhase::kBefore;
  int hang_ms = 2000;                  ///< milliseconds, 1..60000
  int skip = 0;
  int first = 0;
  int every = 0;
  double probability = 0.0;            ///< 0..1
  std::uint64_t seed = 1;
};

struct FaultPlan {
  std::vector<FaultRule> rules;
};

/// Parses a plan (YAML or JSON text, shape in the file comment). Unknown keys are refused, so a
/// typo cannot silently disable a fault. Errors: kInvalidInput naming the rule index and key, or
/// the YAML line:column.
Result<FaultPlan> parse_fault_plan(std::string_view text);
/// Reads and parses a plan file. Errors: kIo when unreadable; parse_fault_plan's.
Result<FaultPlan> load_fault_plan(const std::filesystem::path& path);

/// True when the encoded path `path` matches `pattern` ("*" within a segment, "**" anything).
bool path_matches(std::string_view pattern, std::string_view path);

/// How often a rule matched and hit (for tests and GET /_sandbox/faults).
struct FaultRuleStats {
  FaultRule rule;
  /// Requests that matched method and path and that the kind can act on (token_expiry: carrying a
  /// Bearer token; ingestion_fail: POST /v1/ingestion/*; ingestion_pending: GET
  /// /v1/ingestion/transactions/*).
  int matched = 0;
  int hits = 0;     ///< of which the rule hit
};

/// A plan in use: counts matching requests per rule and decides which ones a rule hits.
/// Thread-safe.
class FaultSelector {
 public:
  explicit FaultSelector(FaultPlan plan = {});
  /// The rules hitting this request, in plan order; counts it for every matching rule.
  /// `has_bearer`: the request carries a Bearer token (token_expiry rules count only those).
  std::vector<FaultRule> hits(std::string_view method, std::string_view path, bool has_bearer);
  [[nodiscard]] std::vector<FaultRuleStats> stats() const;
  [[nodiscard]] bool empty() const;

 private:
  struct Entry {
    FaultRuleStats stats;
    std::mt19937_64 rng;
  };
  static bool selects(Entry& e);
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // guarded by mutex_
};

}  // namespace refbridge::sandbox
