#pragma once
// Typed models per deployment: the base Primero schema with a deployment overlay merged onto it
// (deployment.h), emitted as a variant of the record model and its rows in the deployment's own
// namespace (codegen.yaml `deployments:`):
//   generated/deployments/primero_<name>/models.h, serde.h, serde.cc
//   namespace refbridge::primero::<name> { struct Case; struct Service; enums ... }
// Merge rule, per model of the overlay (the record model, its row models):
//  - a member the base model lacks is added with the overlay's type (the deployment's custom
//    fields: progres_interventionnumber, unhcr_referral_status, ...);
//  - a member the base declares as text (string, or a list of strings) and the overlay as an enum
//    of the instance's option ids (a lookup or inline options) takes the enum (open: OpenEnum
//    keeps an unknown value, so a record still round-trips);
//  - any other member the base declares keeps the base's type (format, bounds, lower-case ids:
//    what the SDK relies on);
// then only the record model and the models it reaches are emitted (no client: the deployment
// models read and write the same JSON as the base models and are used with the base client's
// raw bodies or converted through JSON).

#include "generated_file.h"
#include "ir.pb.h"
#include "refbridge/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace refbridge::codegen {

struct DeploymentConfig {
  std::string name;           ///< "gambella"
  std::string overlay;        ///< "schemas/primero/deployments/gambella.yaml"
  std::string api;            ///< base API name in codegen.yaml ("primero")
  std::string profile;        ///< the deployment's profile, for the mapping checks
  std::string cpp_namespace;  ///< "refbridge::primero::gambella"
  std::string out;            ///< "generated/deployments/primero_gambella"
};

/// `base` with `overlay` (the overlay file loaded as an API) merged (rules above), restricted to
/// `record_model` and what it reaches, named `name` in `cpp_namespace`.
/// Errors: kInvalidInput when the overlay lacks the record model.
Result<ir::Api> merge_deployment(const ir::Api& base, const ir::Api& overlay, const std::string& record_model,
                                 const std::string& name, const std::string& cpp_namespace);

/// Loads the overlay (as an API and as a configuration), merges and emits models.h, serde.h and
/// serde.cc under d.out. Errors: the loaders', merge_deployment's.
Result<std::vector<GeneratedFile>> generate_deployment_models(const std::filesystem::path& root,
                                                              const DeploymentConfig& d, const ir::Api& base);

}  // namespace refbridge::codegen
