// --verify for 1.1 (verify.h): each delivered intervention is one service row of the one case of
// its individual. See referrals_to_primero.h.
#include "referrals_to_primero.h"

#include <algorithm>
#include <map>

namespace refbridge::workflows {
namespace {

constexpr int kPage = 50;  // more than one case per individual is already a finding

/// The case whose case_id is `case_id`: none, one, or (a Primero fault) several.
Result<std::vector<primero::Case>> cases_with_id(primero::Primero& primero, const std::string& case_id) {
  REFBRIDGE_TRY(auto list, primero.list_cases({.page = 1, .per = kPage, .case_id = case_id}));
  std::vector<primero::Case> exact;
  for (auto& c : list.data) {
    if (c.case_id == case_id) exact.push_back(std::move(c));
  }
  return exact;
}

/// What --verify needs of one Primero case, read once however many interventions it holds: whether
/// it exists, how many cases share its individual, and its service rows per intervention number.
struct CaseFacts {
  bool found = false;
  std::int64_t cases_of_individual = 0;
  std::map<std::string, std::size_t> rows_by_intervention;
};

Result<CaseFacts> read_case(primero::Primero& primero, const std::string& case_id) {
  CaseFacts facts;
  REFBRIDGE_TRY(auto matches, cases_with_id(primero, case_id));
  if (matches.empty()) return facts;
  if (!matches.front().id) return make_error(ErrorCode::kInvalidResponse, "listCases: a case without id");
  REFBRIDGE_TRY(auto full, primero.get_case({.id = *matches.front().id}));
  const auto& c = full.data;
  facts.found = true;
  if (c.unhcr_individual_no.has_value()) {
    REFBRIDGE_TRY(auto of_child, primero.list_cases({.page = 1, .per = kPage, .unhcr_individual_no = *c.unhcr_individual_no}));
    facts.cases_of_individual = std::count_if(of_child.data.begin(), of_child.data.end(), [&](const primero::Case& k) {
      return k.unhcr_individual_no == c.unhcr_individual_no;
    });
  }
  if (c.services_section.has_value()) {
    for (const auto& s : *c.services_section) {
      if (s.progres_interventionnumber.has_value()) ++facts.rows_by_intervention[*s.progres_interventionnumber];
    }
  }
  return facts;
}

VerifyFinding verdict(const LedgerRecord& row, const CaseFacts& facts) {
  const std::string& intervention_no = row.source_key;
  if (!facts.found) return {intervention_no, Verdict::kMissing, "case " + row.target_key + " not found in Primero"};
  if (facts.cases_of_individual > 1) {
    return {intervention_no, Verdict::kDuplicated,
            std::to_string(facts.cases_of_individual) + " Primero cases have the individual of case " + row.target_key};
  }
  const auto it = facts.rows_by_intervention.find(intervention_no);
  const std::size_t rows = it == facts.rows_by_intervention.end() ? 0 : it->second;
  if (rows == 0) return {intervention_no, Verdict::kMissing, "case " + row.target_key + " has no service row for it"};
  if (rows > 1) {
    return {intervention_no, Verdict::kDuplicated, "case " + row.target_key + " has " + std::to_string(rows) + " service rows for it"};
  }
  return {intervention_no, Verdict::kOk, {}};
}

}  // namespace

Result<VerifyReport> verify_referrals_to_primero(primero::Primero& primero, Ledger& ledger, const VerifyOptions& options) {
  // Several interventions per child share one case: each case is read once (its facts are small).
  std::map<std::string, CaseFacts> cases;
  return verify_delivered(ledger, "1.1", options, [&](const LedgerRecord& row) -> Result<VerifyFinding> {
    if (row.target_key.empty()) return VerifyFinding{row.source_key, Verdict::kMissing, "the ledger names no case"};
    auto it = cases.find(row.target_key);
    if (it == cases.end()) {
      REFBRIDGE_TRY(auto facts, read_case(primero, row.target_key));
      it = cases.emplace(row.target_key, std::move(facts)).first;
    }
    return verdict(row, it->second);
  });
}

}  // namespace refbridge::workflows
