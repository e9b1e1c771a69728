#pragma once
// Indexes of the sandbox's Primero cases, so that a case search costs what it costs a database
// (issue "Fast where it counts"): the list answered by GET /api/v2/cases (PrimeroStore::list_cases,
// primero_query.cc) reads candidates from here instead of scanning every case, then applies every
// filter to the candidates as before, so the answers are exactly those of the scan.
//   - a hash index per identifier field (kIdentifierFields: unhcr_individual_no, case_id, short_id,
//     unique_identifier, ...) from the value as an exact filter reads it (scalar_text; every
//     element of an array) to the record ids holding it;
//   - an ordered index of last_updated_at (as a date-time range reads it) for range reads;
//   - the top-level member names any case has held (PrimeroStore::known_field), grow-only: cases
//     are never deleted and a member once written stays (null at worst).
// Not thread-safe: PrimeroStore reads it under a shared lock and updates it under its exclusive
// lock, after every write to a case (update()). Internal to the sandbox.

#include "support.h"

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace refbridge::sandbox::detail {

class CaseIndex {
 public:
  /// True when `field` has a hash index (an identifier field, kIdentifierFields).
  static bool hashed(std::string_view field);

  /// (Re)indexes case `record_id` whose stored document is now `doc` (a JSON object): drops the
  /// entries it had and adds those of `doc`. Call after every write to the case.
  void update(const std::string& record_id, const rapidjson::Value& doc);

  /// Record ids of the cases whose `field` (hashed()) holds any of `values` as an exact filter
  /// reads it, without duplicates, in no particular order.
  std::vector<const std::string*> exact(const std::string& field, const std::vector<std::string>& values) const;

  /// Record ids of the cases whose last_updated_at lies in [from, to] (to = nullopt: no upper
  /// bound), in milliseconds, in no particular order. Callers widen the bounds to whole seconds
  /// when the filter compares whole seconds, and filter the candidates exactly afterwards.
  std::vector<const std::string*> updated_between(Millis from, std::optional<Millis> to) const;

  /// True when some case has (or had) a top-level member named `key`.
  bool has_member(const std::string& key) const { return member_names_.count(key) != 0; }

 private:
  /// What one case is indexed under, to drop it on the next update.
  struct Entries {
    std::vector<std::pair<std::string, std::string>> exact;  ///< (field, value)
    std::optional<Millis> updated;
  };
  using Ids = std::unordered_set<std::string>;
  std::unordered_map<std::string, std::unordered_map<std::string, Ids>> exact_;  ///< field -> value -> ids
  std::multimap<Millis, std::string> updated_;                                    ///< last_updated_at -> id
  std::unordered_map<std::string, Entries> entries_;                               ///< id -> its entries
  std::unordered_set<std::string> member_names_;

  void drop(const std::string& record_id, const Entries& old);
};

}  // namespace refbridge::sandbox::detail
