// Authentication strategies: Basic and static Bearer (the Primero login: auth_primero.cc). See
// refbridge/auth.h.
#include "refbridge/auth.h"

#include "auth_support.h"
#include "refbridge/redaction.h"

namespace refbridge {

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {

using detail::set_header;

class BasicAuth final : public Authenticator {
 public:
  BasicAuth(const std::string& user, const std::string& password)
      : header_("Basic " + base64_encode(user + ":" + password)) {
    register_basic_credentials(user, password);
  }
  Result<void> apply(HttpRequest& request) override {
    set_header(request, "Authorization", header_);
    return ok();
  }

 private:
  std::string header_;
};

class StaticBearer final : public Authenticator {
 public:
  StaticBearer(std::string token, std::string key) : token_(std::move(token)), key_(std::move(key)) {
    register_secret(token_);
    register_secret(key_);
  }
  Result<void> apply(HttpRequest& request) override {
    if (token_.empty()) return make_error(ErrorCode::kConfig, "no bearer token configured");
    set_header(request, "Authorization", "Bearer " + token_);
    if (!key_.empty()) set_header(request, "Ocp-Apim-Subscription-Key", key_);
    return ok();
  }

 private:
  std::string token_;
  std::string key_;
};

}  // namespace

std::unique_ptr<Authenticator> make_basic_auth(std::string user, std::string password) {
  return std::make_unique<BasicAuth>(user, password);
}

std::unique_ptr<Authenticator> make_static_bearer(std::string token, std::string subscription_key) {
  return std::make_unique<StaticBearer>(std::move(token), std::move(subscription_key));
}

}  // namespace refbridge
