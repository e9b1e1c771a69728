// Cursor reading of Primero cases. See updated_cases.h.
#include "updated_cases.h"

#include <map>

namespace refbridge::workflows {
namespace {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

std::optional<Instant> updated_at(const primero::Case& c) {
  if (!c.last_updated_at.has_value()) return std::nullopt;
  return c.last_updated_at.value().utc;
}

}  // namespace

std::string cursor_text(Instant t) { return DateTime::from_utc(t).text; }

Result<void> read_updated_cases(primero::Primero& primero, const UpdatedCasesQuery& query,
                                const UpdatedCasesPage& on_page) {
  // Primero compares last_updated_at ranges at whole seconds (primero-api-v2.md §5.1): the lower
  // bound is always a whole second, and every case read at or after it is remembered with the
  // instant it was read at, so that re-reading that second gives nothing twice.
  Instant from = std::chrono::floor<std::chrono::seconds>(query.from);
  int page = 1;
  std::map<std::string, Instant> seen;  // id -> last_updated_at of the cases read since `from`
  for (;;) {
    primero::ListCasesRequest req;
    req.last_updated_at = cursor_text(from) + "..";
    req.order_by = "last_updated_at";
    req.order = "asc";
    req.per = query.per;
    req.page = page;
    req.associated_user_names = query.associated_user_names;
    REFBRIDGE_TRY(auto list, primero.list_cases(req));
    const bool last_page = static_cast<int>(list.data.size()) < query.per;
    std::vector<primero::Case> fresh;
    std::optional<Instant> newest;
    for (auto& c : list.data) {
      const auto at = updated_at(c);
      if (at && (!newest || *at > *newest)) newest = at;
      if (at && c.id) {
        const auto it = seen.find(*c.id);
        if (it != seen.end() && it->second == *at) continue;  // read before in this window, unchanged since
        seen[*c.id] = *at;
      }
      fresh.push_back(std::move(c));
    }
    if (!fresh.empty()) {
      if (auto handled = on_page(fresh, newest); !handled) return handled.error();
    }
    if (last_page || list.data.empty()) return ok();
    const Instant next = newest ? std::chrono::floor<std::chrono::seconds>(*newest) : from;
    if (next > from) {
      from = next;  // restart at the newest second read: later pages cannot shift under us
      page = 1;
      std::erase_if(seen, [&](const auto& entry) { return entry.second < from; });
    } else {
      ++page;  // a whole page within one second: only the page number can move on
    }
  }
}

}  // namespace refbridge::workflows
