#pragma once
// Lazy page ranges for list operations (issue 3 "Paging exposed as an iterator/range that fetches
// pages lazily"). The generated `<op>_pages(request)` of a pageable operation (schema extension
// `x-refbridge-paging`, see codegen/src/paging.h) binds one of the two factories below to the
// operation; the stop rules live here, once, and are unit-tested with scripted fetch functions.
//
//   for (const auto& page : ping.list_outgoing_referrals_pages(request)) {
//     if (!page) return page.error();            // the range ends after yielding an error
//     for (const auto& summary : page.value().items) ...
//   }
//
// - One page per step: nothing is fetched when the range is built; begin() fetches the first
//   page and every ++ the next one. A single pass (an input range): begin() continues where the
//   previous iteration stopped.
// - An error (transport, HTTP, schema, or a paging-rule violation) is yielded as the last element.
// - page-number style (Primero page/per/total): pages first, first+1, ..., ceil(total / per). The
//   page size is the request's `per`, else the size of the first page (the server default); a
//   short page while the total says more items follow means the server clamped `per` (Primero
//   clamps to 1000), and that page's size is used from then on. When the page model has no
//   total, a page shorter than `per` is the last. An empty page always ends the range, so a wrong
//   total cannot make it loop.
// - page-token style (PING page tokens): the next request carries the previous page's token;
//   a missing or empty token ends the range. A token that was already used (A, B, A, ...) is a
//   kInvalidResponse error after the page that returned it, never a loop.
//
// Lifetime: the range holds the fetch function, which holds a reference to the client or fake it
// was made from; that object must outlive the range. Iterators point into the range: moving the
// range invalidates them. Not thread-safe.

#include "refbridge/error.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace refbridge {

/// A single-pass range of Result<Page>, fetched one page per step (see the file comment).
template <class Page>
class PageRange {
 public:
  /// Produces the next element, or std::nullopt when the range is over. Called once per step.
  using Step = std::function<std::optional<Result<Page>>()>;

  explicit PageRange(Step step) : step_(std::move(step)) {}

  class iterator {
   public:
    using iterator_concept = std::input_iterator_tag;
    using value_type = Result<Page>;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    /// The current page or error. Valid until the next increment.
    const Result<Page>& operator*() const { return *range_->current_; }
    const Result<Page>* operator->() const { return &*range_->current_; }
    /// Fetches the next page (or ends the range).
    iterator& operator++() {
      range_->advance();
      return *this;
    }
    void operator++(int) { range_->advance(); }
    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.at_end(); }

   private:
    friend class PageRange;
    explicit iterator(PageRange* range) : range_(range) {}
    [[nodiscard]] bool at_end() const noexcept { return range_ == nullptr || !range_->current_.has_value(); }
    PageRange* range_ = nullptr;
  };

  /// Fetches the first page on the first call; later calls continue where iteration stopped.
  iterator begin() {
    if (!started_) {
      started_ = true;
      advance();
    }
    return iterator(this);
  }
  [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

 private:
  void advance() {
    if (finished_) {
      current_.reset();
      return;
    }
    current_ = step_();
    if (!current_ || current_->has_error()) finished_ = true;  // an error is the last element
  }

  Step step_;
  std::optional<Result<Page>> current_;
  bool started_ = false;
  bool finished_ = false;
};

/// page-number style. `fetch(n)` requests page n (1-based); `item_count` counts a page's items;
/// `total` reads the number of matching items when the page carries it. `first_page` is the
/// request's page (1 when unset), `per` the request's page size (unset: the first page's size).
template <class Page>
PageRange<Page> page_number_range(std::int64_t first_page, std::optional<std::int64_t> per,
                                  std::function<Result<Page>(std::int64_t page)> fetch,
                                  std::function<std::size_t(const Page&)> item_count,
                                  std::function<std::optional<std::int64_t>(const Page&)> total) {
  struct State {
    std::int64_t next = 1;
    std::optional<std::int64_t> per;
    bool done = false;
  };
  auto st = std::make_shared<State>(State{first_page < 1 ? 1 : first_page, per, false});
  return PageRange<Page>([st, fetch = std::move(fetch), item_count = std::move(item_count),
                          total = std::move(total)]() -> std::optional<Result<Page>> {
    if (st->done) return std::nullopt;
    Result<Page> page = fetch(st->next);
    if (!page) {
      st->done = true;
      return page;
    }
    const auto count = static_cast<std::int64_t>(item_count(page.value()));
    if (!st->per || *st->per < 1) {
      if (count > 0) st->per = count;
    }
    const std::optional<std::int64_t> t = total(page.value());
    auto last_page = [&] { return (*t + *st->per - 1) / *st->per; };  // ceil(total / per)
    if (count == 0 || !st->per) {
      st->done = true;  // an empty page always ends the range
    } else if (t) {
      // A short page although more items follow: the server clamped `per`.
      if (count < *st->per && (st->next - 1) * *st->per + count < *t) st->per = count;
      if (st->next >= last_page()) st->done = true;
    } else if (count < *st->per) {
      st->done = true;
    }
    ++st->next;
    return page;
  });
}

/// page-token style. `fetch(token)` requests the page at `token` (std::nullopt: the first page);
/// `next_token` reads the page's next-page token. `first_token` is the request's token (usually
/// unset). `what` names the operation in the repeated-token error.
/// Errors (besides fetch's): kInvalidResponse "<what>: the server returned a page token a second
/// time; stopping instead of looping" (after yielding the page that carried it; the token itself
/// is opaque server data and stays out of the message).
template <class Page>
PageRange<Page> page_token_range(std::string what, std::optional<std::string> first_token,
                                 std::function<Result<Page>(const std::optional<std::string>& token)> fetch,
                                 std::function<std::optional<std::string>(const Page&)> next_token) {
  struct State {
    std::optional<std::string> token;
    std::set<std::string> seen;
    std::optional<Error> pending;  // yielded after the page that caused it
    bool done = false;
  };
  auto st = std::make_shared<State>();
  st->token = std::move(first_token);
  if (st->token && st->token->empty()) st->token.reset();
  if (st->token) st->seen.insert(*st->token);
  return PageRange<Page>([st, what = std::move(what), fetch = std::move(fetch),
                          next_token = std::move(next_token)]() -> std::optional<Result<Page>> {
    if (st->pending) {
      Error e = std::move(*st->pending);
      st->pending.reset();
      return Result<Page>(std::move(e));
    }
    if (st->done) return std::nullopt;
    Result<Page> page = fetch(st->token);
    st->done = true;
    if (!page) return page;
    std::optional<std::string> next = next_token(page.value());
    if (!next || next->empty()) return page;
    if (!st->seen.insert(*next).second) {
      st->pending = make_error(ErrorCode::kInvalidResponse,
                               what + ": the server returned a page token a second time; stopping instead of looping");
      return page;
    }
    st->token = std::move(next);
    st->done = false;
    return page;
  });
}

}  // namespace refbridge
