// Example 3: unit-test code that uses the Primero API, without a server, with the generated
// FakePrimero (refbridge/primero/fake.h, target refbridge::primero_fake). The code under test
// depends on the abstract `refbridge::primero::Primero`; the test gives it a FakePrimero whose
// handlers answer, and checks both the result and the requests the code sent.
// Exit status 0 when every check holds (any test framework works the same way).
#include "refbridge/primero/fake.h"

#include <iostream>
#include <string>

namespace {

/// Code under test: how many cases the server holds with status "open", reading every page.
refbridge::Result<int> count_open_cases(refbridge::primero::Primero& primero) {
  refbridge::primero::ListCasesRequest request;
  request.per = 2;
  int open = 0;
  for (const auto& page : primero.list_cases_pages(request)) {
    if (!page) return page.error();
    for (const auto& record : page.value().data) open += record.status == "open" ? 1 : 0;
  }
  return open;
}

refbridge::primero::Case make_case(std::string display_id, std::string status) {
  refbridge::primero::Case record;
  record.case_id_display = std::move(display_id);
  record.status = std::move(status);
  return record;
}

int failures = 0;
void check(bool condition, const char* what) {
  if (!condition) {
    std::cerr << "FAILED: " << what << "\n";
    ++failures;
  }
}

}  // namespace

int main() {
  refbridge::primero::FakePrimero fake;
  // Three cases over two pages (total 3, two per page).
  fake.list_cases_handler = [](const refbridge::primero::ListCasesRequest& req) -> refbridge::Result<refbridge::primero::CaseList> {
    refbridge::primero::CaseList page;
    if (req.page.value_or(1) == 1) {
      page.data = {make_case("c1", "open"), make_case("c2", "closed")};
    } else {
      page.data = {make_case("c3", "open")};
    }
    page.metadata = refbridge::primero::Metadata{};
    page.metadata->total = 3;
    page.metadata->per = 2;
    return page;
  };
  auto open = count_open_cases(fake);
  check(open.has_value(), "count_open_cases succeeds");
  check(open.has_value() && open.value() == 2, "two open cases");
  check(fake.list_cases_calls.size() == 2, "two pages requested");
  check(fake.list_cases_calls.size() == 2 && fake.list_cases_calls[1].page == 2, "the second request asks for page 2");

  // Errors are values: a failing server gives the error to the caller, nothing is thrown.
  fake.list_cases_handler = [](const refbridge::primero::ListCasesRequest&) -> refbridge::Result<refbridge::primero::CaseList> {
    return refbridge::make_error(refbridge::ErrorCode::kServerError, "Primero listCases: HTTP 503", 503);
  };
  auto failed = count_open_cases(fake);
  check(!failed.has_value() && failed.error().code == refbridge::ErrorCode::kServerError, "the server error reaches the caller");

  std::cout << (failures == 0 ? "all checks passed\n" : "some checks failed\n");
  return failures == 0 ? 0 : 1;
}
