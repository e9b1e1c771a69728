#pragma once
// The page loop of the workflows that read a PING queue (1.1 outgoing referrals, 2.2 referral
// decisions): one page at a time, its records processed concurrently, all of them settled before
// the next page is read. Memory holds one page, and a record whose transfer or sync status this
// page changed cannot reappear on the next one (PING's keyset paging skips nothing when records
// leave the pending queue; ../shared/docs/workflows.md "common rules").

#include "cancellation.h"
#include "engine.h"
#include "executor.h"
#include "record_book.h"
#include "run_report.h"

#include "refbridge/error.h"
#include "refbridge/log.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge::workflows {

/// One record of a PING queue, as listed.
struct QueueItem {
  std::string key;        ///< ledger source_key (progres_interventionnumber, incoming referral id)
  std::string source_id;  ///< ledger source_id (the id the record is re-read with)
  std::string order_key;  ///< records with equal order keys never run at the same time (may be empty)
  std::string parent_id;  ///< an id of the listing the steps need, not reported (1.1: progres_individualid)
  std::map<std::string, std::string> ids;  ///< report ids known from the listing
  /// An operator asked for this retry (refbridge-ledger retry; refbridge/ledger.h kRetryByHandRule):
  /// the steps process the record even though its source no longer holds it as pending.
  bool by_hand = false;
};

/// Processes every item of every page of `pages` (a range of Result<Page>, Page having `items`,
/// as the generated `*_pages()` operations return): `to_item(summary) -> QueueItem`, then
/// `process(item) -> std::optional<RecordOutcome>` (nullopt: not charged, nothing reported), at
/// most engine.sync.concurrency at once, ordered by QueueItem::order_key (executor.h), adding each
/// outcome to `report`. Logs "page.read" with the page number (from 1) and its item count. Stops
/// once run_cancellation() is raised (SIGINT/SIGTERM, run_timeout) or the run guard stopped the
/// run (run_guard.h): the page the range already fetched is dropped unprocessed (at most one
/// extra read), and the pending queue keeps the rest for the next run. Errors: the first page that
/// could not be read (the records of the pages before it are settled by then).
template <class Pages, class ToItem, class Process>
Result<void> process_pages(const EngineDeps& engine, RecordBook& book, Pages&& pages, RunReport& report,
                           ToItem&& to_item, Process&& process) {
  BoundedExecutor executor(engine.sync.concurrency, &run_cancellation(), &book.guard().token());
  int page_number = 0;
  for (const auto& page : pages) {
    if (run_cancellation().cancelled() || book.guard().stopped()) break;
    ++page_number;
    if (!page) {
      executor.wait_idle();
      return page.error();
    }
    engine.log.info("page.read", {{LogKey::kWorkflow, book.workflow()},
                                  {LogKey::kPage, std::to_string(page_number)},
                                  {LogKey::kCount, std::to_string(page.value().items.size())}});
    for (const auto& summary : page.value().items) {
      QueueItem item = to_item(summary);
      std::string order_key = item.order_key;
      executor.submit(order_key, [&process, &report, item = std::move(item)] {
        if (auto outcome = process(item)) report.add(std::move(*outcome));
      });
    }
    executor.wait_idle();
  }
  return ok();
}

}  // namespace refbridge::workflows
