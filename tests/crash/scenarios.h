#pragma once
// The four crash-test scenarios (fixtures plus a few synthetic records each, shaped like real
// data: several interventions per child, several referrals and decisions per case), at a given
// sync.concurrency. Shared by crash_test.cc and overlap_test.cc.
#include "crash_lab.h"

namespace refbridge::crash_test {

Scenario referrals_to_primero(int concurrency = 1);
Scenario decisions_to_progres(int concurrency = 1);
Scenario referrals_to_progres(int concurrency = 1);
Scenario decisions_to_primero(int concurrency = 1);

}  // namespace refbridge::crash_test
