// Example 2: list every case of a Primero v2 server, page by page, with the typed client.
// Usage: primero_list_cases <base-url> <user> [page-size]
// The password comes from the environment (REFBRIDGE_PRIMERO_PASSWORD), never from the command line.
// Prints one line per page and, last, "<cases> cases in <pages> pages". Exit status 0, or 1 with
// the error (system, operation, HTTP status) on stderr.
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"
#include "refbridge/primero/client.h"

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: primero_list_cases <base-url> <user> [page-size]\n";
    return 2;
  }
  const std::string base_url = argv[1];
  const char* password = std::getenv("REFBRIDGE_PRIMERO_PASSWORD");

  // Options: timeouts (ms), TLS verification (on by default), CA bundle, client certificate.
  refbridge::HttpOptions http;
  http.connect_timeout = std::chrono::milliseconds(5'000);
  http.total_timeout = std::chrono::milliseconds(30'000);
  auto transport = refbridge::make_curl_transport(http);
  // Primero's native login (JWT up to 2.10, session + CSRF from 2.11; detected from the answer).
  auto auth = refbridge::make_primero_token_login(base_url, argv[2], password ? password : "", *transport);
  // Retries of transient failures (429, 5xx, timeouts) use the default RetrySettings.
  auto connection = refbridge::ApiConnection::create(base_url, *transport, *auth);
  if (!connection) {
    std::cerr << connection.error().describe() << "\n";
    return 1;
  }
  refbridge::primero::PrimeroClient primero(connection.value());

  refbridge::primero::ListCasesRequest request;
  request.per = argc > 3 ? std::atoi(argv[3]) : 20;
  request.fields = "short";
  int pages = 0;
  std::size_t cases = 0;
  for (const auto& page : primero.list_cases_pages(request)) {  // one GET per step, fetched lazily
    if (!page) {
      std::cerr << "listing cases failed: " << page.error().describe() << "\n";
      return 1;
    }
    ++pages;
    cases += page.value().data.size();
    std::cout << "page " << pages << ": " << page.value().data.size() << " cases";
    if (!page.value().data.empty()) {
      std::cout << " (first " << page.value().data.front().case_id_display.value_or("?") << ")";
    }
    std::cout << "\n";
  }
  std::cout << cases << " cases in " << pages << " pages\n";
  return 0;
}
