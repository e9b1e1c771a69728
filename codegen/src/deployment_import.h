#pragma once
// `refbridge-codegen import-primero`: an instance's forms and lookups -> a deployment overlay
// (deployment.h), from exported JSON files or from the live instance.
//   refbridge-codegen import-primero --name gambella --forms forms.json --lookups lookups.json
//   REFBRIDGE_PRIMERO_PASSWORD=... refbridge-codegen import-primero --name gambella (one command line)
//       --base-url https://primero.example.org --user refbridge-api

#include "deployment.h"

#include <filesystem>
#include <ostream>
#include <string>

namespace refbridge::codegen {

struct ImportRequest {
  std::string name;          ///< deployment name (required)
  std::string forms_file;    ///< exported GET /api/v2/forms body (with lookups_file)
  std::string lookups_file;  ///< exported GET /api/v2/lookups body, one page or all pages as one {"data": [...]}
  std::string base_url;      ///< live instance (instead of the files)
  std::string user;          ///< live: the API user; the password comes from REFBRIDGE_PRIMERO_PASSWORD
  std::string instance;      ///< how the source note names the instance; default: the base URL or the files
  std::string exported_at;   ///< UTC RFC 3339; default: now
  std::string record_type = "case";
  std::string module_id = "primeromodule-cp";
  std::string base_spec = "schemas/primero/openapi.yaml";  ///< names the row models (relative to root)
  std::string out;  ///< default schemas/primero/deployments/<name>.yaml (relative to root)
};

/// The overlay of the two bodies (hashes them, parses, restricts to the scope, renders).
/// Errors: kInvalidInput from parse_primero_configuration.
Result<std::string> overlay_from_bodies(const std::string& forms_body, const std::string& lookups_body,
                                        const DeploymentSource& source, const ir::Api* base);

/// Reads the input (files or live), writes the overlay under root, prints the written path and
/// counts to `out`. Errors: kConfig (neither or both inputs; no password in the environment),
/// kIo, kInvalidInput, and the live calls' errors (kUnauthorized, kForbidden, transport).
Result<std::string> import_primero(const std::filesystem::path& root, ImportRequest request, std::ostream& out);

/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace refbridge::codegen
