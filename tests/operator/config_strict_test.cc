// Strict configuration (issue 12): every key known, at its place and of its type; an unknown or
// misplaced key is kConfig (exit 78) with file:line, the full dotted key and a "did you mean";
// the demo and bench configurations load; the key table's ranges are the loader's.
#include "config.h"
#include "config_keys.h"
#include "operator_support.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <string>

using refbridge::ErrorCode;
using refbridge::testing::OperatorDir;
using namespace refbridge::workflows;

namespace {

const std::string kBase =
    "profile: profile.yaml\n"
    "ledger: ledger.sqlite\n"
    "ping:\n  base_url: http://127.0.0.1:1\n"
    "primero:\n  base_url: http://127.0.0.1:1\n  user: api\n";

/// kBase's keys with `line` added to `section` ("" = the top level).
std::string config_with(const std::string& section, const std::string& line) {
  std::map<std::string, std::string> parts{{"", "profile: profile.yaml\nledger: ledger.sqlite\n"},
                                           {"ping", "  base_url: http://127.0.0.1:1\n"},
                                           {"primero", "  base_url: http://127.0.0.1:1\n  user: api\n"}};
  parts[section] += line;
  std::string yaml = parts[""];
  for (const auto& [name, body] : parts) {
    if (!name.empty()) yaml += name + ":\n" + body;
  }
  return yaml;
}

struct SecretsSet {
  SecretsSet() {
    ::setenv("REFBRIDGE_PING_TOKEN", "operator-test-token", 1);
    ::setenv("REFBRIDGE_PRIMERO_PASSWORD", "operator-test-password", 1);
  }
};

std::string load_error(const OperatorDir& dir, const std::string& yaml) {
  SecretsSet secrets;
  auto c = load_config(dir.write("c.yaml", yaml));
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::kConfig);
  return c.error().message;
}

}  // namespace

TEST_CASE("config: a misspelt key names file:line, the dotted key and what it was meant to be") {
  OperatorDir dir;
  const std::string msg = load_error(dir, kBase + "sync:\n  concurency: 4\n");
  INFO(msg);
  CHECK(msg.find(dir.file("c.yaml") + ":9:") == 0);
  CHECK(msg.find("unknown key 'sync.concurency'") != std::string::npos);
  CHECK(msg.find("did you mean 'sync.concurrency'?") != std::string::npos);
}

TEST_CASE("config: a whole misspelt section is refused") {
  OperatorDir dir;
  const std::string msg = load_error(dir, kBase + "synk:\n  concurrency: 4\n");
  INFO(msg);
  CHECK(msg.find(":8:") != std::string::npos);
  CHECK(msg.find("unknown key 'synk' at the top level; did you mean 'sync'?") != std::string::npos);
}

TEST_CASE("config: a misplaced key names the section it belongs to") {
  OperatorDir dir;
  const std::string top = load_error(dir, kBase + "concurrency: 4\n");
  INFO(top);
  CHECK(top.find(":8: configuration: unknown key 'concurrency' at the top level; did you mean 'sync.concurrency' "
                 "(in the 'sync:' section)?") != std::string::npos);
  const std::string tls = load_error(dir, kBase + "http:\n  ca_bundle_file: x.pem\n");
  CHECK(tls.find("unknown key 'http.ca_bundle_file'") != std::string::npos);
  const std::string nested = load_error(dir, kBase + "sync:\n  base_url: http://x\n");
  INFO(nested);
  CHECK(nested.find("did you mean 'ping.base_url' or 'primero.base_url' (in the 'ping:' section)?") != std::string::npos);
}

TEST_CASE("config: nothing close lists the keys of the section") {
  OperatorDir dir;
  const std::string msg = load_error(dir, kBase + "unhcr:\n  zzzzzzzzzzzz: 1\n");
  INFO(msg);
  CHECK(msg.find("the keys in 'unhcr:' are: user_names, agencies, fallback_contact_user") != std::string::npos);
}

TEST_CASE("config: wrong types, empty values and enum values name the dotted key and the line") {
  OperatorDir dir;
  CHECK(load_error(dir, kBase + "sync:\n  concurrency: eight\n").find(":9: configuration: 'sync.concurrency' must be an integer") !=
        std::string::npos);
  CHECK(load_error(dir, kBase + "unhcr:\n  agencies: UNHCR\n").find("'unhcr.agencies' must be a list of strings") !=
        std::string::npos);
  CHECK(load_error(dir, kBase + "ping:\n  base_url:\n").find("'ping.base_url' has no value") != std::string::npos);
  CHECK(load_error(dir, kBase + "ping:\n  tls:\n    insecure_skip_tls_verify: perhaps\n")
            .find("'ping.tls.insecure_skip_tls_verify' must be true or false") != std::string::npos);
  CHECK(load_error(dir, config_with("primero", "  auth: basik\n"))
            .find("'primero.auth' must be one of basic | token") != std::string::npos);
  CHECK(load_error(dir, kBase + "http:\n  connect_timeout_ms: 0\n").find("'http.connect_timeout_ms'") != std::string::npos);
}

TEST_CASE("config: the demo and bench configurations load with every key known") {
  SecretsSet secrets;
  for (const char* name : {"demo.yaml", "bench.yaml"}) {
    INFO(name);
    auto c = load_config(std::string(REFBRIDGE_SOURCE_DIR) + "/config/" + name);
    INFO((c ? std::string() : c.error().message));
    CHECK(c);
  }
}

TEST_CASE("config: the keys other branches add are known (primero.version, require_form_check, module_id)") {
  OperatorDir dir;
  SecretsSet secrets;
  auto c = load_config(dir.write("c.yaml", kBase + "  version: \"2.15\"\n  require_form_check: true\n  module_id: primeromodule-cp\n"));
  INFO((c ? std::string() : c.error().message));
  CHECK(c);
  REQUIRE(find_config_key("primero.version"));
  CHECK(find_config_key("primero.version")->type == ConfigType::kString);
  CHECK(find_config_key("primero.require_form_check")->type == ConfigType::kBoolean);
  CHECK(find_config_key("primero.require_form_check")->default_value == "false");
}

TEST_CASE("config: per-system request caps default to a production Primero's and are read per system") {
  OperatorDir dir;
  SecretsSet secrets;
  auto defaults = load_config(dir.write("d.yaml", kBase));
  REQUIRE(defaults);
  CHECK(defaults.value().primero_limits.max_in_flight == 16);
  CHECK(defaults.value().primero_limits.max_per_second == 0);
  CHECK(defaults.value().ping_limits.max_in_flight == 64);
  auto c = load_config(dir.write("c.yaml", config_with("primero", "  max_in_flight: 4\n  max_requests_per_second: 50\n") +
                                               "sync:\n  concurrency: 64\n"));
  INFO((c ? std::string() : c.error().message));
  REQUIRE(c);
  CHECK(c.value().primero_limits.max_in_flight == 4);
  CHECK(c.value().primero_limits.max_per_second == 50);
  CHECK(c.value().ping_limits.max_in_flight == 64);
  CHECK(c.value().sync.concurrency == 64);
}

TEST_CASE("config ranges: every integer key's range in the table is the loader's") {
  OperatorDir dir;
  SecretsSet secrets;
  for (const ConfigKey& k : config_keys()) {
    if (k.type != ConfigType::kInteger) continue;
    const std::string key(k.key);
    const auto dot = key.rfind('.');
    const std::string range(k.range);
    const auto dots = range.find("..");
    REQUIRE(dots != std::string::npos);
    const long lo = std::stol(range.substr(0, dots));
    const bool bounded = dots + 2 < range.size();
    auto yaml_with = [&](long v) {
      if (dot == std::string::npos) return config_with("", key + ": " + std::to_string(v) + "\n");
      return config_with(key.substr(0, dot), "  " + key.substr(dot + 1) + ": " + std::to_string(v) + "\n");
    };
    if (key.rfind("ping.oauth2.", 0) == 0) continue;  // needs oauth2 mode and its secret: config_secrets_test
    INFO(key << " " << range);
    CHECK(load_config(dir.write("lo.yaml", yaml_with(lo))));
    auto below = load_config(dir.write("below.yaml", yaml_with(lo - 1)));
    REQUIRE_FALSE(below);
    CHECK(below.error().message.find("'" + key + "'") != std::string::npos);
    if (!bounded) continue;
    const long hi = std::stol(range.substr(dots + 2));
    CHECK(load_config(dir.write("hi.yaml", yaml_with(hi))));
    auto above = load_config(dir.write("above.yaml", yaml_with(hi + 1)));
    REQUIRE_FALSE(above);
    CHECK(above.error().message.find("'" + key + "'") != std::string::npos);
  }
}

TEST_CASE("config: a typo makes the workflow program exit 78 with the message") {
  OperatorDir dir;
  const std::string path = dir.write("c.yaml", kBase + "sync:\n  concurency: 4\n");
  const auto r = refbridge::testing::run_program(
      dir, REFBRIDGE_WORKFLOW_EXE, {"--config", path},
      "REFBRIDGE_PING_TOKEN=t REFBRIDGE_PRIMERO_PASSWORD=p ");
  INFO(r.err);
  CHECK(r.exit == 78);
  CHECK(r.err.find(path + ":9: configuration: unknown key 'sync.concurency' in 'sync:'; did you mean 'sync.concurrency'?") !=
        std::string::npos);
}

TEST_CASE("config: a base URL that is not absolute names its key and variable") {
  OperatorDir dir;
  const std::string path = dir.write(
      "c.yaml", "profile: " REFBRIDGE_SOURCE_DIR "/schemas/profiles/gambella.yaml\n" + config_with("", "").substr(22));
  const auto r = refbridge::testing::run_program(
      dir, REFBRIDGE_WORKFLOW_EXE, {"--config", path},
      "REFBRIDGE_PING_TOKEN=token-1 REFBRIDGE_PRIMERO_PASSWORD=password-1 REFBRIDGE_PRIMERO_BASE_URL=primero.example.org ");
  INFO(r.err);
  CHECK(r.exit == 78);
  CHECK(r.err.find("configuration: 'primero.base_url' (or REFBRIDGE_PRIMERO_BASE_URL): ") != std::string::npos);
}
