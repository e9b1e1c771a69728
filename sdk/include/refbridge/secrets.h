#pragma once
// Where secrets come from: environment variables only, never a configuration file or a
// command-line argument (issue 5, "Secrets"). A secret NAME is read from the variable NAME, or
// from the file whose path is in NAME_FILE (a mounted Kubernetes/Docker secret, a systemd
// credential); one trailing "\n" or "\r\n" of the file is dropped. Every secret read is
// registered with redaction (redaction.h) before it is returned, so nothing can log it first.

#include "refbridge/error.h"

#include <optional>
#include <string>
#include <string_view>

namespace refbridge {

/// Reads the secret `name` (e.g. "REFBRIDGE_PING_CLIENT_SECRET") as described above.
/// Returns std::nullopt when neither NAME nor NAME_FILE is set (or both are empty).
/// Errors (kConfig, naming the variables, never the value): both NAME and NAME_FILE set; the
/// file cannot be read (kIo, with the path); the secret is shorter than kMinSecretLength.
Result<std::optional<std::string>> read_secret(std::string_view name);

/// As read_secret(), but a missing secret is a kConfig error saying which variables to set and
/// `what` the secret is for (e.g. "the Primero API user's password").
Result<std::string> require_secret(std::string_view name, std::string_view what);

}  // namespace refbridge
