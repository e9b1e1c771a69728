// Secrets from the environment. See refbridge/secrets.h.
#include "refbridge/secrets.h"

#include "refbridge/redaction.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace refbridge {
namespace {

std::optional<std::string> env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

Result<std::string> read_secret_file(const std::string& variable, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read the secret file named by " + variable + ": " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

}  // namespace

Result<std::optional<std::string>> read_secret(std::string_view name) {
  const std::string var(name);
  const std::string file_var = var + "_FILE";
  const auto direct = env(var);
  const auto file = env(file_var);
  if (direct && file) {
    return make_error(ErrorCode::kConfig, "both " + var + " and " + file_var + " are set: set only one of them");
  }
  if (!direct && !file) return std::optional<std::string>();
  std::string secret;
  if (direct) {
    secret = *direct;
  } else {
    REFBRIDGE_TRY(secret, read_secret_file(file_var, *file));
  }
  if (secret.size() < kMinSecretLength) {
    return make_error(ErrorCode::kConfig, "the secret in " + (direct ? var : file_var) + " is shorter than " +
                                              std::to_string(kMinSecretLength) + " characters");
  }
  register_secret(secret);
  return std::optional<std::string>(std::move(secret));
}

Result<std::string> require_secret(std::string_view name, std::string_view what) {
  REFBRIDGE_TRY(auto secret, read_secret(name));
  if (!secret) {
    return make_error(ErrorCode::kConfig, "set " + std::string(what) + " in " + std::string(name) + " (or a file path in " +
                                              std::string(name) + "_FILE)");
  }
  return std::move(*secret);
}

}  // namespace refbridge
