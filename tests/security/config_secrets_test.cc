// Secrets come only from environment variables (NAME or NAME_FILE); a configuration file holding
// one is refused without echoing it; TLS keys per connection; the insecure mode is logged loudly.
#include "config.h"
#include "connections.h"
#include "temp_dir.h"

#include "refbridge/log.h"
#include "refbridge/secrets.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace refbridge;
using refbridge::testing::ScopedEnv;
using refbridge::testing::TempDir;

namespace {

const std::string kBase = R"(profile: profile.yaml
ledger: ledger.sqlite
ping:
  base_url: https://ping.example.org
primero:
  base_url: https://primero.example.org
  user: primero_api
)";

}  // namespace

TEST_CASE("a configuration file holding a secret is refused without quoting it") {
  TempDir dir;
  for (const std::string& line : {std::string("  client_secret: Sup3r-S3cret-Value\n"), std::string("  password: Sup3r-S3cret-Value\n"),
                                  std::string("  subscription_key: Sup3r-S3cret-Value\n"), std::string("  static_token: Sup3r-S3cret-Value\n")}) {
    const auto path = dir.write("c.yaml", kBase + line);  // appended under primero:
    auto c = workflows::load_config(path);
    REQUIRE_FALSE(c);
    CHECK(c.error().code == ErrorCode::kConfig);
    CHECK_THAT(c.error().message, Catch::Contains("holds a secret") && Catch::Contains("environment"));
    CHECK(c.error().message.find("Sup3r-S3cret-Value") == std::string::npos);
  }
}

TEST_CASE("secrets are read from NAME or from the file named by NAME_FILE, never both") {
  TempDir dir;
  const auto path = dir.write("c.yaml", kBase);
  const auto secret_file = dir.write("pw", "file-password-123\n");
  ScopedEnv token("REFBRIDGE_PING_TOKEN", "ping-token-from-env");
  {
    ScopedEnv pw("REFBRIDGE_PRIMERO_PASSWORD_FILE", secret_file);
    auto c = workflows::load_config(path);
    REQUIRE(c);
    CHECK(c.value().primero_password == "file-password-123");  // trailing newline dropped
    CHECK(c.value().ping_token == "ping-token-from-env");
    ScopedEnv both("REFBRIDGE_PRIMERO_PASSWORD", "direct-password-123");
    auto refused = workflows::load_config(path);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("REFBRIDGE_PRIMERO_PASSWORD_FILE"));
    CHECK(refused.error().message.find("direct-password-123") == std::string::npos);
  }
  auto missing = workflows::load_config(path);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("REFBRIDGE_PRIMERO_PASSWORD"));
}

TEST_CASE("a secret read from the environment is redacted from log lines at once") {
  ScopedEnv s("REFBRIDGE_TEST_SECRET", "env-secret-value-42");
  auto secret = read_secret("REFBRIDGE_TEST_SECRET");
  REQUIRE(secret);
  REQUIRE(secret.value() == std::optional<std::string>("env-secret-value-42"));
  std::ostringstream out;
  Logger log(out);
  log.error("x", {{LogKey::kMessage, "server said env-secret-value-42"}});
  CHECK(out.str().find("env-secret-value-42") == std::string::npos);
}

TEST_CASE("PING OAuth2 settings are read from the file and the client secret from the environment") {
  TempDir dir;
  const auto path = dir.write("c.yaml", R"(profile: profile.yaml
ledger: ledger.sqlite
ping:
  base_url: https://ping.example.org
  auth: oauth2
  oauth2:
    token_url: https://ping.example.org/oauth2/token
    client_id: refbridge
    client_auth: body
    scope: ping
primero:
  base_url: https://primero.example.org
  user: primero_api
)");
  ScopedEnv pw("REFBRIDGE_PRIMERO_PASSWORD", "primero-password-1");
  auto no_secret = workflows::load_config(path);
  REQUIRE_FALSE(no_secret);
  CHECK_THAT(no_secret.error().message, Catch::Contains("REFBRIDGE_PING_CLIENT_SECRET"));
  ScopedEnv cs("REFBRIDGE_PING_CLIENT_SECRET", "client-secret-1");
  auto c = workflows::load_config(path);
  REQUIRE(c);
  CHECK(c.value().ping_auth == workflows::PingAuthMode::kOAuth2);
  CHECK(c.value().ping_oauth2.client_secret == "client-secret-1");
  CHECK(c.value().ping_oauth2.client_auth == OAuth2ClientAuth::kBody);
  CHECK(c.value().ping_oauth2.scope == "ping");
}

TEST_CASE("insecure_skip_tls_verify turns verification off for that connection only and logs a WARN naming it") {
  TempDir dir;
  const auto ca = dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const auto path = dir.write("c.yaml", R"(profile: profile.yaml
ledger: ledger.sqlite
ping:
  base_url: https://ping.example.org
  tls:
    insecure_skip_tls_verify: true
primero:
  base_url: https://primero.example.org
  user: primero_api
  tls:
    ca_bundle: )" + ca + "\n");
  ScopedEnv token("REFBRIDGE_PING_TOKEN", "ping-token-from-env");
  ScopedEnv pw("REFBRIDGE_PRIMERO_PASSWORD", "primero-password-1");
  auto c = workflows::load_config(path);
  REQUIRE(c);
  CHECK(c.value().ping_tls.insecure_skip_verify);
  CHECK_FALSE(c.value().primero_tls.insecure_skip_verify);
  CHECK(c.value().primero_tls.ca_bundle == ca);
  CHECK_FALSE(workflows::with_tls(c.value().http, c.value().ping_tls).verify_tls);
  CHECK(workflows::with_tls(c.value().http, c.value().primero_tls).verify_tls);
  std::ostringstream out;
  Logger log(out);
  REQUIRE(workflows::Connections::create(c.value(), &log));
  CHECK_THAT(out.str(), Catch::Contains("\"level\":\"warn\"") && Catch::Contains("tls.verification_disabled") &&
                            Catch::Contains("ping.tls.insecure_skip_tls_verify"));
  CHECK(out.str().find("primero.tls") == std::string::npos);
}

TEST_CASE("the old http TLS keys are refused with the new key named, and TLS files must exist") {
  TempDir dir;
  ScopedEnv token("REFBRIDGE_PING_TOKEN", "ping-token-from-env");
  ScopedEnv pw("REFBRIDGE_PRIMERO_PASSWORD", "primero-password-1");
  auto moved = workflows::load_config(dir.write("a.yaml", kBase + "http:\n  verify_tls: false\n  allow_insecure_tls: true\n"));
  REQUIRE_FALSE(moved);
  CHECK_THAT(moved.error().message, Catch::Contains("insecure_skip_tls_verify"));
  REQUIRE(workflows::load_config(dir.write("b.yaml", kBase + "http:\n  verify_tls: true\n")));
  auto half = workflows::load_config(dir.write("c.yaml", kBase + "  tls:\n    client_certificate: /nonexistent.pem\n"));
  REQUIRE_FALSE(half);
  CHECK_THAT(half.error().message, Catch::Contains("go together"));
  auto absent = workflows::load_config(dir.write("d.yaml", kBase + "  tls:\n    ca_bundle: /nonexistent/ca.pem\n"));
  REQUIRE_FALSE(absent);
  CHECK_THAT(absent.error().message, Catch::Contains("primero.tls.ca_bundle"));
}
