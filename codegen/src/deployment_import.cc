// import-primero: forms and lookups -> a deployment overlay. See deployment_import.h.
#include "deployment_import.h"

#include "schema_loader.h"

#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"
#include "refbridge/json.h"

#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

namespace refbridge::codegen {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPasswordVariable = "REFBRIDGE_PRIMERO_PASSWORD";

Result<std::string> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, std::string("import-primero: cannot read the ") + what + " export '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string now_utc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct Bodies {
  std::string forms;
  std::string lookups;
};

/// GET /api/v2/forms and every page of GET /api/v2/lookups, the pages' data joined as one body.
Result<Bodies> fetch_live(const ImportRequest& r) {
  const char* password = std::getenv(kPasswordVariable);
  if (password == nullptr || *password == '\0') {
    return make_error(ErrorCode::kConfig, std::string("import-primero: set ") + kPasswordVariable +
                                              " to the password of Primero user '" + r.user + "' (--user)");
  }
  auto transport = make_curl_transport({});
  auto auth = make_basic_auth(r.user, password);
  REFBRIDGE_TRY(auto api, ApiConnection::create(r.base_url, *transport, *auth));
  Bodies b;
  auto forms_url = api.url().path("api/v2/forms").query("record_type", r.record_type);
  if (!r.module_id.empty()) forms_url.query("module_id", r.module_id);
  REFBRIDGE_TRY(auto forms, api.execute(HttpMethod::kGet, forms_url.str(), std::nullopt, {}, {"listForms", {}}));
  b.forms = std::move(forms.body);
  std::string data;  // the lookups of every page, as JSON array members
  for (int page = 1;; ++page) {
    const auto url = api.url().path("api/v2/lookups").query("page", std::to_string(page)).query("per", "1000").str();
    REFBRIDGE_TRY(auto resp, api.execute(HttpMethod::kGet, url, std::nullopt, {}, {"listLookups", {}}));
    rapidjson::Document doc;
    REFBRIDGE_TRY(json::parse_document(resp.body, doc));
    if (!doc.IsObject() || !doc.HasMember("data") || !doc["data"].IsArray()) {
      return make_error(ErrorCode::kInvalidResponse, "import-primero: GET /api/v2/lookups: expected {\"data\": [...]}");
    }
    const auto& list = doc["data"];
    for (const auto& l : list.GetArray()) {
      rapidjson::StringBuffer sb;
      json::Writer w(sb);
      l.Accept(w);
      data += (data.empty() ? "" : ",") + std::string(sb.GetString(), sb.GetSize());
    }
    // The last page: metadata {total, per, page} says so (a server may cap `per` below 1000),
    // else a short or empty page.
    const rapidjson::Value* meta = doc.HasMember("metadata") ? &doc["metadata"] : nullptr;
    if (list.Empty()) break;
    if (meta != nullptr && meta->IsObject() && meta->HasMember("total") && (*meta)["total"].IsInt64() &&
        meta->HasMember("per") && (*meta)["per"].IsInt64()) {
      if (static_cast<std::int64_t>(page) * (*meta)["per"].GetInt64() >= (*meta)["total"].GetInt64()) break;
    } else if (list.Size() < 1000) {
      break;
    }
  }
  b.lookups = "{\"data\":[" + data + "]}";
  return b;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

Result<std::string> overlay_from_bodies(const std::string& forms_body, const std::string& lookups_body,
                                        const DeploymentSource& source, const ir::Api* base) {
  REFBRIDGE_TRY(const auto config, parse_primero_configuration(forms_body, lookups_body, source.instance));
  DeploymentOverlay overlay;
  overlay.source = source;
  overlay.source.input_sha256 = sha256_hex(forms_body + lookups_body);
  overlay.config = scoped_configuration(config, {source.record_type, source.module_id});
  return render_overlay(overlay, base);
}

Result<std::string> import_primero(const fs::path& root, ImportRequest r, std::ostream& out) {
  const bool files = !r.forms_file.empty() || !r.lookups_file.empty();
  if (files == !r.base_url.empty() || (files && (r.forms_file.empty() || r.lookups_file.empty()))) {
    return make_error(ErrorCode::kConfig,
                      "import-primero: give either --forms and --lookups (exported JSON) or --base-url and --user");
  }
  if (r.name.empty()) return make_error(ErrorCode::kConfig, "import-primero: --name is required");
  Bodies bodies;
  if (files) {
    REFBRIDGE_TRY(bodies.forms, read_file(r.forms_file, "forms"));
    REFBRIDGE_TRY(bodies.lookups, read_file(r.lookups_file, "lookups"));
    if (r.instance.empty()) r.instance = "the exported files " + r.forms_file + " and " + r.lookups_file;
  } else {
    REFBRIDGE_TRY(bodies, fetch_live(r));
    if (r.instance.empty()) r.instance = r.base_url;
  }
  DeploymentSource source{r.name, r.instance, r.exported_at.empty() ? now_utc() : r.exported_at, "",
                          r.record_type, r.module_id};
  std::optional<ir::Api> base;
  if (!r.base_spec.empty()) {
    REFBRIDGE_TRY(base, load_api(root, r.base_spec, "primero", "refbridge::primero"));
  }
  REFBRIDGE_TRY(const std::string text, overlay_from_bodies(bodies.forms, bodies.lookups, source, base ? &*base : nullptr));
  const fs::path path = root / (r.out.empty() ? "schemas/primero/deployments/" + r.name + ".yaml" : r.out);
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) return make_error(ErrorCode::kIo, "import-primero: cannot write " + path.generic_string());
  out << "refbridge-codegen: imported the " << r.record_type << " forms of " << r.instance << " into "
      << path.generic_string() << "\n";
  return text;
}

}  // namespace refbridge::codegen
