// Logger: JSON lines with a closed set of keys; configured secrets are redacted.
#include "refbridge/log.h"
#include "refbridge/auth.h"
#include "refbridge/redaction.h"

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
  CHECK(out.str().find("Bearer [redacted]") != std::string::npos);
}

TEST_CASE("a registered secret is redacted by every logger, also in its Basic and percent-encoded forms") {
  refbridge::register_basic_credentials("primero_api", "pa\"ss w/rd&1");
  std::ostringstream out;
  refbridge::Logger log(out);  // another logger than the one (if any) that saw the secret
  log.warn("echo", {{LogKey::kMessage, std::string("raw pa\"ss w/rd&1 basic ") +
                                           refbridge::base64_encode("primero_api:pa\"ss w/rd&1") +
                                           " form pa%22ss%20w%2Frd%261"}});
  const auto line = out.str();
  CHECK(line.find("pa\\\"ss") == std::string::npos);  // JSON-escaped form of the raw secret
  CHECK(line.find(refbridge::base64_encode("primero_api:pa\"ss w/rd&1")) == std::string::npos);
  CHECK(line.find("pa%22ss") == std::string::npos);
  CHECK(line.find("raw [redacted] basic [redacted] form [redacted]") != std::string::npos);
}

TEST_CASE("redact() replaces a longer secret whole even when it contains a shorter one") {
  refbridge::register_secret("abcd-inner");
  refbridge::register_secret("outer-abcd-inner-outer");
  CHECK(refbridge::redact("x outer-abcd-inner-outer y abcd-inner") == "x [redacted] y [redacted]");
  CHECK(refbridge::redact("abc") == "abc");  // shorter than any secret: unchanged
}

TEST_CASE("levels below the minimum are dropped") {
  std::ostringstream out;
  refbridge::Logger log(out, refbridge::LogLevel::kWarn);
  log.info("noise");
  CHECK(out.str().empty());
}
