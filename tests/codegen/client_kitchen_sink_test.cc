// Compile-and-run test of the kitchen-sink client surface generated at build time: the abstract
// KitchenSink interface, KitchenSinkClient's page ranges over a scripted transport (requests,
// laziness, stop rules, errors), and FakeKitchenSink (slots, call records, paging through a fake).
#include "kitchen_sink/client.h"
#include "kitchen_sink/fake.h"
#include "kitchen_sink/serde.h"

#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <type_traits>
#include <vector>

using namespace refbridge;
using namespace refbridge::kitchen_sink;

namespace {

// Answers queued responses in order and records every request URL.
class ScriptedTransport final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest& request) override {
    urls.push_back(request.url);
    if (answers.empty()) return make_error(ErrorCode::kInternal, "script exhausted");
    HttpResponse r = answers.front();
    answers.pop_front();
    return r;
  }
  std::deque<HttpResponse> answers;
  std::vector<std::string> urls;
};

// A Widget page: `parts` ids, optional total, optional next token (nickname).
std::string widget(const std::vector<std::string>& parts, const std::string& extra = "") {
  std::string items;
  for (const auto& p : parts) items += (items.empty() ? "" : ",") + std::string(R"({"id":")") + p + R"("})";
  return R"({"id":"w","count":1,"owner":null,"tags":[],"parts":[)" + items + "]" + extra + "}";
}

std::string tags_page(const std::string& tag, const std::string& next_json) {
  return R"({"id":"w","count":1,"owner":null,"tags":[")" + tag + R"("],"nickname":)" + next_json + "}";
}

struct Http {
  ScriptedTransport transport;
  std::unique_ptr<Authenticator> auth = make_static_bearer("token-1234");
  // One attempt per call: these tests count requests (in-call retries are tested below).
  ApiConnection conn =
      ApiConnection::create("https://example.org/base", transport, *auth, {.policy = RetryPolicy::no_retry()}).value();
  KitchenSinkClient client{conn};
};

// A client whose connection retries (default policy) with a recording sleeper instead of sleeping.
struct RetryingHttp {
  ScriptedTransport transport;
  std::unique_ptr<Authenticator> auth = make_static_bearer("token-1234");
  std::vector<std::chrono::milliseconds> waits;
  ApiConnection conn = ApiConnection::create("https://example.org/base", transport, *auth,
                                             {.sleep = [this](std::chrono::milliseconds d) {
                                               waits.push_back(d);
                                               return true;
                                             }})
                           .value();
  KitchenSinkClient client{conn};
};

}  // namespace

TEST_CASE("the interface is abstract and both implementations derive from it", "[kitchen_sink][client]") {
  STATIC_REQUIRE(std::is_abstract_v<KitchenSink>);
  STATIC_REQUIRE(std::is_base_of_v<KitchenSink, KitchenSinkClient>);
  STATIC_REQUIRE(std::is_base_of_v<KitchenSink, FakeKitchenSink>);
  STATIC_REQUIRE(std::has_virtual_destructor_v<KitchenSink>);
  STATIC_REQUIRE(std::is_same_v<AddWidgetPartRequest::ErrorBody, Problem>);
  STATIC_REQUIRE(std::is_same_v<ListWidgetPartsRequest::ErrorBody, Problem>);
  STATIC_REQUIRE(std::is_same_v<decltype(std::declval<KitchenSink&>().list_widget_parts_pages({})), PageRange<Widget>>);
}

TEST_CASE("page-number range over HTTP: lazy, page/per in the query, stops at ceil(total/per)", "[kitchen_sink][client]") {
  Http h;
  h.transport.answers = {{200, {}, widget({"p1", "p2"}, R"(,"total":5)")},
                         {200, {}, widget({"p3", "p4"}, R"(,"total":5)")},
                         {200, {}, widget({"p5"}, R"(,"total":5)")}};
  KitchenSink& api = h.client;
  auto range = api.list_widget_parts_pages({.widgetId = "a/b", .per = 2});
  CHECK(h.transport.urls.empty());
  std::vector<std::string> ids;
  for (const auto& page : range) {
    REQUIRE(page);
    for (const auto& part : *page.value().parts) ids.push_back(part.id);
  }
  CHECK(ids == std::vector<std::string>{"p1", "p2", "p3", "p4", "p5"});
  CHECK(h.transport.urls == std::vector<std::string>{"https://example.org/base/v1/widgets/a%2Fb/parts?page=1&per=2",
                                                     "https://example.org/base/v1/widgets/a%2Fb/parts?page=2&per=2",
                                                     "https://example.org/base/v1/widgets/a%2Fb/parts?page=3&per=2"});
}

TEST_CASE("page-number range over HTTP: an error status is yielded and ends the range", "[kitchen_sink][client]") {
  Http h;
  h.transport.answers = {{200, {}, widget({"p1"}, R"(,"total":3)")},
                         {503, {}, R"({"title":"Service Unavailable","detail":"maintenance"})"}};
  int pages = 0;
  std::vector<Error> errors;
  for (const auto& page : h.client.list_widget_parts_pages({.widgetId = "w", .page = 1, .per = 1})) {
    ++pages;
    if (!page) errors.push_back(page.error());
  }
  CHECK(pages == 2);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == ErrorCode::kServerError);
  CHECK(errors[0].http_status == 503);
  CHECK(h.transport.urls.size() == 2);
}

TEST_CASE("page-token range over HTTP follows the nullable next token", "[kitchen_sink][client]") {
  Http h;
  h.transport.answers = {{200, {}, tags_page("a", R"("t 2")")}, {200, {}, tags_page("b", "null")}};
  std::vector<std::string> tags;
  for (const auto& page : h.client.list_widget_tags_pages({.widgetId = "w"})) {
    REQUIRE(page);
    tags.insert(tags.end(), page.value().tags.begin(), page.value().tags.end());
  }
  CHECK(tags == std::vector<std::string>{"a", "b"});
  CHECK(h.transport.urls == std::vector<std::string>{"https://example.org/base/v1/widgets/w/tags",
                                                     "https://example.org/base/v1/widgets/w/tags?cursor=t%202"});
}

TEST_CASE("FakeKitchenSink answers from its slots and records every request", "[kitchen_sink][fake]") {
  FakeKitchenSink fake;
  auto missing = fake.get_widget({.widgetId = "w1"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kInternal);
  CHECK(missing.error().message == "FakeKitchenSink::get_widget has no handler");

  fake.get_widget_handler = [](const GetWidgetRequest& req) -> Result<Widget> {
    if (req.widgetId == "gone") return make_error(ErrorCode::kNotFound, "no widget", 404);
    return json::parse<Widget>(widget({"p"}));
  };
  fake.delete_widget_handler = [](const DeleteWidgetRequest&) -> Result<NoContent> { return NoContent{}; };
  KitchenSink& api = fake;  // code under test sees only the interface
  CHECK(api.get_widget({.widgetId = "w2"}));
  CHECK(api.get_widget({.widgetId = "gone"}).error().code == ErrorCode::kNotFound);
  CHECK(api.delete_widget({.widgetId = "w3"}));

  REQUIRE(fake.get_widget_calls.size() == 3);
  CHECK(fake.get_widget_calls[0].widgetId == "w1");
  CHECK(fake.get_widget_calls[2].widgetId == "gone");
  REQUIRE(fake.delete_widget_calls.size() == 1);
  CHECK(fake.delete_widget_calls[0].widgetId == "w3");
  CHECK(fake.calls == std::vector<std::string>{"getWidget", "getWidget", "getWidget", "deleteWidget"});
  fake.clear_calls();
  CHECK(fake.calls.empty());
  CHECK(fake.get_widget_calls.empty());
  CHECK(static_cast<bool>(fake.get_widget_handler));  // handlers stay
}

TEST_CASE("paging a fake goes through its slot, a repeated token is an error, not a loop", "[kitchen_sink][fake]") {
  FakeKitchenSink fake;
  fake.list_widget_tags_handler = [](const ListWidgetTagsRequest& req) {
    // Page "first" -> token "x"; every later page points to "x" again.
    return json::parse<Widget>(tags_page(req.cursor.value_or("first"), R"("x")"));
  };
  std::vector<std::string> tags;
  std::vector<Error> errors;
  for (const auto& page : fake.list_widget_tags_pages({.widgetId = "w"})) {
    if (!page) {
      errors.push_back(page.error());
      continue;
    }
    tags.insert(tags.end(), page.value().tags.begin(), page.value().tags.end());
  }
  CHECK(tags == std::vector<std::string>{"first", "x"});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == ErrorCode::kInvalidResponse);
  CHECK(errors[0].message ==
        "listWidgetTags: the server returned a page token a second time; stopping instead of looping");
  REQUIRE(fake.list_widget_tags_calls.size() == 2);
  CHECK_FALSE(fake.list_widget_tags_calls[0].cursor);
  CHECK(fake.list_widget_tags_calls[1].cursor == std::optional<std::string>("x"));

  fake.list_widget_parts_handler = [](const ListWidgetPartsRequest& req) {
    return json::parse<Widget>(*req.page == 1 ? widget({"a", "b"}) : widget({"c"}));  // no total: short page ends
  };
  std::size_t parts = 0;
  for (const auto& page : fake.list_widget_parts_pages({.widgetId = "w", .per = 2})) parts += page.value().parts->size();
  CHECK(parts == 3);
  CHECK(fake.list_widget_parts_calls.size() == 2);
}

TEST_CASE("generated client: a GET is retried after 503, a non-idempotent POST is not repeated after 500",
          "[kitchen_sink][client][retry]") {
  RetryingHttp h;
  h.transport.answers = {{503, {}, R"({"title":"Service Unavailable"})"}, {200, {}, widget({"p1"})}};
  auto got = h.client.get_widget({.widgetId = "w"});
  REQUIRE(got);
  CHECK(h.transport.urls.size() == 2);
  CHECK(h.waits.size() == 1);

  RetryingHttp post;
  post.transport.answers = {{500, {}, R"({"title":"Internal"})"}, {200, {}, widget({})}};
  AddWidgetPartRequest req;
  req.widgetId = "w";
  req.X_Request_Id = "r-1";
  req.body.id = "w";
  req.body.count = 1;
  auto added = post.client.add_widget_part(req);
  REQUIRE_FALSE(added);
  CHECK(added.error().http_status == 500);
  CHECK(post.transport.urls.size() == 1);
  CHECK(post.waits.empty());

  // The same POST after a 429 is repeated: the server refused it without acting on it.
  RetryingHttp limited;
  limited.transport.answers = {{429, {{"Retry-After", "1"}}, "{}"}, {200, {}, widget({})}};
  REQUIRE(limited.client.add_widget_part(req));
  CHECK(limited.transport.urls.size() == 2);
  CHECK(limited.waits == std::vector<std::chrono::milliseconds>{std::chrono::seconds(1)});
}
