// refbridge/paging.h with scripted fetch functions: laziness, stop rules of both styles, errors
// ending the range, and the repeated-token guard.
#include "refbridge/paging.h"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace refbridge;

namespace {

struct NumberedPage {
  std::vector<int> items;
  std::optional<std::int64_t> total;
};

struct TokenPage {
  std::vector<int> items;
  std::optional<std::string> next;
};

// Serves `total` items [0, total) in pages of min(per, clamp); records the requested pages.
struct NumberServer {
  std::int64_t total = 0;
  std::int64_t clamp = 1000;
  bool send_total = true;
  std::vector<std::int64_t> requested;

  Result<NumberedPage> fetch(std::int64_t page, std::int64_t per) {
    requested.push_back(page);
    const std::int64_t size = std::min(per, clamp);
    NumberedPage p;
    for (std::int64_t i = (page - 1) * size; i < std::min(total, page * size); ++i) p.items.push_back(static_cast<int>(i));
    if (send_total) p.total = total;
    return p;
  }
};

PageRange<NumberedPage> numbered(NumberServer& server, std::int64_t first, std::optional<std::int64_t> per,
                                 std::int64_t server_default = 20) {
  return page_number_range<NumberedPage>(
      first, per,
      [&server, per, server_default](std::int64_t n) { return server.fetch(n, per.value_or(server_default)); },
      [](const NumberedPage& p) { return p.items.size(); }, [](const NumberedPage& p) { return p.total; });
}

// Pages 0..n-1 chained by token; `tokens[i]` is page i's next token.
struct TokenServer {
  std::map<std::string, std::size_t> index;  // token -> page
  std::vector<std::optional<std::string>> next;
  std::vector<std::optional<std::string>> requested;
  std::optional<std::size_t> fail_at;

  Result<TokenPage> fetch(const std::optional<std::string>& token) {
    requested.push_back(token);
    const std::size_t i = token ? index.at(*token) : 0;
    if (fail_at && *fail_at == i) return make_error(ErrorCode::kServerError, "HTTP 503", 503);
    return TokenPage{{static_cast<int>(i)}, next.at(i)};
  }
};

PageRange<TokenPage> tokened(TokenServer& server, std::optional<std::string> first = std::nullopt) {
  return page_token_range<TokenPage>(
      "listThings", std::move(first), [&server](const std::optional<std::string>& t) { return server.fetch(t); },
      [](const TokenPage& p) { return p.next; });
}

template <class Page>
std::vector<int> all_items(PageRange<Page>& range, std::vector<Error>* errors = nullptr) {
  std::vector<int> out;
  for (const auto& page : range) {
    if (!page) {
      if (errors) errors->push_back(page.error());
      continue;
    }
    out.insert(out.end(), page.value().items.begin(), page.value().items.end());
  }
  return out;
}

}  // namespace

TEST_CASE("page-number range fetches lazily, one page per step", "[paging]") {
  NumberServer server{.total = 5};
  auto range = numbered(server, 1, 2);
  CHECK(server.requested.empty());
  auto it = range.begin();
  CHECK(server.requested == std::vector<std::int64_t>{1});
  REQUIRE(it != range.end());
  CHECK(it->value().items == std::vector<int>{0, 1});
  ++it;
  CHECK(server.requested == std::vector<std::int64_t>{1, 2});
  ++it;
  REQUIRE(it != range.end());
  CHECK((*it).value().items == std::vector<int>{4});
  ++it;
  CHECK(it == range.end());
  CHECK(server.requested == std::vector<std::int64_t>{1, 2, 3});  // ceil(5 / 2) = 3, no 4th request
}

TEST_CASE("page-number range stops at ceil(total / per)", "[paging]") {
  SECTION("exact multiple") {
    NumberServer server{.total = 6};
    auto range = numbered(server, 1, 3);
    CHECK(all_items(range) == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(server.requested == std::vector<std::int64_t>{1, 2});
  }
  SECTION("no items: one page") {
    NumberServer server{.total = 0};
    auto range = numbered(server, 1, 3);
    CHECK(all_items(range).empty());
    CHECK(server.requested == std::vector<std::int64_t>{1});
  }
  SECTION("unset per: the first page's size (server default)") {
    NumberServer server{.total = 45};
    auto range = numbered(server, 1, std::nullopt, 20);
    CHECK(all_items(range).size() == 45);
    CHECK(server.requested == std::vector<std::int64_t>{1, 2, 3});
  }
  SECTION("a server that clamps per") {
    NumberServer server{.total = 25, .clamp = 10};
    auto range = numbered(server, 1, 50);
    CHECK(all_items(range).size() == 25);
    CHECK(server.requested == std::vector<std::int64_t>{1, 2, 3});
  }
  SECTION("starting later") {
    NumberServer server{.total = 7};
    auto range = numbered(server, 3, 2);
    CHECK(all_items(range) == std::vector<int>{4, 5, 6});
    CHECK(server.requested == std::vector<std::int64_t>{3, 4});
  }
  SECTION("without a total a short page is the last") {
    NumberServer server{.total = 5, .send_total = false};
    auto range = numbered(server, 1, 2);
    CHECK(all_items(range).size() == 5);
    CHECK(server.requested == std::vector<std::int64_t>{1, 2, 3});
  }
  SECTION("a total that lies cannot loop: an empty page ends the range") {
    NumberServer server{.total = 4};
    auto range = page_number_range<NumberedPage>(
        1, 2, [&server](std::int64_t n) { return server.fetch(n, 2); },
        [](const NumberedPage& p) { return p.items.size(); },
        [](const NumberedPage&) { return std::optional<std::int64_t>(1000); });
    CHECK(all_items(range).size() == 4);
    CHECK(server.requested == std::vector<std::int64_t>{1, 2, 3});
  }
}

TEST_CASE("an error is yielded and ends the range", "[paging]") {
  int calls = 0;
  auto range = page_number_range<NumberedPage>(
      1, 1,
      [&calls](std::int64_t n) -> Result<NumberedPage> {
        ++calls;
        if (n == 2) return make_error(ErrorCode::kServerError, "HTTP 503", 503);
        return NumberedPage{{static_cast<int>(n)}, 10};
      },
      [](const NumberedPage& p) { return p.items.size(); }, [](const NumberedPage& p) { return p.total; });
  std::vector<Error> errors;
  CHECK(all_items(range, &errors) == std::vector<int>{1});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == ErrorCode::kServerError);
  CHECK(calls == 2);
}

TEST_CASE("page-token range follows tokens until absent", "[paging]") {
  TokenServer server;
  server.index = {{"t1", 1}, {"t2", 2}};
  server.next = {"t1", "t2", std::nullopt};
  auto range = tokened(server);
  CHECK(server.requested.empty());
  CHECK(all_items(range) == std::vector<int>{0, 1, 2});
  CHECK(server.requested == std::vector<std::optional<std::string>>{std::nullopt, "t1", "t2"});
  // Single pass: iterating again yields nothing and fetches nothing.
  CHECK(all_items(range).empty());
  CHECK(server.requested.size() == 3);
}

TEST_CASE("page-token range: an empty token ends it, a request token starts later", "[paging]") {
  TokenServer server;
  server.index = {{"t1", 1}};
  server.next = {"t1", std::string()};
  auto range = tokened(server, "t1");
  CHECK(all_items(range) == std::vector<int>{1});
  CHECK(server.requested == std::vector<std::optional<std::string>>{"t1"});
}

TEST_CASE("page-token range: a repeated token is an error after its page, not a loop", "[paging]") {
  TokenServer server;
  server.index = {{"a", 1}, {"b", 2}};
  server.next = {"a", "b", "a"};  // page 2 points back to page 1
  auto range = tokened(server);
  std::vector<Error> errors;
  CHECK(all_items(range, &errors) == std::vector<int>{0, 1, 2});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == ErrorCode::kInvalidResponse);
  CHECK(errors[0].message == "listThings: the server returned a page token a second time; stopping instead of looping");
  CHECK(server.requested.size() == 3);

  TokenServer same;
  same.index = {{"x", 1}};
  same.next = {"x", "x"};  // the same token twice in a row
  auto again = tokened(same);
  errors.clear();
  CHECK(all_items(again, &errors) == std::vector<int>{0, 1});
  CHECK(errors.size() == 1);
}

TEST_CASE("page-token range: a fetch error ends it", "[paging]") {
  TokenServer server;
  server.index = {{"t1", 1}, {"t2", 2}};
  server.next = {"t1", "t2", std::nullopt};
  server.fail_at = 1;
  auto range = tokened(server);
  std::vector<Error> errors;
  CHECK(all_items(range, &errors) == std::vector<int>{0});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].http_status == 503);
  CHECK(server.requested.size() == 2);
}

TEST_CASE("PageRange iterator models std::input_iterator", "[paging]") {
  STATIC_REQUIRE(std::input_iterator<PageRange<TokenPage>::iterator>);
  STATIC_REQUIRE(std::sentinel_for<std::default_sentinel_t, PageRange<TokenPage>::iterator>);
}
