// Authentication strategies. See refbridge/auth.h.
#include "refbridge/auth.h"

#include "auth_support.h"
#include "refbridge/redaction.h"
#include "refbridge/url.h"
#include "token_cache.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

class PrimeroTokenLogin final : public Authenticator {
 public:
  PrimeroTokenLogin(std::string base, std::string user, std::string password, HttpTransport& transport, const Clock& clock)
      : base_(std::move(base)), user_(std::move(user)), password_(std::move(password)), transport_(&transport),
        cache_(clock) {
    register_secret(password_);
  }

  // Concurrent callers share one token; the first to find it missing logs in while the others
  // wait (detail::TokenCache), so a 401 burst from several workers causes one login.
  Result<void> apply(HttpRequest& request) override {
    REFBRIDGE_TRY(auto token, cache_.get([this] { return log_in(); }));
    set_header(request, "Authorization", "Bearer " + token);
    return ok();
  }

  bool invalidate() override { return cache_.invalidate(); }

 private:
  std::string login_body() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("user");
    w.StartObject();
    w.Key("user_name");
    w.String(user_.c_str(), static_cast<rapidjson::SizeType>(user_.size()));
    w.Key("password");
    w.String(password_.c_str(), static_cast<rapidjson::SizeType>(password_.size()));
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
  }

  Result<detail::FetchedToken> log_in() {
    auto url = UrlBuilder::from_base(base_);
    if (!url) return url.error();
    HttpRequest req;
    req.method = HttpMethod::kPost;
    req.url = url.value().path("api/v2/tokens").str();
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = login_body();
    auto resp = transport_->send(req);
    if (!resp) return resp.error();
    if (resp.value().status == 429) {
      Error e = make_error(ErrorCode::kRateLimited, "Primero login throttled (at most 6 logins per minute and user)", 429);
      e.retry_after_seconds = detail::retry_after_seconds(resp.value(), detail::kDefaultLoginWaitSeconds);
      return e;
    }
    if (resp.value().status != 200) {
      return make_error(ErrorCode::kUnauthorized, "Primero login refused", resp.value().status);
    }
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(resp.value().body.c_str(), resp.value().body.size());  // no recursion on deep bodies
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("token") || !doc["token"].IsString() ||
        doc["token"].GetStringLength() == 0) {
      return make_error(ErrorCode::kUnauthorized,
                        "Primero login answered without a token (Primero >= 2.11 has no token login: use Basic auth)",
                        resp.value().status);
    }
    detail::FetchedToken token{std::string(doc["token"].GetString(), doc["token"].GetStringLength()), std::nullopt,
                               std::nullopt};
    register_secret(token.value);
    return token;
  }

  std::string base_;
  std::string user_;
  std::string password_;
  HttpTransport* transport_;
  detail::TokenCache cache_;
};

}  // namespace

std::unique_ptr<Authenticator> make_basic_auth(std::string user, std::string password) {
  return std::make_unique<BasicAuth>(user, password);
}

std::unique_ptr<Authenticator> make_static_bearer(std::string token, std::string subscription_key) {
  return std::make_unique<StaticBearer>(std::move(token), std::move(subscription_key));
}

std::unique_ptr<Authenticator> make_primero_token_login(std::string base_url, std::string user, std::string password,
                                                        HttpTransport& transport, const Clock* clock) {
  return std::make_unique<PrimeroTokenLogin>(std::move(base_url), std::move(user), std::move(password), transport,
                                             clock != nullptr ? *clock : system_clock());
}

}  // namespace refbridge
