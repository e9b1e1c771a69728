// The "Primero as a real instance is configured" issue, as processes: a Primero instance whose
// forms lack a field the mapping writes (the correlation field progres_interventionnumber of the
// service rows), or whose lookup lacks a value the profile maps to, makes the workflow exit 78 at
// start-up naming what is missing, with nothing written to Primero or PING. Without the check the
// instance would drop the field silently (tests/sandbox "unknown members are dropped") and 1.1
// would "deliver" cases that 1.2 and 2.2 can never correlate.
#include "crash_lab.h"
#include "scenarios.h"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>

using namespace refbridge;
using namespace refbridge::crash_test;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string text_of(const rapidjson::Document& doc) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return buf.GetString();
}

/// The stock forms (GET /api/v2/forms) without any field named `field`.
std::string forms_without(const std::string& field) {
  rapidjson::Document doc;
  doc.Parse(read_file(std::string(REFBRIDGE_SANDBOX_CONFIG_DIR) + "/forms.json").c_str());
  REQUIRE(doc.IsObject());
  int removed = 0;
  for (auto& section : doc["data"].GetArray()) {
    auto& fields = section["fields"];
    for (auto it = fields.Begin(); it != fields.End();) {
      if (std::string((*it)["name"].GetString()) == field) {
        it = fields.Erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  REQUIRE(removed > 0);
  return text_of(doc);
}

/// The stock lookups (GET /api/v2/lookups) with `value` removed from lookup `lookup`.
std::string lookups_without(const std::string& lookup, const std::string& value) {
  rapidjson::Document doc;
  doc.Parse(read_file(std::string(REFBRIDGE_SANDBOX_CONFIG_DIR) + "/lookups.json").c_str());
  REQUIRE(doc.IsObject());
  int removed = 0;
  for (auto& l : doc["data"].GetArray()) {
    if (std::string(l["unique_id"].GetString()) != lookup) continue;
    auto& values = l["values"];
    for (auto it = values.Begin(); it != values.End();) {
      if (std::string((*it)["id"].GetString()) == value) {
        it = values.Erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  REQUIRE(removed == 1);
  return text_of(doc);
}

/// Runs 1.1 once against a sandbox adjusted by `configure`; checks exit 78 and that nothing moved.
std::string run_refused(std::function<void(sandbox::SandboxOptions&)> configure) {
  Scenario scenario = referrals_to_primero();
  scenario.configure = std::move(configure);
  Trial trial(scenario);
  const std::size_t cases_before = trial.box().primero_case_count();
  const std::string interventions_before = trial.box().ping_interventions_json();
  const ChildExit end = trial.run();
  INFO(trial.output());
  CHECK(end.describe() == "exit 78");
  CHECK(trial.box().primero_case_count() == cases_before);              // no case written
  CHECK(trial.box().ping_interventions_json() == interventions_before);  // no transfer status changed
  CHECK(trial.killer().writes() == 0);                                   // no write at all, to either system
  return trial.output();
}

}  // namespace

TEST_CASE("an instance whose service rows lack progres_interventionnumber: 1.1 exits 78 naming it, nothing written") {
  const std::string out = run_refused([](sandbox::SandboxOptions& o) { o.primero_forms_json = forms_without("progres_interventionnumber"); });
  CHECK_THAT(out, Catch::Contains("progres_interventionnumber"));
  CHECK_THAT(out, Catch::Contains("progres-referral-to-primero-case.yaml"));  // the mapping rule that needs it
}

TEST_CASE("an instance whose gender lookup lacks a value the profile maps to: 1.1 exits 78 naming table, value and lookup") {
  const std::string out = run_refused([](sandbox::SandboxOptions& o) { o.primero_lookups_json = lookups_without("lookup-gender", "other_b25f252"); });
  CHECK_THAT(out, Catch::Contains("other_b25f252"));
  CHECK_THAT(out, Catch::Contains("lookup-gender"));
  CHECK_THAT(out, Catch::Contains("profile table"));
}
