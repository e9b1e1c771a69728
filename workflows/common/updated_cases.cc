// Cursor reading of Primero cases. See updated_cases.h.
#include "updated_cases.h"

#include <set>

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
  Instant from = query.from;
  int page = 1;
  std::set<std::string> seen_at_from;  // ids of cases already read whose last_updated_at == from
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
    bool all_at_from = true;
    for (auto& c : list.data) {
      const auto at = updated_at(c);
      if (at && (!newest || *at > *newest)) newest = at;
      all_at_from = all_at_from && at && *at == from;
      if (at && *at == from && c.id && seen_at_from.count(*c.id) > 0) continue;
      fresh.push_back(std::move(c));
    }
    if (!fresh.empty()) {
      if (auto handled = on_page(fresh, newest); !handled) return handled.error();
    }
    if (last_page || list.data.empty()) return ok();
    if (all_at_from) {
      ++page;  // a whole page at one instant: only the page number can move on
    } else {
      page = 1;
      if (newest && *newest > from) {
        from = *newest;
        seen_at_from.clear();
      }
    }
    for (const auto& c : fresh) {
      if (updated_at(c) == std::optional<Instant>(from) && c.id) seen_at_from.insert(*c.id);
    }
  }
}

}  // namespace refbridge::workflows
