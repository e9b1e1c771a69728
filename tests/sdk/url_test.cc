// UrlBuilder: every segment and query value is encoded, so ids cannot inject paths or queries.
#include "refbridge/url.h"

#include <catch2/catch.hpp>

using refbridge::UrlBuilder;

TEST_CASE("UrlBuilder appends literal path parts and encoded segments") {
  auto b = UrlBuilder::from_base("http://127.0.0.1:8080/primero/");
  REQUIRE(b);
  auto url = b.value().path("api/v2/cases").segment("3b1f7c52-9e0d").str();
  CHECK(url == "http://127.0.0.1:8080/primero/api/v2/cases/3b1f7c52-9e0d");
}

TEST_CASE("UrlBuilder encodes hostile ids in path segments") {
  auto b = UrlBuilder::from_base("https://ping.example.org").value();
  auto url = b.path("v1/individuals").segment("a/b?c=d#e f%g").path("languages").str();
  CHECK(url == "https://ping.example.org/v1/individuals/a%2Fb%3Fc=d%23e%20f%25g/languages");
}

TEST_CASE("UrlBuilder encodes query keys and values") {
  auto b = UrlBuilder::from_base("http://h").value();
  auto url = b.path("api/v2/cases")
                 .query("unhcr_individual_no", "989-0&per=1000#x")
                 .query("last_updated_at", "2024-05-01T00:00:00+03:00..")
                 .query("name", "Zoë Ł")
                 .str();
  CHECK(url ==
        "http://h/api/v2/cases?unhcr_individual_no=989-0%26per%3D1000%23x"
        "&last_updated_at=2024-05-01T00%3A00%3A00%2B03%3A00..&name=Zo%C3%AB%20%C5%81");
}

TEST_CASE("UrlBuilder rejects bases that are not absolute http(s) URLs") {
  CHECK_FALSE(UrlBuilder::from_base("127.0.0.1:8080"));
  CHECK_FALSE(UrlBuilder::from_base("ftp://example.org"));
  CHECK_FALSE(UrlBuilder::from_base("http://example.org/?q=1"));
}
