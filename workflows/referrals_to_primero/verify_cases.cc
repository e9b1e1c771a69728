// --verify for 1.1 (verify.h): each delivered intervention is one service row of the one case of
// its individual. See referrals_to_primero.h.
#include "referrals_to_primero.h"

#include <algorithm>

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

Result<VerifyFinding> verify_case(primero::Primero& primero, const LedgerRecord& row) {
  const std::string& intervention_no = row.source_key;
  if (row.target_key.empty()) return VerifyFinding{intervention_no, Verdict::kMissing, "the ledger names no case"};
  REFBRIDGE_TRY(auto matches, cases_with_id(primero, row.target_key));
  if (matches.empty()) return VerifyFinding{intervention_no, Verdict::kMissing, "case " + row.target_key + " not found in Primero"};
  if (!matches.front().id) return make_error(ErrorCode::kInvalidResponse, "listCases: a case without id");
  REFBRIDGE_TRY(auto full, primero.get_case({.id = *matches.front().id}));
  const auto& c = full.data;
  if (c.unhcr_individual_no.has_value()) {
    REFBRIDGE_TRY(auto of_child, primero.list_cases({.page = 1, .per = kPage, .unhcr_individual_no = *c.unhcr_individual_no}));
    const auto same = std::count_if(of_child.data.begin(), of_child.data.end(),
                                    [&](const primero::Case& k) { return k.unhcr_individual_no == c.unhcr_individual_no; });
    if (same > 1) {
      return VerifyFinding{intervention_no, Verdict::kDuplicated,
                           std::to_string(same) + " Primero cases have the individual of case " + row.target_key};
    }
  }
  std::size_t rows = 0;
  if (c.services_section.has_value()) {
    for (const auto& s : *c.services_section) rows += s.progres_interventionnumber == intervention_no ? 1 : 0;
  }
  if (rows == 0) return VerifyFinding{intervention_no, Verdict::kMissing, "case " + row.target_key + " has no service row for it"};
  if (rows > 1) {
    return VerifyFinding{intervention_no, Verdict::kDuplicated,
                         "case " + row.target_key + " has " + std::to_string(rows) + " service rows for it"};
  }
  return VerifyFinding{intervention_no, Verdict::kOk, {}};
}

}  // namespace

Result<VerifyReport> verify_referrals_to_primero(primero::Primero& primero, Ledger& ledger, const VerifyOptions& options) {
  return verify_delivered(ledger, "1.1", options, [&](const LedgerRecord& row) { return verify_case(primero, row); });
}

}  // namespace refbridge::workflows
