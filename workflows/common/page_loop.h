#pragma once
// The page loop of the workflows that read a PING queue (1.1 outgoing referrals, 2.2 referral
// decisions): one page at a time, its records processed concurrently, all of them settled before
// the next page is read. Memory holds one page, and a record whose transfer or sync status this
// page changed cannot reappear on the next one (PING's keyset paging skips nothing when records
// leave the pending queue; ../shared/docs/workflows.md "common rules").

#include "cancellation.h"
#include "engine.h"
#include "executor.h"
#include "run_report.h"

#include "refbridge/error.h"
#include "refbridge/log.h"

#include <string>
#include <string_view>

namespace refbridge::workflows {

/// Processes every item of every page of `pages` (a range of Result<Page>, Page having `items`,
/// as the generated `*_pages()` operations return) with `process(item) -> RecordOutcome`, at most
/// engine.sync.concurrency at once, adding each outcome to `report`. Logs "page.read" with the
/// page number (from 1) and its item count. Stops once run_cancellation() is raised (SIGINT/SIGTERM,
/// run_timeout): the page the range already fetched is dropped unprocessed (at most one extra
/// read), and the pending queue keeps the rest for the next run. Errors: the first page that could not be read (the
/// records of the pages before it are settled by then).
template <class Pages, class Process>
Result<void> process_pages(const EngineDeps& engine, std::string_view workflow, Pages&& pages, RunReport& report,
                           Process&& process) {
  BoundedExecutor executor(engine.sync.concurrency);
  int page_number = 0;
  for (const auto& page : pages) {
    if (run_cancellation().cancelled()) break;
    ++page_number;
    if (!page) {
      executor.wait_idle();
      return page.error();
    }
    engine.log.info("page.read", {{LogKey::kWorkflow, std::string(workflow)},
                                  {LogKey::kPage, std::to_string(page_number)},
                                  {LogKey::kCount, std::to_string(page.value().items.size())}});
    for (const auto& item : page.value().items) {
      executor.submit([&process, &report, item] { report.add(process(item)); });
    }
    executor.wait_idle();
  }
  return ok();
}

}  // namespace refbridge::workflows
