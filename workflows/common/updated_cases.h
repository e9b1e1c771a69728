#pragma once
// Reading Primero cases changed since a cursor, every page, skipping none (workflows 1.2 and 2.1;
// ../shared/docs/workflows.md "1.2 step 1", "2.1 step 1"; Primero filters and paging:
// primero-api-v2.md §4, §5.1).
//
// Each request is `last_updated_at=<from>..&order_by=last_updated_at&order=asc&per=N&page=P`.
// Page numbers alone would skip a case when another case is edited during the run (it moves to the
// end and every later page shifts by one), so after each page the lower bound moves up to the
// whole second of the newest last_updated_at read and the page number restarts at 1. Primero
// compares these ranges at whole seconds (§5.1: a case updated earlier in the same second is
// included), so the bound is always a whole second and cases already read since it, at the same
// last_updated_at, are filtered out (a case edited since is read again: a new change). Only when a
// whole page lies within one second does the page number advance (without that, more than a page
// of cases in one second would be re-read for ever). The first request starts at
// `cursor - overlap` (clock skew and in-flight writes), floored to the second.
// Memory: one page of cases at a time.

#include "refbridge/primero/client.h"
#include "refbridge/error.h"
#include "refbridge/time.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace refbridge::workflows {

/// What to read.
struct UpdatedCasesQuery {
  std::chrono::sys_time<std::chrono::milliseconds> from{};  ///< inclusive lower bound, UTC
  int per = 100;                                            ///< 1..1000
  std::optional<std::string> associated_user_names;         ///< comma-separated filter (2.1), if any
};

/// Called once per page, in order; `newest` is the largest last_updated_at of the page (UTC), when
/// any case carried one. Returning an error stops the reading with that error.
using UpdatedCasesPage =
    std::function<Result<void>(std::vector<primero::Case>& cases,
                               std::optional<std::chrono::sys_time<std::chrono::milliseconds>> newest)>;

/// Reads every page (see the file comment). Errors: the first failing listCases call (transport,
/// HTTP, schema) or the first error returned by `on_page`; the pages before it were handled.
Result<void> read_updated_cases(primero::Primero& primero, const UpdatedCasesQuery& query,
                                const UpdatedCasesPage& on_page);

/// "YYYY-MM-DDTHH:MM:SS.mmmZ" (Primero's format) of an instant.
std::string cursor_text(std::chrono::sys_time<std::chrono::milliseconds> t);

}  // namespace refbridge::workflows
