// ApiConnection: credentials, JSON headers, status -> Error. See refbridge/api_connection.h.
#include "refbridge/api_connection.h"

#include <rapidjson/document.h>


namespace refbridge {

ErrorCode error_code_for_status(int status) noexcept {
  switch (status) {
    case 401: return ErrorCode::kUnauthorized;
    case 403: return ErrorCode::kForbidden;
    case 404: return ErrorCode::kNotFound;
    case 409: return ErrorCode::kConflict;
    case 422: return ErrorCode::kUnprocessable;
    case 429: return ErrorCode::kRateLimited;
    default: return status >= 500 ? ErrorCode::kServerError : ErrorCode::kHttp;
  }
}

namespace {

constexpr std::size_t kMaxSummary = 300;

std::string text_of(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsArray()) {
    std::string out;
    for (const auto& item : v.GetArray()) {
      if (!item.IsString()) continue;
      if (!out.empty()) out += ", ";
      out.append(item.GetString(), item.GetStringLength());
    }
    return out;
  }
  return {};
}

std::string clip(std::string s) {
  if (s.size() > kMaxSummary) {
    s.resize(kMaxSummary);
    s += "...";
  }
  return s;
}

}  // namespace

std::string summarize_error_body(const HttpResponse& response) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.c_str(), response.body.size());  // no recursion on deep bodies
  const std::string fallback = "HTTP " + std::to_string(response.status);
  if (doc.HasParseError() || !doc.IsObject()) return fallback;
  // Primero: {"errors":[{"status","resource","detail","message"}]}
  if (doc.HasMember("errors") && doc["errors"].IsArray()) {
    std::string out;
    for (const auto& e : doc["errors"].GetArray()) {
      if (!e.IsObject()) continue;
      std::string part = e.HasMember("message") ? text_of(e["message"]) : std::string();
      if (e.HasMember("detail")) {
        const auto detail = text_of(e["detail"]);
        if (!detail.empty()) part += (part.empty() ? "" : " ") + std::string("[") + detail + "]";
      }
      if (part.empty()) continue;
      if (!out.empty()) out += "; ";
      out += part;
    }
    return out.empty() ? fallback : clip(out);
  }
  // Devise: {"error":"..."}
  if (doc.HasMember("error") && doc["error"].IsString()) return clip(text_of(doc["error"]));
  // RFC 7807: {"title","detail"}
  if (doc.HasMember("title") && doc["title"].IsString()) {
    std::string out = text_of(doc["title"]);
    if (doc.HasMember("detail") && doc["detail"].IsString()) out += ": " + text_of(doc["detail"]);
    return clip(out);
  }
  return fallback;
}

namespace {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

ApiConnection::ApiConnection(UrlBuilder base, HttpTransport& transport, Authenticator& auth, RetrySettings retry)
    : base_(std::move(base)), transport_(&transport), auth_(&auth), retry_(std::move(retry)) {
  if (retry_.clock == nullptr) retry_.clock = &system_clock();
  if (!retry_.sleep) retry_.sleep = interruptible_sleeper(retry_.cancel);
}

Result<ApiConnection> ApiConnection::create(std::string_view base_url, HttpTransport& transport, Authenticator& auth,
                                            RetrySettings retry) {
  auto base = UrlBuilder::from_base(base_url);
  if (!base) return base.error();
  return ApiConnection(std::move(base).value(), transport, auth, std::move(retry));
}

Result<HttpResponse> ApiConnection::send_once(HttpRequest& request, HttpMethod method) {
  for (int attempt = 0;; ++attempt) {
    if (auto r = auth_->apply(request); !r) return r.error();
    auto sent = transport_->send(request);
    if (!sent) return sent.error();
    HttpResponse response = std::move(sent).value();
    if (response.status == 401 && attempt == 0 && auth_->invalidate()) continue;  // token expired: log in again
    if (response.status >= 200 && response.status < 300) return response;

    Error e = make_error(error_code_for_status(response.status),
                         std::string(to_string(method)) + " answered " + std::to_string(response.status) + ": " +
                             summarize_error_body(response),
                         response.status);
    if (auto wait = parse_retry_after(response, retry_.clock->now())) {
      e.retry_after_seconds = static_cast<int>((wait->count() + 999) / 1000);
    }
    return e;
  }
}

Result<HttpResponse> ApiConnection::execute(HttpMethod method, const std::string& url, std::optional<std::string> body,
                                            const std::vector<HttpHeader>& extra_headers, const CallInfo& call) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers.emplace_back("Accept", "application/json");
  if (body) request.headers.emplace_back("Content-Type", "application/json");
  for (const auto& h : extra_headers) request.headers.push_back(h);
  request.body = std::move(body);

  const Idempotency idempotency = call.idempotency.value_or(default_idempotency(method));
  const std::string operation = call.operation.empty() ? std::string(to_string(method)) : std::string(call.operation);
  const std::uint64_t n = calls_->fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t seed = retry_.policy.jitter_seed == 0 ? 0 : retry_.policy.jitter_seed + n;
  const RetryEnv env{*retry_.clock, retry_.sleep, retry_.cancel};
  auto on_retry = [&](int attempt, const Error& e, std::chrono::milliseconds wait) {
    if (retry_.log == nullptr) return;
    retry_.log->warn("http.retry", {{LogKey::kOperation, operation},
                                    {LogKey::kAttempt, std::to_string(attempt)},
                                    {LogKey::kErrorCode, std::string(to_string(e.code))},
                                    {LogKey::kHttpStatus, std::to_string(e.http_status)},
                                    {LogKey::kDurationMs, std::to_string(wait.count())}});
  };
  auto result = retry_loop<HttpResponse>(retry_.policy, idempotency, env, seed,
                                         [&]() { return send_once(request, method); }, on_retry);
  if (!result) {
    Error e = result.error();
    if (e.system.empty()) e.system = system_;
    const std::string where = (system_.empty() ? std::string() : system_ + " ") + operation + " on " + base_.host() + ": ";
    e.message.insert(0, where);
    return e;
  }
  return result;
}

}  // namespace refbridge
