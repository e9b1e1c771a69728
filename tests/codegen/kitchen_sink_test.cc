// Compile-and-run test of the kitchen-sink bindings generated at build time: JSON round trip,
// required/nullable/enum rules, and the client's request shape against a fake transport.
#include "kitchen_sink/client.h"
#include "kitchen_sink/serde.h"

#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

using namespace refbridge;
using namespace refbridge::kitchen_sink;

namespace {

const char* kWidget =
    R"({"id":"w-1","count":3,"total":9007199254740993,"ratio":0.5,"active":true,"born":"2014-06-06",)"
    R"("seen_at":"2022-08-22T00:00:00Z","nickname":null,"owner":null,"tags":["a","b"],)"
    R"("parts":[{"id":"p1","weight":1.25},{"id":"p2"}],"labels":{"x":1,"y":-2},"colour":"dark_green",)"
    R"("size":"M","main_part":{"id":"m"},"spare_part":null,"extra":{"k":[1,"two",null]},"class":"c",)"
    R"("individuals.progres_id":"989-00000226","x-y":"dash","2fa":false,"unknown":{"ignored":true}})";

class FakeTransport final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest& request) override {
    last = request;
    return next;
  }
  HttpRequest last;
  HttpResponse next;
};

}  // namespace

TEST_CASE("Widget reads every member kind and round-trips", "[kitchen_sink]") {
  auto w = json::parse<Widget>(kWidget);
  INFO((w ? std::string() : w.error().message));
  REQUIRE(w);
  const Widget& v = w.value();
  CHECK(v.id == "w-1");
  CHECK(v.count == 3);
  CHECK(v.total == 9007199254740993LL);
  CHECK(v.born == CalendarDate{2014, 6, 6});
  CHECK(v.seen_at->text == "2022-08-22T00:00:00Z");
  CHECK_FALSE(v.nickname.has_value());  // null on a nullable member reads as absent
  CHECK_FALSE(v.owner.has_value());
  CHECK(v.parts->size() == 2);
  CHECK_FALSE((*v.parts)[1].weight.has_value());
  CHECK(v.labels->at("y") == -2);
  CHECK(v.colour == Colour::kDarkGreen);
  CHECK(v.class_ == "c");
  CHECK(v.individuals_progres_id == "989-00000226");
  CHECK(v.x_y == "dash");
  CHECK(v._2fa == false);
  CHECK_FALSE(v.spare_part.has_value());
  CHECK(v.extra->text == R"({"k":[1,"two",null]})");

  const std::string once = json::serialize(v);
  // Schema order, absent optionals omitted, required nullable written as null, unknown dropped.
  CHECK(once ==
        R"({"id":"w-1","count":3,"total":9007199254740993,"ratio":0.5,"active":true,"born":"2014-06-06",)"
        R"("seen_at":"2022-08-22T00:00:00Z","owner":null,"tags":["a","b"],"parts":[{"id":"p1","weight":1.25},{"id":"p2"}],)"
        R"("labels":{"x":1,"y":-2},"colour":"dark_green","size":"M","main_part":{"id":"m"},"extra":{"k":[1,"two",null]},)"
        R"("class":"c","individuals.progres_id":"989-00000226","x-y":"dash","2fa":false})");
  auto again = json::parse<Widget>(once);
  REQUIRE(again);
  CHECK(again.value() == v);
  CHECK(json::serialize(again.value()) == once);
}

TEST_CASE("reading reports the JSON path of the problem", "[kitchen_sink]") {
  auto missing = json::parse<Widget>(R"({"id":"w","count":1,"owner":null})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kInvalidInput);
  CHECK(missing.error().message == "$: missing required member 'tags'");

  auto nested = json::parse<Widget>(R"({"id":"w","count":1,"owner":"o","tags":[],"parts":[{"id":"p"},{"weight":2}]})");
  REQUIRE_FALSE(nested);
  CHECK(nested.error().message == "$.parts[1]: missing required member 'id'");

  auto required_owner = json::parse<Widget>(R"({"id":"w","count":1,"tags":[]})");
  REQUIRE_FALSE(required_owner);
  CHECK(required_owner.error().message == "$: missing required member 'owner'");

  auto null_not_allowed = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"ratio":null})");
  REQUIRE_FALSE(null_not_allowed);
  CHECK(null_not_allowed.error().message == "$.ratio: null is not allowed");

  auto bad_enum = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"colour":"blue"})");
  REQUIRE_FALSE(bad_enum);
  CHECK(bad_enum.error().message == "$.colour: not a known Colour value");

  auto bad_type = json::parse<Widget>(R"({"id":"w","count":"1","owner":null,"tags":[]})");
  REQUIRE_FALSE(bad_type);
  CHECK_THAT(bad_type.error().message, Catch::StartsWith("$.count: "));
}

TEST_CASE("enum to_string / from_string", "[kitchen_sink]") {
  CHECK(to_string(Colour::k125080001) == "125080001");
  Colour c = Colour::kRed;
  CHECK(from_string("default", c));
  CHECK(c == Colour::kDefault);
  CHECK_FALSE(from_string("DEFAULT", c));
  CHECK(c == Colour::kDefault);
}

TEST_CASE("client encodes path, query, header and body; 200 and 204 both succeed", "[kitchen_sink]") {
  FakeTransport transport;
  auto auth = make_static_bearer("token-1234");
  auto conn = ApiConnection::create("https://example.org/base", transport, *auth);
  REQUIRE(conn);
  KitchenSinkClient client(conn.value());

  AddWidgetPartRequest req;
  req.widgetId = "a/b c&d";
  req.dryRun = true;
  req.limit = 5;
  req.colour = Colour::kDarkGreen;
  req.X_Request_Id = "req-1";
  req.body.id = "w";
  req.body.count = 1;

  transport.next = HttpResponse{200, {}, R"({"id":"w","count":2,"owner":null,"tags":["t"]})"};
  auto r = client.add_widget_part(req);
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  REQUIRE(r.value().has_value());
  CHECK(r.value()->count == 2);
  CHECK(transport.last.method == HttpMethod::kPost);
  CHECK(transport.last.url == "https://example.org/base/v1/widgets/a%2Fb%20c&d/parts?dryRun=true&limit=5&colour=dark_green");
  CHECK(transport.last.body == std::optional<std::string>(R"({"id":"w","count":1,"owner":null,"tags":[]})"));
  bool saw_header = false;
  for (const auto& [k, val] : transport.last.headers) saw_header = saw_header || (k == "X-Request-Id" && val == "req-1");
  CHECK(saw_header);

  transport.next = HttpResponse{204, {}, ""};
  auto empty = client.add_widget_part(req);
  REQUIRE(empty);
  CHECK_FALSE(empty.value().has_value());

  transport.next = HttpResponse{204, {}, ""};
  auto deleted = client.delete_widget(DeleteWidgetRequest{"w"});
  REQUIRE(deleted);
  CHECK(transport.last.method == HttpMethod::kDelete);

  transport.next = HttpResponse{200, {}, R"({"id":"w"})"};
  auto invalid = client.get_widget(GetWidgetRequest{"w"});
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().code == ErrorCode::kInvalidResponse);
  CHECK_THAT(invalid.error().message, Catch::Contains("getWidget") && Catch::Contains("missing required member 'count'"));

  transport.next = HttpResponse{404, {}, R"({"title":"Not Found","status":404})"};
  auto not_found = client.get_widget(GetWidgetRequest{"w"});
  REQUIRE_FALSE(not_found);
  CHECK(not_found.error().code == ErrorCode::kNotFound);
}
