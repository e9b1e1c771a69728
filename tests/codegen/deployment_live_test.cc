// `refbridge-codegen import-primero` against a live instance: the sandbox's Primero (started here
// on 127.0.0.1, ephemeral port, lookups paged 5 at a time) answers GET /api/v2/forms and
// /api/v2/lookups; the overlay equals the one imported from the exported files, a changed
// instance imported again diffs as breaking, and a wrong or missing password is an error.
#include "deployment_diff.h"
#include "deployment_import.h"

#include "deployment/export_edit.h"
#include "sandbox.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace refbridge;
using namespace refbridge::codegen;

namespace {

const fs::path kSource(REFBRIDGE_SOURCE_DIR);
constexpr const char* kPassword = "live-import-pw";

std::unique_ptr<sandbox::Sandbox> start(const std::string& forms = {}) {
  sandbox::SandboxOptions o;
  o.primero_password = kPassword;
  o.primero_max_per = 5;  // several pages of lookups
  o.primero_forms_json = forms;
  auto sb = sandbox::Sandbox::start(o);
  REQUIRE(sb);
  return std::move(sb).value();
}

ImportRequest live(const sandbox::Sandbox& sb, const std::string& out) {
  ImportRequest r;
  r.name = "gambella";
  r.base_url = "http://127.0.0.1:" + std::to_string(sb.primero_port());
  r.user = "primero_api";
  r.instance = "the sandbox";
  r.exported_at = "2026-12-05T08:00:00Z";
  r.base_spec = (kSource / "schemas/primero/openapi.yaml").string();
  r.out = out;
  return r;
}

/// The overlay from `openapi:` on (the source note names the input's hash, which differs).
std::string body_of(const std::string& overlay) { return overlay.substr(overlay.find("\nopenapi:")); }

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-live-import-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("a live import equals the import of the exported files, and a changed instance diffs as breaking",
          "[deployment]") {
  ::setenv("REFBRIDGE_PRIMERO_PASSWORD", kPassword, 1);
  const fs::path dir = scratch();
  auto sb = start();
  std::ostringstream log;
  auto imported = import_primero(dir, live(*sb, "before.yaml"), log);
  INFO((imported ? std::string() : imported.error().message));
  REQUIRE(imported);
  CHECK(fs::exists(dir / "before.yaml"));
  CHECK(imported.value().find("instance: \"the sandbox\"") != std::string::npos);

  ImportRequest files = live(*sb, "files.yaml");
  files.base_url.clear();
  files.forms_file = (kSource / "tools/sandbox/config/forms.json").string();
  files.lookups_file = (kSource / "tools/sandbox/config/lookups.json").string();
  auto from_files = import_primero(dir, files, log);
  REQUIRE(from_files);
  CHECK(body_of(imported.value()) == body_of(from_files.value()));

  // The administrator removes the correlation key from the services subform.
  const std::string forms = refbridge::test::remove_field(
      refbridge::test::slurp_file((kSource / "tools/sandbox/config/forms.json").string()), "services_section",
      "progres_interventionnumber");
  auto changed = start(forms);
  REQUIRE(import_primero(dir, live(*changed, "after.yaml"), log));
  std::ostringstream out, err;
  CHECK(run_deployment_diff(kSource, "schemas/codegen.yaml", (dir / "before.yaml").string(),
                            (dir / "after.yaml").string(), "", out, err) == 1);
  CHECK(out.str().find("BREAKING: services_section.progres_interventionnumber: field removed") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a live import without the password, or with a wrong one, fails and writes nothing", "[deployment]") {
  const fs::path dir = scratch();
  auto sb = start();
  std::ostringstream log;
  ::unsetenv("REFBRIDGE_PRIMERO_PASSWORD");
  auto none = import_primero(dir, live(*sb, "x.yaml"), log);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == ErrorCode::kConfig);
  CHECK(none.error().message.find("REFBRIDGE_PRIMERO_PASSWORD") != std::string::npos);
  ::setenv("REFBRIDGE_PRIMERO_PASSWORD", "wrong", 1);
  auto wrong = import_primero(dir, live(*sb, "x.yaml"), log);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::kUnauthorized);
  CHECK(wrong.error().message.find("wrong") == std::string::npos);  // no secret in the message
  CHECK_FALSE(fs::exists(dir / "x.yaml"));
  ::unsetenv("REFBRIDGE_PRIMERO_PASSWORD");
  fs::remove_all(dir);
}
