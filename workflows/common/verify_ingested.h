#pragma once
// --verify for the workflows that ingest into PING (1.2 decisions, 2.1 referrals; verify.h).

#include "verify.h"

#include "refbridge/ping/client.h"

#include "refbridge/ledger.h"

#include <string>

namespace refbridge::workflows {

/// For each record of `workflow` the ledger says was delivered: its PING ingestion transaction
/// (ledger transaction_id) is known to PING (else missing), completed (else different), and has a
/// result for the record (recordKey = the ledger's target_key, or its key when none was recorded;
/// else missing) that is accepted or duplicate (else different: PING rejected it). Each transaction
/// is read once (getIngestionTransaction, a GET). Errors: the ledger's and PING's other than 404.
Result<VerifyReport> verify_ingested(ping::Ping& ping, Ledger& ledger, const std::string& workflow,
                                     const VerifyOptions& options);

}  // namespace refbridge::workflows
