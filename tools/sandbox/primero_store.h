#pragma once
// Primero v2 state of the sandbox: cases (with subform merge by unique_id), authentication
// (Basic and ≤2.10-style Bearer tokens from POST /api/v2/tokens) and the /api/v2 operations over
// that state. Internal to the sandbox; see sandbox.h and primero-api-v2.md §1-§5, §10.

#include "support.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace refbridge::sandbox::detail {

class PrimeroStore {
 public:
  /// `password` empty = authentication disabled. `max_per` caps `per`.
  PrimeroStore(std::string user, std::string password, int max_per)
      : user_(std::move(user)), password_(std::move(password)), max_per_(max_per) {}

  /// Answers one request under the Primero server.
  ApiResponse handle(const ApiRequest& request);

  /// POST /api/v2/cases semantics for `data` (the object under "data"), as `caller`.
  /// Fills `out` with the answer (200 with the case, 204, 409 or 422).
  ApiResponse create_case(const rapidjson::Value& data, const std::string& caller, const std::string& resource);

  std::string dump_json() const;
  std::optional<std::string> case_json(const std::string& id) const;
  std::size_t count() const;

  /// Primero error envelope {"errors":[{status,resource,message}]}.
  static ApiResponse error(int status, std::string_view resource, std::string_view message);

 private:
  struct Case {
    rapidjson::Document doc;
    std::uint64_t seq = 0;  ///< creation order (tie-break for equal created_at)
  };

  /// The authenticated user name, or a 401 answer.
  std::optional<std::string> authenticate(const ApiRequest& request, ApiResponse& unauthorized);
  ApiResponse login(const ApiRequest& request);
  ApiResponse list_cases(const ApiRequest& request);
  ApiResponse get_case(const std::string& id, const ApiRequest& request);
  ApiResponse patch_case(const std::string& id, const ApiRequest& request, const std::string& caller);
  ApiResponse disable_case(const std::string& id, const ApiRequest& request, const std::string& caller);
  std::string issue_token();
  bool known_field(const std::string& key) const;

  std::string user_;
  std::string password_;
  int max_per_;
  mutable std::mutex mutex_;
  std::map<std::string, Case> cases_;              ///< by record id
  std::map<std::string, Millis> tokens_;           ///< token -> expiry
  std::uint64_t next_seq_ = 1;
};

}  // namespace refbridge::sandbox::detail
