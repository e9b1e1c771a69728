#pragma once
// Test helper: splits the flat DTP intervention rows of the OpenFn fixtures (keys such as
// "individuals.progres_id", "languages.progres_languagecodeid", "interventiontype.progres_description",
// "user.title") into the PING models the transform takes, aggregating the rows of one intervention
// (the FetchXML outer joins repeat it once per language x specific need) without duplicates.

#include "fixtures.h"
#include "refbridge/mappings/progres_referral_to_primero_case.h"

#include <string>
#include <vector>

namespace refbridge::mapping_test {

using refbridge::test_support::read_fixture;

/// One Input per distinct progres_interventionnumber, in first-appearance order. `text` is either
/// {"interventions": [rows...]} or a bare array of rows. Fails the test on malformed rows.
std::vector<refbridge::mappings::ProgresReferralToPrimeroCaseInput> inputs_from_flat_rows(const std::string& text);

}  // namespace refbridge::mapping_test
