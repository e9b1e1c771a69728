// `--version` on every program, the User-Agent and the run report carry the project version and
// the git commit of the build (issue 12, "--version").
#include "operator_support.h"
#include "run_report.h"

#include "refbridge/http.h"
#include "refbridge/version.h"

#include <catch2/catch.hpp>

#include <regex>

using refbridge::testing::OperatorDir;
using refbridge::testing::run_program;

TEST_CASE("every program answers --version with the project version and the git commit") {
  OperatorDir dir;
  const std::string expected = std::string(REFBRIDGE_EXPECTED_VERSION) + " (commit ";
  const std::regex commit(R"(\(commit ([0-9a-f]{12}|unknown)\)\n$)");
  for (const char* program : {REFBRIDGE_PROGRAMS}) {
    INFO(program);
    const auto r = run_program(dir, program, {"--version"});
    INFO(r.err);
    CHECK(r.exit == 0);
    CHECK(r.out.find(expected) != std::string::npos);
    CHECK(std::regex_search(r.out, commit));
    CHECK(r.out.find(std::string(refbridge::git_commit())) != std::string::npos);
  }
}

TEST_CASE("the HTTP User-Agent and the run report name the same version") {
  CHECK(refbridge::version() == REFBRIDGE_EXPECTED_VERSION);
  const refbridge::HttpOptions options;
  CHECK(options.user_agent == "refbridge/" REFBRIDGE_EXPECTED_VERSION " (commit " + std::string(refbridge::git_commit()) + ")");

  refbridge::workflows::RunReport report("1.1", {});
  const std::string json = report.to_json();
  CHECK(json.find("\"refbridge_version\": \"" REFBRIDGE_EXPECTED_VERSION "\"") != std::string::npos);
  CHECK(json.find("\"refbridge_commit\": \"" + std::string(refbridge::git_commit()) + "\"") != std::string::npos);
}
