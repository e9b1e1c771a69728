#pragma once
// Test support: the pilot's real payloads (../shared/fixtures/openfn-primero-progres, or the
// REFBRIDGE_FIXTURES_DIR CMake cache variable).

#include <string>

namespace refbridge::test_support {

/// The fixture file's bytes; fails the current Catch2 test when the file cannot be read.
std::string read_fixture(const std::string& name);

/// `text` with the trailing commas before '}' or ']' removed: the repair of the two fixtures
/// that are invalid JSON on purpose (getPrimeroCases.json, flow1__progresReferralConfirmation.json).
std::string without_trailing_commas(const std::string& text);

}  // namespace refbridge::test_support
