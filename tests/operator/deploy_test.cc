// The schedules in deploy/ (issue 12): the systemd units (parsed here, and `systemd-analyze verify`
// when it is installed), the crontab example and the Kubernetes manifest (parsed with yaml-cpp,
// its embedded configuration checked against the key table).
#include "config_keys.h"
#include "operator_support.h"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

using refbridge::testing::OperatorDir;
using refbridge::testing::read_text;

namespace {

const std::string kDeploy = std::string(REFBRIDGE_SOURCE_DIR) + "/deploy/";
const std::map<std::string, std::string> kPrograms = {{"1.1", "refbridge-referrals-to-primero"},
                                                      {"1.2", "refbridge-decisions-to-progres"},
                                                      {"2.1", "refbridge-referrals-to-progres"},
                                                      {"2.2", "refbridge-decisions-to-primero"}};

/// key -> every value of a systemd unit file (sections flattened; comments and blanks skipped).
std::multimap<std::string, std::string> unit_settings(const std::string& path) {
  std::multimap<std::string, std::string> out;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    const auto eq = line.find('=');
    REQUIRE(eq != std::string::npos);
    out.emplace(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

bool has(const std::multimap<std::string, std::string>& s, const std::string& key, const std::string& value) {
  const auto [b, e] = s.equal_range(key);
  for (auto it = b; it != e; ++it) {
    if (it->second == value) return true;
  }
  return false;
}

std::string one(const std::multimap<std::string, std::string>& s, const std::string& key) {
  INFO(key);
  REQUIRE(s.count(key) == 1);
  return s.find(key)->second;
}

}  // namespace

TEST_CASE("deploy: a hardened systemd service and a persistent timer per workflow") {
  for (const auto& [id, program] : kPrograms) {
    INFO(program);
    const auto svc = unit_settings(kDeploy + "systemd/" + program + ".service");
    CHECK(one(svc, "Type") == "oneshot");
    CHECK(one(svc, "User") == "refbridge");
    CHECK(one(svc, "ExecStart").rfind("/usr/local/bin/" + program + " --config /etc/refbridge/refbridge.yaml", 0) == 0);
    CHECK(one(svc, "ExecStart").find("--metrics-file /var/lib/prometheus/node-exporter/refbridge-" + id + ".prom") !=
          std::string::npos);
    CHECK(one(svc, "ProtectSystem") == "strict");
    CHECK(one(svc, "NoNewPrivileges") == "yes");
    CHECK(one(svc, "PrivateTmp") == "yes");
    CHECK(has(svc, "ReadWritePaths", "/var/lib/refbridge"));
    CHECK(has(svc, "LoadCredential", "ping-token:/etc/refbridge/credentials/ping-token"));
    CHECK(has(svc, "LoadCredential", "primero-password:/etc/refbridge/credentials/primero-password"));
    CHECK(has(svc, "Environment", "REFBRIDGE_PING_TOKEN_FILE=%d/ping-token"));
    CHECK(has(svc, "Environment", "REFBRIDGE_PRIMERO_PASSWORD_FILE=%d/primero-password"));
    for (const auto& [k, v] : svc) CHECK(v.find("REFBRIDGE_PING_TOKEN=") == std::string::npos);  // never the secret itself
    const auto timer = unit_settings(kDeploy + "systemd/" + program + ".timer");
    CHECK(one(timer, "Persistent") == "true");
    CHECK(!one(timer, "OnCalendar").empty());
    CHECK(one(timer, "WantedBy") == "timers.target");
  }
}

TEST_CASE("deploy: systemd-analyze verify accepts the units (skipped where systemd-analyze is absent)") {
  if (std::system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
    WARN("systemd-analyze is not installed: the units were parsed only");
    return;
  }
  OperatorDir dir;
  std::filesystem::create_directory(dir.file("bin"));
  std::vector<std::string> args = {"verify", "--man=no"};
  for (const auto& [id, program] : kPrograms) {
    // verify checks that ExecStart's program exists: stand-ins in a temporary bin/.
    const std::string stand_in = dir.write("bin/" + program, "#!/bin/sh\n");
    std::filesystem::permissions(stand_in, std::filesystem::perms::owner_all);
    std::string unit = read_text(kDeploy + "systemd/" + program + ".service");
    for (auto at = unit.find("/usr/local/bin/"); at != std::string::npos; at = unit.find("/usr/local/bin/", at)) {
      unit.replace(at, 15, dir.file("bin/"));
    }
    args.push_back(dir.write(program + ".service", unit));
    args.push_back(dir.write(program + ".timer", read_text(kDeploy + "systemd/" + program + ".timer")));
  }
  const auto r = refbridge::testing::run_program(dir, "systemd-analyze", args);
  INFO(r.out << r.err);
  CHECK(r.exit == 0);
  CHECK(r.err.empty());  // verify exits 0 on a bad value too, but says so on stderr
}

TEST_CASE("deploy: the crontab example runs each workflow once, as refbridge, secrets as files") {
  const std::string text = read_text(kDeploy + "cron/refbridge.crontab");
  std::istringstream in(text);
  std::set<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.find('=') < line.find(' ')) continue;
    std::istringstream fields(line);
    std::string m, h, dom, mon, dow, user, program;
    fields >> m >> h >> dom >> mon >> dow >> user >> program;
    CHECK(user == "refbridge");
    CHECK(seen.insert(program).second);
  }
  for (const auto& [id, program] : kPrograms) CHECK(seen.count(program) == 1);
  CHECK(text.find("REFBRIDGE_PING_TOKEN_FILE=") != std::string::npos);
  CHECK(text.find("REFBRIDGE_PING_TOKEN=") == std::string::npos);
}

TEST_CASE("deploy: the Kubernetes manifest has four CronJobs with Forbid, secrets as files, the ledger volume") {
  const auto docs = YAML::LoadAllFromFile(kDeploy + "kubernetes/refbridge.yaml");
  std::string claim;
  std::string config;
  std::set<std::string> programs;
  for (const auto& doc : docs) {
    const std::string kind = doc["kind"].as<std::string>();
    if (kind == "PersistentVolumeClaim") claim = doc["metadata"]["name"].as<std::string>();
    if (kind == "ConfigMap") config = doc["data"]["refbridge.yaml"].as<std::string>();
  }
  REQUIRE(!claim.empty());
  REQUIRE(!config.empty());
  // The embedded configuration uses known keys only.
  const auto check = refbridge::workflows::check_config_keys(YAML::Load(config), "refbridge.yaml");
  INFO((check ? std::string() : check.error().message));
  CHECK(check);
  for (const auto& doc : docs) {
    if (doc["kind"].as<std::string>() != "CronJob") continue;
    INFO(doc["metadata"]["name"].as<std::string>());
    CHECK(doc["spec"]["concurrencyPolicy"].as<std::string>() == "Forbid");
    const auto pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    REQUIRE(pod["containers"].size() == 1);
    const auto c = pod["containers"][0];
    programs.insert(c["command"][0].as<std::string>());
    CHECK(c["resources"]["requests"]["memory"].as<std::string>() == "64Mi");
    CHECK(c["resources"]["requests"]["cpu"].as<std::string>() == "50m");
    std::map<std::string, std::string> volumes;  // name -> kind
    for (const auto& v : pod["volumes"]) {
      const std::string name = v["name"].as<std::string>();
      if (v["persistentVolumeClaim"]) {
        CHECK(v["persistentVolumeClaim"]["claimName"].as<std::string>() == claim);
        volumes[name] = "pvc";
      }
      if (v["secret"]) volumes[name] = "secret";
      if (v["configMap"]) volumes[name] = "configMap";
    }
    std::map<std::string, std::string> mounts;  // kind -> path
    for (const auto& m : c["volumeMounts"]) mounts[volumes[m["name"].as<std::string>()]] = m["mountPath"].as<std::string>();
    CHECK(mounts["pvc"] == "/var/lib/refbridge");  // the ledger's directory in the ConfigMap
    CHECK(config.find("ledger: " + mounts["pvc"] + "/") != std::string::npos);
    REQUIRE(mounts.count("secret") == 1);
    std::size_t secret_files = 0;
    for (const auto& e : c["env"]) {
      const std::string name = e["name"].as<std::string>();
      CHECK(name.size() > 5);
      CHECK(name.substr(name.size() - 5) == "_FILE");  // secrets as files, never as values
      secret_files += e["value"].as<std::string>().rfind(mounts["secret"] + "/", 0) == 0;
    }
    CHECK(secret_files == 2);
  }
  std::set<std::string> expected;
  for (const auto& [id, program] : kPrograms) expected.insert("/usr/local/bin/" + program);
  CHECK(programs == expected);
}

TEST_CASE("deploy: the Kubernetes PostgreSQL variant has no volume claim, a postgresql:// ledger with a deployment, its password as a file") {
  const auto docs = YAML::LoadAllFromFile(kDeploy + "kubernetes/refbridge-postgresql.yaml");
  std::string config;
  int cronjobs = 0;
  for (const auto& doc : docs) {
    const std::string kind = doc["kind"].as<std::string>();
    CHECK(kind != "PersistentVolumeClaim");
    if (kind == "ConfigMap") config = doc["data"]["refbridge.yaml"].as<std::string>();
    if (kind != "CronJob") continue;
    ++cronjobs;
    CHECK(doc["spec"]["concurrencyPolicy"].as<std::string>() == "Forbid");
    const auto pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    for (const auto& v : pod["volumes"]) CHECK_FALSE(v["persistentVolumeClaim"]);
    std::set<std::string> env;
    for (const auto& e : pod["containers"][0]["env"]) env.insert(e["name"].as<std::string>());
    CHECK(env.count("REFBRIDGE_LEDGER_PASSWORD_FILE") == 1);
  }
  CHECK(cronjobs == 4);
  const auto parsed = YAML::Load(config);
  const auto check = refbridge::workflows::check_config_keys(parsed, "refbridge.yaml");
  INFO((check ? std::string() : check.error().message));
  CHECK(check);
  CHECK(parsed["ledger"].as<std::string>().rfind("postgresql://", 0) == 0);
  CHECK_THAT(parsed["ledger"].as<std::string>(), Catch::Contains("sslmode=verify-full"));
  CHECK(!parsed["deployment"].as<std::string>().empty());
}
