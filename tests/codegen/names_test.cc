#include "names.h"

#include <catch2/catch.hpp>

using namespace refbridge::codegen::names;

TEST_CASE("legalize keeps legal names and fixes the rest", "[names]") {
  CHECK(legalize("progres_commonyusedname") == "progres_commonyusedname");
  CHECK(legalize("individuals.progres_id") == "individuals_progres_id");
  CHECK(legalize("x-y") == "x_y");
  CHECK(legalize("2fa") == "_2fa");
  CHECK(legalize("class") == "class_");
  CHECK(legalize("delete") == "delete_");
  CHECK(legalize("co_await") == "co_await_");
  CHECK(legalize("Id") == "Id");
  CHECK(legalize("") == "_");
  CHECK(legalize("\xC3\xA4_name") == "u_name");  // "ä_name": non-ASCII bytes become '_', then the reserved "__" is rewritten
}

TEST_CASE("legalize never yields reserved identifiers", "[names]") {
  CHECK(legalize("__query_params") == "u_query_params");
  CHECK(legalize("_Private") == "u_Private");
  CHECK(legalize("a__b") == "a_b");
  CHECK(legalize("a..b") == "a_b");
}

TEST_CASE("to_snake_case converts operationIds and parameter names", "[names]") {
  CHECK(to_snake_case("listOutgoingReferrals") == "list_outgoing_referrals");
  CHECK(to_snake_case("getCase") == "get_case");
  CHECK(to_snake_case("getHTTPStatus") == "get_http_status");
  CHECK(to_snake_case("X-Request-Id") == "x_request_id");
  CHECK(to_snake_case("pageSize") == "page_size");
  CHECK(to_snake_case("unhcr_individual_no") == "unhcr_individual_no");
  CHECK(to_snake_case("delete") == "delete_");
  CHECK(to_snake_case("v2Cases") == "v2_cases");
}

TEST_CASE("to_pascal_case builds type names", "[names]") {
  CHECK(to_pascal_case("listCases") == "ListCases");
  CHECK(to_pascal_case("kitchen_sink") == "KitchenSink");
  CHECK(to_pascal_case("ping") == "Ping");
}

TEST_CASE("enumerator names enum values", "[names]") {
  CHECK(enumerator("pending") == "kPending");
  CHECK(enumerator("in_progress") == "kInProgress");
  CHECK(enumerator("125080001") == "k125080001");
  CHECK(enumerator("BIA") == "kBia");
  CHECK(enumerator("") == "kEmpty");
  CHECK(enumerator("default") == "kDefault");
}

TEST_CASE("escape_string makes C++ string literal bodies", "[names]") {
  CHECK(escape_string("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(is_cpp_keyword("namespace"));
  CHECK_FALSE(is_cpp_keyword("progres_id"));
}

TEST_CASE("legalize: every C++20 keyword and common macro name gets a trailing underscore", "[names]") {
  for (const char* k : {"co_await", "co_return", "co_yield", "requires", "concept", "consteval", "constinit", "char8_t",
                        "export", "import", "module", "and", "xor_eq", "alignas", "thread_local", "nullptr", "typename"}) {
    INFO(k);
    CHECK(legalize(k) == std::string(k) + "_");
  }
  for (const char* m : {"major", "minor", "errno", "stdin", "stdout", "stderr", "EOF", "NULL", "assert", "unix", "linux"}) {
    INFO(m);
    CHECK(is_macro_name(m));
    CHECK(legalize(m) == std::string(m) + "_");
  }
  CHECK(legalize("Major") == "Major");  // case matters
  CHECK(legalize("progres_commonyusedname") == "progres_commonyusedname");  // proGres typos kept
  CHECK(legalize("a b") == "a_b");
  CHECK(legalize("a.b-c d") == "a_b_c_d");
  CHECK(legalize("9lives") == "_9lives");
  CHECK(legalize("unknown_members_") == kUnknownMembers);  // the loader rejects it as a member name
}

TEST_CASE("enumerator leaves kUnknown to OpenEnum", "[names]") {
  CHECK(enumerator("unknown") == "kUnknown_");
  CHECK(enumerator("UNKNOWN") == "kUnknown_");
  CHECK(enumerator("unknown_value") == "kUnknownValue");
}

TEST_CASE("escape_json makes JSON string bodies", "[names]") {
  CHECK(escape_json("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(escape_json(std::string("\n\x01", 2)) == "\\u000a\\u0001");
}
