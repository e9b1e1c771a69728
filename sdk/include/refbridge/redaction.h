#pragma once
// Redaction of secrets: the last line of defence that keeps credentials out of logs, run reports,
// error messages and the ledger (issue 5, "Secrets"). Every secret refbridge reads (secrets.h),
// derives (the Basic header's base64 form) or receives (OAuth2 access tokens, Primero login
// tokens) is registered here once, process-wide; the Logger, the run report writer and the SQLite
// ledger pass every text they write through redact().
//
// Shapes: a registered secret is matched byte for byte (case-sensitive) anywhere in a text and
// replaced by kRedacted. Besides the secret itself, its percent-encoded form (RFC 3986 unreserved
// characters kept, as in a form body or a query) is registered when it differs. Secrets shorter
// than kMinSecretLength are not registered: they cannot be told apart from ordinary text (the
// configuration refuses them, see secrets.h).
// Thread safety: every function may be called from any thread at any time.

#include <cstddef>
#include <string>
#include <string_view>

namespace refbridge {

/// What a redacted secret becomes.
inline constexpr std::string_view kRedacted = "[redacted]";

/// Shorter secrets are ignored by register_secret() (and refused by read_secret()).
inline constexpr std::size_t kMinSecretLength = 4;

/// Registers `secret` (and its percent-encoded form) for redaction, for the rest of the process.
/// Registering the same text again is harmless.
void register_secret(std::string_view secret);

/// Registers the HTTP Basic form of a credential pair: base64("<user>:<password>") (RFC 7617),
/// which is what travels in "Authorization: Basic ...", plus `password` itself.
void register_basic_credentials(std::string_view user, std::string_view password);

/// `text` with every registered secret replaced by kRedacted (longest secrets first, so a secret
/// that contains another one is replaced whole).
[[nodiscard]] std::string redact(std::string_view text);

/// Number of distinct texts registered so far (secrets and their derived forms).
[[nodiscard]] std::size_t registered_secret_count();

}  // namespace refbridge
