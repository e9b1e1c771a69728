// A full run of the four workflows (as tools/demo.sh does: 1.1, a caseworker's decision, 1.2,
// 2.1, 2.2) as separate processes against the seeded sandbox, with distinctive secrets: PING over
// OAuth2 client credentials with a subscription key, Primero Basic with the password given as a
// *_FILE. Then every log line, summary, run report and every column of every ledger row is
// searched for each secret (raw, percent-encoded, Basic base64 form) and for the personal data
// of the fixtures (names, dates of birth, phone numbers, extracted here from every JSON fixture),
// and none may be found.
#include "sandbox.h"
#include "temp_dir.h"

#include "refbridge/auth.h"
#include "refbridge/log.h"

#include <rapidjson/document.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace refbridge;
using refbridge::testing::ScopedEnv;
using refbridge::testing::TempDir;

namespace {

const std::string kClientSecret = "Cl1ent-S3cret&Unique:Q7";
const std::string kSubscriptionKey = "ApimKey-5ub5cr1pt10n-Z9";
const std::string kPrimeroPassword = "Pr1mer0-Pa55word-X4";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- personal data of the fixtures --------------------------------------------------------

bool personal_key(std::string key) {
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (const auto dot = key.rfind('.'); dot != std::string::npos) key = key.substr(dot + 1);
  static const std::regex pattern(
      "(progres_)?(givenname|familyname|middlename|commonyusedname|dateofbirth|primaryphonenumber)|"
      "name(_first|_last|_middle|_nickname|_other|_caregiver.*|_given_post_separation)?|nickname_caregiver|"
      ".*date_of_birth|.*_dob|.*phone.*|telephone.*|mobilephone|(owned_by_)?full_name");
  return std::regex_match(key, pattern) && key != "marked_for_mobile";
}

void collect(const rapidjson::Value& v, std::set<std::string>& out, bool personal = false) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) collect(m.value, out, personal_key(m.name.GetString()));
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) collect(item, out, personal);
  } else if (personal && v.IsString()) {
    std::string s = v.GetString();
    static const std::regex date("(\\d{4}-\\d{2}-\\d{2})T.*");
    std::smatch m;
    if (std::regex_match(s, m, date)) s = m[1];
    if (s.size() >= 3 && s != "string") out.insert(s);
  } else if (personal && v.IsInt64() && v.GetInt64() > 99999) {
    out.insert(std::to_string(v.GetInt64()));
  }
}

/// Names, dates of birth and phone numbers of every JSON fixture (trailing commas repaired).
std::set<std::string> fixture_personal_data() {
  std::set<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(REFBRIDGE_FIXTURES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    const std::string text = std::regex_replace(read_file(entry.path()), std::regex(",(\\s*[}\\]])"), "$1");
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (!doc.HasParseError()) collect(doc, out);
  }
  return out;
}

/// True when `needle` occurs in `text` not glued to letters or digits on either side.
bool occurs_as_word(const std::string& text, const std::string& needle) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    const bool left = pos == 0 || !word(text[pos - 1]);
    const auto end = pos + needle.size();
    const bool right = end == text.size() || !word(text[end]);
    if (left && right) return true;
  }
  return false;
}

// ---- ledger -----------------------------------------------------------------------------

/// Every column of every row of every table, one line per row.
std::string dump_ledger(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> tables;
  auto each_row = [&](const std::string& sql, const std::function<void(sqlite3_stmt*)>& f) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) f(st);
    sqlite3_finalize(st);
  };
  each_row("SELECT name FROM sqlite_master WHERE type = 'table'",
           [&](sqlite3_stmt* st) { tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))); });
  std::string out;
  for (const auto& table : tables) {
    each_row("SELECT * FROM \"" + table + "\"", [&](sqlite3_stmt* st) {
      out += table + ":";
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* text = sqlite3_column_text(st, i);
        out += " | ";
        out += text == nullptr ? "NULL" : reinterpret_cast<const char*>(text);
      }
      out += "\n";
    });
  }
  sqlite3_close(db);
  return out;
}

// ---- the run ----------------------------------------------------------------------------

std::string config_yaml(const sandbox::Sandbox& box, const TempDir& dir) {
  return "profile: " + std::string(REFBRIDGE_PROFILE_PATH) + R"(
ping:
  base_url: http://127.0.0.1:1
  page_size: 4
  auth: oauth2
  oauth2:
    token_url: )" + box.ping_base_url() + R"(/oauth2/token
    client_id: refbridge-demo
primero:
  base_url: http://127.0.0.1:1
  user: primero_api
  auth: basic
ledger: )" + dir.file("ledger.sqlite") + R"(
sync:
  retry_initial_seconds: 0
  initial_cursor: 2021-01-01T00:00:00.000Z
  primero_page_size: 2
  ingestion_poll_interval_ms: 10
  ingestion_timeout_seconds: 10
unhcr:
  user_names: [unhcr_cw@cpims-gambella.primero.org, unhcr_cw]
  agencies: [UNHCR]
  fallback_contact_user: cpims.admin@sandbox.invalid
)";
}

int run_workflow(const TempDir& dir, const std::string& exe, const std::string& id) {
  const std::string line = "'" + exe + "' --config '" + dir.file("config.yaml") + "' --report '" + dir.file(id + ".json") +
                           "' >'" + dir.file(id + ".summary") + "' 2>'" + dir.file(id + ".log") + "'";
  return std::system(line.c_str());
}

}  // namespace

TEST_CASE("a full run of the four workflows leaves no secret and no fixture personal data in logs, reports or the ledger") {
  TempDir dir;
  std::ostringstream sandbox_log;
  Logger logger(sandbox_log, LogLevel::kDebug);
  sandbox::SandboxOptions options;
  options.primero_password = kPrimeroPassword;
  options.ping_oauth = sandbox::PingOAuthOptions{"refbridge-demo", kClientSecret, 3600};
  options.logger = &logger;
  auto box = sandbox::Sandbox::start(options).value();
  REQUIRE(box->seed_ping_from_fixtures(REFBRIDGE_FIXTURES_DIR));
  REQUIRE(box->seed_ping_decisions_from_fixtures(REFBRIDGE_FIXTURES_DIR));
  REQUIRE(box->seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR));

  dir.write("config.yaml", config_yaml(*box, dir));
  const auto password_file = dir.write("primero-password", kPrimeroPassword + "\n");
  ScopedEnv ping_url("REFBRIDGE_PING_BASE_URL", box->ping_base_url());
  ScopedEnv primero_url("REFBRIDGE_PRIMERO_BASE_URL", box->primero_base_url());
  ScopedEnv client_secret("REFBRIDGE_PING_CLIENT_SECRET", kClientSecret);
  ScopedEnv key("REFBRIDGE_PING_SUBSCRIPTION_KEY", kSubscriptionKey);
  ScopedEnv password("REFBRIDGE_PRIMERO_PASSWORD_FILE", password_file);

  CHECK(run_workflow(dir, REFBRIDGE_WF_1_1, "1.1") == 0);
  const std::string decide = "curl -sf -X POST -d '' '" + box->ping_base_url() +
                             "/_sandbox/primero/services/decide?intervention=989-22-PRTITV-0000051&status=accepted' >/dev/null";
  CHECK(std::system(decide.c_str()) == 0);
  CHECK(run_workflow(dir, REFBRIDGE_WF_1_2, "1.2") == 0);
  CHECK(run_workflow(dir, REFBRIDGE_WF_2_1, "2.1") == 0);
  CHECK(run_workflow(dir, REFBRIDGE_WF_2_2, "2.2") == 0);
  const std::string cases_after = box->primero_cases_json();
  box->stop();
  CHECK(box->ping_oauth()->issued() >= 4);  // every run logged in with the client credentials

  std::map<std::string, std::string> texts;  // what -> text
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const auto ext = entry.path().extension();
    if (ext == ".log" || ext == ".summary" || ext == ".json") texts[entry.path().filename().string()] = read_file(entry.path());
  }
  texts["sandbox log"] = sandbox_log.str();
  texts["ledger"] = dump_ledger(dir.file("ledger.sqlite"));
  REQUIRE(texts.size() == 14);  // 4 x (log, summary, report) + sandbox log + ledger
  CHECK_THAT(texts["1.1.json"], Catch::Contains("\"delivered\": 2"));
  CHECK_THAT(texts["ledger"], Catch::Contains("records:"));

  const std::vector<std::string> secrets = {
      kClientSecret, kSubscriptionKey, kPrimeroPassword, base64_encode("primero_api:" + kPrimeroPassword),
      base64_encode("refbridge-demo:Cl1ent-S3cret%26Unique%3AQ7"), "Cl1ent-S3cret%26Unique%3AQ7"};
  const auto personal = fixture_personal_data();
  REQUIRE(personal.size() > 50);
  REQUIRE(personal.count("Alfred") == 1);
  REQUIRE(personal.count("2014-06-06") == 1);
  REQUIRE(personal.count("+84963567890") == 1);
  // Positive controls: the search finds personal data where it belongs (the Primero cases), and
  // the searched texts are real output (log lines and ledger rows of the runs).
  CHECK(occurs_as_word(cases_after, "Alfred"));
  CHECK(occurs_as_word(cases_after, "2014-06-06"));
  CHECK_THAT(texts["2.1.log"], Catch::Contains("\"event\""));
  CHECK_THAT(texts["ledger"], Catch::Contains("989-22-PRTITV-0000051"));
  for (const auto& [what, text] : texts) {
    INFO(what);
    for (const auto& secret : secrets) {
      INFO("secret " << secret.substr(0, 3) << "...");
      CHECK(text.find(secret) == std::string::npos);
    }
    for (const auto& value : personal) {
      INFO("personal data '" << value << "'");
      CHECK_FALSE(occurs_as_word(text, value));
    }
  }
}
