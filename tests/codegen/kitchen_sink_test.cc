// Compile-and-run test of the kitchen-sink bindings generated at build time: JSON round trip,
// required/nullable/enum rules, and the client's request shape against a fake transport.
#include "kitchen_sink/client.h"
#include "kitchen_sink/serde.h"

#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <type_traits>
#include <variant>

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
  CHECK(v.nickname.is_null());  // null on a nullable member is its own state
  CHECK_FALSE(v.nickname.has_value());
  CHECK(v.owner.is_null());
  CHECK(v.parts->size() == 2);
  CHECK_FALSE((*v.parts)[1].weight.has_value());
  CHECK(v.labels->at("y") == -2);
  CHECK(*v.colour == Colour::kDarkGreen);
  CHECK(*v.size == WidgetSize::kM);
  CHECK(v.class_ == "c");
  CHECK(v.individuals_progres_id == "989-00000226");
  CHECK(v.x_y == "dash");
  CHECK(v._2fa == false);
  CHECK(v.spare_part.is_null());
  CHECK(v.extra->text == R"({"k":[1,"two",null]})");
  REQUIRE(v.unknown_members_.size() == 1);
  CHECK(v.unknown_members_.find("unknown")->value.text == R"({"ignored":true})");

  const std::string once = json::serialize(v);
  // Schema order, absent members omitted, nulls kept, defaults written, unknown members last.
  CHECK(once ==
        R"({"id":"w-1","count":3,"total":9007199254740993,"ratio":0.5,"active":true,"born":"2014-06-06",)"
        R"("seen_at":"2022-08-22T00:00:00Z","nickname":null,"owner":null,"tags":["a","b"],"parts":[{"id":"p1","weight":1.25},{"id":"p2"}],)"
        R"("labels":{"x":1,"y":-2},"colour":"dark_green","size":"M","main_part":{"id":"m"},"spare_part":null,"extra":{"k":[1,"two",null]},)"
        R"("class":"c","individuals.progres_id":"989-00000226","x-y":"dash","2fa":false,)"
        R"("retries":3,"mode":"fast","tint":"red","enabled":true,"note":null,"unknown":{"ignored":true}})");
  auto again = json::parse<Widget>(once);
  REQUIRE(again);
  CHECK(again.value() == v);
  CHECK(json::serialize(again.value()) == once);
}

TEST_CASE("names: keywords, macro names, dots, dashes and leading digits are legalised", "[kitchen_sink][names]") {
  auto w = json::parse<Widget>(
      R"({"id":"w","count":1,"owner":"o","tags":[],"major":4294967296,"stderr":"e","co_await":"c","percent":100})");
  INFO((w ? std::string() : w.error().message));
  REQUIRE(w);
  CHECK(w.value().major_ == 4294967296LL);  // unbounded integer: int64
  CHECK(w.value().stderr_ == "e");
  CHECK(w.value().co_await_ == "c");
  static_assert(std::is_same_v<decltype(Widget::percent), std::optional<std::int32_t>>, "bounded integer is int32");
  static_assert(std::is_same_v<decltype(Widget::major_), std::optional<std::int64_t>>);
  CHECK(json::serialize(w.value()).find(R"("major":4294967296,"stderr":"e","co_await":"c","percent":100)") != std::string::npos);
}

TEST_CASE("Nullable: absent, null and value are three states that round-trip", "[kitchen_sink][nullable]") {
  static_assert(std::is_same_v<decltype(Widget::owner), Nullable<std::string>>);
  static_assert(std::is_same_v<decltype(Widget::spare_part), Nullable<Part>>);
  static_assert(std::is_same_v<decltype(Widget::shade), Nullable<OpenEnum<WidgetShade>>>);
  const std::string base = R"({"id":"w","count":1,"owner":"o","tags":[])";
  auto absent = json::parse<Widget>(base + "}");
  auto null = json::parse<Widget>(base + R"(,"nickname":null,"shade":null})");
  auto value = json::parse<Widget>(base + R"(,"nickname":"nick","shade":"dark"})");
  REQUIRE(absent);
  REQUIRE(null);
  REQUIRE(value);
  CHECK(absent.value().nickname.is_absent());
  CHECK(null.value().nickname.is_null());
  CHECK(value.value().nickname == "nick");
  CHECK(value.value().shade == WidgetShade::kDark);
  CHECK(null.value().shade.is_null());
  CHECK(json::serialize(absent.value()).find("nickname") == std::string::npos);
  CHECK(json::serialize(null.value()).find(R"("nickname":null)") != std::string::npos);
  CHECK(json::serialize(null.value()).find(R"("shade":null)") != std::string::npos);
  CHECK(json::serialize(value.value()).find(R"("nickname":"nick")") != std::string::npos);
  CHECK(json::serialize(value.value()).find(R"("shade":"dark")") != std::string::npos);
  CHECK_FALSE(absent.value() == null.value());

  // A required nullable member written absent is omitted; read back it is missing.
  Widget w;
  w.id = "w";
  w.count = 1;
  const std::string text = json::serialize(w);
  CHECK(text.find("owner") == std::string::npos);
  auto back = json::parse<Widget>(text);
  REQUIRE_FALSE(back);
  CHECK(back.error().message == "$: missing required member 'owner'");
  w.owner = Nullable<std::string>::null();
  CHECK(json::serialize(w).find(R"("owner":null)") != std::string::npos);
}

TEST_CASE("OpenEnum: unknown text is kept and written back unchanged", "[kitchen_sink][enum]") {
  auto w = json::parse<Widget>(
      R"({"id":"w","count":1,"owner":null,"tags":[],"colour":"blue","size":"XXL","sizes":["XS","unknown","mega"],"tint":"dark_green"})");
  INFO((w ? std::string() : w.error().message));
  REQUIRE(w);
  const Widget& v = w.value();
  CHECK(*v.colour == Colour::kUnknown);
  CHECK(v.colour->text() == "blue");
  CHECK(v.colour->is_unknown());
  CHECK(v.size->value() == WidgetSize::kUnknown);
  CHECK(v.size->text() == "XXL");
  REQUIRE(v.sizes->size() == 3);
  CHECK((*v.sizes)[0] == WidgetSizes::kXs);
  CHECK((*v.sizes)[1] == WidgetSizes::kUnknown_);  // the listed value "unknown"
  CHECK((*v.sizes)[1].text() == "unknown");
  CHECK((*v.sizes)[2] == WidgetSizes::kUnknown);  // not listed
  CHECK((*v.sizes)[2].text() == "mega");
  CHECK(v.tint == Colour::kDarkGreen);
  const std::string text = json::serialize(v);
  CHECK(text.find(R"("colour":"blue")") != std::string::npos);
  CHECK(text.find(R"("size":"XXL")") != std::string::npos);
  CHECK(text.find(R"("sizes":["XS","unknown","mega"])") != std::string::npos);
  auto again = json::parse<Widget>(text);
  REQUIRE(again);
  CHECK(again.value() == v);

  auto not_a_string = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"colour":1})");
  REQUIRE_FALSE(not_a_string);
  CHECK(not_a_string.error().message == "$.colour: expected a string");
}

TEST_CASE("unknown members round-trip in document order after the known ones", "[kitchen_sink]") {
  const std::string text = R"({"z_custom":[1,{"a":null}],"id":"w","count":1,"owner":null,"tags":[],"a_custom":"x","m\"q":true})";
  auto w = json::parse<Widget>(text);
  REQUIRE(w);
  const auto& u = w.value().unknown_members_;
  REQUIRE(u.size() == 3);
  auto it = u.begin();
  CHECK(it->name == "z_custom");
  CHECK(it->value.text == R"([1,{"a":null}])");
  CHECK((++it)->name == "a_custom");
  CHECK((++it)->name == "m\"q");
  CHECK(json::serialize(w.value()) ==
        R"({"id":"w","count":1,"owner":null,"tags":[],"retries":3,"mode":"fast","tint":"red","enabled":true,"note":null,)"
        R"("z_custom":[1,{"a":null}],"a_custom":"x","m\"q":true})");
  // nested models keep theirs too
  auto nested = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"main_part":{"id":"m","colour":"x"}})");
  REQUIRE(nested);
  CHECK(nested.value().main_part->unknown_members_.find("colour") != nullptr);
  CHECK(json::serialize(nested.value()).find(R"("main_part":{"id":"m","colour":"x"})") != std::string::npos);
}

TEST_CASE("additionalProperties: false keeps unknown members out (a read error with its path)", "[kitchen_sink]") {
  auto ok = json::parse<Strict>(R"({"a":"x"})");
  REQUIRE(ok);
  CHECK(ok.value().unknown_members_.empty());
  auto bad = json::parse<Strict>(R"({"a":"x","b":1})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "$.b: member not allowed (additionalProperties: false)");
}

TEST_CASE("defaults: member initialisers, applied when absent, overridden when present", "[kitchen_sink]") {
  const Widget fresh;
  CHECK(fresh.retries == 3);
  CHECK(fresh.mode == "fast");
  CHECK(fresh.tint == Colour::kRed);
  CHECK(fresh.enabled == true);
  CHECK(fresh.note.is_null());
  auto w = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"retries":7,"note":"n"})");
  REQUIRE(w);
  CHECK(w.value().retries == 7);
  CHECK(w.value().mode == "fast");
  CHECK(w.value().note == "n");
  auto dog = json::parse<Dog>(R"({"kind":"dog","name":"Rex"})");
  REQUIRE(dog);
  CHECK(dog.value().good == true);
}

TEST_CASE("allOf flattens every part into one struct, in order", "[kitchen_sink][allOf]") {
  Cat cat;
  cat.kind = "cat";
  cat.name = "Tom";
  cat.lives = 9;
  CHECK(json::serialize(cat) == R"({"kind":"cat","name":"Tom","lives":9})");
  auto missing = json::parse<Cat>(R"({"kind":"cat","name":"Tom"})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "$: missing required member 'lives'");  // required of the inline part
  auto no_name = json::parse<Dog>(R"({"kind":"dog"})");
  REQUIRE_FALSE(no_name);
  CHECK(no_name.error().message == "$: missing required member 'name'");  // required of the $ref part
  static_assert(std::is_same_v<decltype(Widget::base), std::optional<Part>>);
}

TEST_CASE("oneOf + discriminator reads the alternative, keeps unknown values verbatim", "[kitchen_sink][variant]") {
  static_assert(std::is_same_v<Pet, std::variant<Cat, Dog, Bird, json::RawJson>>);
  static_assert(std::is_same_v<decltype(Widget::pet), std::optional<WidgetPet>>);
  auto pets = json::parse<std::vector<Pet>>(
      R"([{"kind":"cat","name":"Tom","lives":9},{"kind":"dog","name":"Rex","good":false},{"kind":"Bird","wings":2},)"
      R"({"kind":"fish","fins":3,"name":"Nemo"}])");
  INFO((pets ? std::string() : pets.error().message));
  REQUIRE(pets);
  const auto& p = pets.value();
  REQUIRE(p.size() == 4);
  REQUIRE(std::holds_alternative<Cat>(p[0]));
  CHECK(std::get<Cat>(p[0]).lives == 9);
  REQUIRE(std::holds_alternative<Dog>(p[1]));
  CHECK(std::get<Dog>(p[1]).good == false);
  REQUIRE(std::holds_alternative<Bird>(p[2]));  // unmapped alternative: selected by its schema name
  CHECK(std::get<Bird>(p[2]).wings == 2);
  REQUIRE(std::holds_alternative<json::RawJson>(p[3]));  // unknown discriminator value
  CHECK(std::get<json::RawJson>(p[3]).text == R"({"kind":"fish","fins":3,"name":"Nemo"})");
  CHECK(json::serialize(p) ==
        R"([{"kind":"cat","name":"Tom","lives":9},{"kind":"dog","name":"Rex","good":false},{"kind":"Bird","wings":2},)"
        R"({"kind":"fish","fins":3,"name":"Nemo"}])");

  auto member = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"pet":{"kind":"Dog","name":"Rex"},)"
                                    R"("pets":[{"kind":"cat","name":"Tom","lives":1}]})");
  REQUIRE(member);
  REQUIRE(std::holds_alternative<Dog>(*member.value().pet));  // WidgetPet has no mapping: schema names
  CHECK(std::get<Dog>(*member.value().pet).good == true);     // default applied inside the alternative

  auto missing = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"pets":[{"name":"x"}]})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "$.pets[0]: missing discriminator member 'kind'");
  auto bad_alt = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"pets":[{"kind":"cat","name":"Tom"}]})");
  REQUIRE_FALSE(bad_alt);
  CHECK(bad_alt.error().message == "$.pets[0]: missing required member 'lives'");
  auto not_string = json::parse<Pet>(R"({"kind":1})");
  REQUIRE_FALSE(not_string);
  CHECK(not_string.error().message == "$.kind: expected a string (discriminator)");
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

  auto bad_type = json::parse<Widget>(R"({"id":"w","count":"1","owner":null,"tags":[]})");
  REQUIRE_FALSE(bad_type);
  CHECK(bad_type.error().message == "$.count: expected a 32-bit integer");

  auto deep = json::parse<Widget>(R"({"id":"w","count":1,"owner":null,"tags":[],"parts":[{"id":"p","weight":"x"}]})");
  REQUIRE_FALSE(deep);
  CHECK(deep.error().message == "$.parts[0].weight: expected a number");
}

TEST_CASE("enum to_string / from_string", "[kitchen_sink]") {
  CHECK(to_string(Colour::k125080001) == "125080001");
  CHECK(to_string(Colour::kUnknown).empty());
  Colour c = Colour::kRed;
  CHECK(from_string("default", c));
  CHECK(c == Colour::kDefault);
  CHECK_FALSE(from_string("DEFAULT", c));
  CHECK(c == Colour::kDefault);
  CHECK(OpenEnum<Colour>::from_text("DEFAULT").text() == "DEFAULT");
  CHECK(to_string(OpenEnum<Colour>(Colour::kDarkGreen)) == "dark_green");
}

TEST_CASE("client encodes path, query, header and body, 200 and 204 both succeed", "[kitchen_sink]") {
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
  CHECK(transport.last.body == std::optional<std::string>(
                                   R"({"id":"w","count":1,"tags":[],"retries":3,"mode":"fast","tint":"red","enabled":true,"note":null})"));
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
