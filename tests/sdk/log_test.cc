// Logger: JSON lines with a closed set of keys; configured secrets are redacted.
#include "refbridge/log.h"

#include <catch2/catch.hpp>

#include <sstream>

using refbridge::LogKey;

TEST_CASE("log lines are JSON objects with event and id fields") {
  std::ostringstream out;
  refbridge::Logger log(out);
  log.info("record.delivered", {{LogKey::kInterventionNumber, "989-22-PRTITV-0000051"}, {LogKey::kCount, "1"}});
  const auto line = out.str();
  CHECK(line.find("\"event\":\"record.delivered\"") != std::string::npos);
  CHECK(line.find("\"intervention\":\"989-22-PRTITV-0000051\"") != std::string::npos);
  CHECK(line.back() == '\n');
}

TEST_CASE("secrets are redacted from every line") {
  std::ostringstream out;
  refbridge::Logger log(out);
  log.add_secret("s3cret-token");
  log.error("auth.failed", {{LogKey::kMessage, "server echoed Bearer s3cret-token back"}});
  CHECK(out.str().find("s3cret-token") == std::string::npos);
  CHECK(out.str().find("Bearer ***") != std::string::npos);
}

TEST_CASE("levels below the minimum are dropped") {
  std::ostringstream out;
  refbridge::Logger log(out, refbridge::LogLevel::kWarn);
  log.info("noise");
  CHECK(out.str().empty());
}
