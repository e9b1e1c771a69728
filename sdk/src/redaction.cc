// Process-wide secret redaction. See refbridge/redaction.h.
#include "refbridge/redaction.h"

#include "refbridge/auth.h"

#include <boost/url.hpp>

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace refbridge {
namespace {

/// The registered texts, longest first.
class SecretSet {
 public:
  void add(std::string text) {
    if (text.size() < kMinSecretLength) return;
    std::unique_lock lock(mutex_);
    if (std::find(secrets_.begin(), secrets_.end(), text) != secrets_.end()) return;
    auto at = std::find_if(secrets_.begin(), secrets_.end(), [&](const std::string& s) { return s.size() < text.size(); });
    secrets_.insert(at, std::move(text));
  }

  std::string apply(std::string_view text) const {
    std::string out(text);
    std::shared_lock lock(mutex_);
    for (const auto& secret : secrets_) {
      for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + kRedacted.size())) {
        out.replace(pos, secret.size(), kRedacted);
      }
    }
    return out;
  }

  std::size_t size() const {
    std::shared_lock lock(mutex_);
    return secrets_.size();
  }

 private:
  mutable std::shared_mutex mutex_;
  std::vector<std::string> secrets_;  // guarded by mutex_
};

SecretSet& secrets() {
  static SecretSet set;
  return set;
}

}  // namespace

void register_secret(std::string_view secret) {
  if (secret.size() < kMinSecretLength) return;
  secrets().add(std::string(secret));
  secrets().add(boost::urls::encode(secret, boost::urls::unreserved_chars));
}

void register_basic_credentials(std::string_view user, std::string_view password) {
  register_secret(password);
  if (password.size() < kMinSecretLength) return;
  std::string pair(user);
  pair += ':';
  pair += password;
  secrets().add(base64_encode(pair));
}

std::string redact(std::string_view text) { return secrets().apply(text); }

std::size_t registered_secret_count() { return secrets().size(); }

}  // namespace refbridge
