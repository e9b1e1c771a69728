// ApiConnection: credentials, JSON headers, status -> Error. See refbridge/api_connection.h.
#include "refbridge/api_connection.h"

#include <rapidjson/document.h>

#include <charconv>

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
  doc.Parse(response.body.c_str(), response.body.size());
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

Result<ApiConnection> ApiConnection::create(std::string_view base_url, HttpTransport& transport, Authenticator& auth) {
  auto base = UrlBuilder::from_base(base_url);
  if (!base) return base.error();
  return ApiConnection(std::move(base).value(), transport, auth);
}

Result<HttpResponse> ApiConnection::execute(HttpMethod method, const std::string& url, std::optional<std::string> body,
                                            const std::vector<HttpHeader>& extra_headers) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers.emplace_back("Accept", "application/json");
  if (body) request.headers.emplace_back("Content-Type", "application/json");
  for (const auto& h : extra_headers) request.headers.push_back(h);
  request.body = std::move(body);

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
    if (auto ra = response.header("Retry-After")) {
      int seconds = -1;
      auto [p, ec] = std::from_chars(ra->data(), ra->data() + ra->size(), seconds);
      if (ec == std::errc() && p == ra->data() + ra->size() && seconds >= 0) e.retry_after_seconds = seconds;
    }
    return e;
  }
}

}  // namespace refbridge
