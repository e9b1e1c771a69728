// Applying fault plans to the sandbox servers. See faults_http.h.
#include "faults_http.h"

#include "ping_http.h"
#include "primero_store.h"
#include "refbridge/log.h"
#include "support.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace refbridge::sandbox::detail {
namespace {

/// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive), or "".
std::string bearer_token(const std::string& header) {
  if (header.size() <= 7) return {};
  std::string scheme = header.substr(0, 7);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scheme == "bearer " ? header.substr(7) : std::string();
}

void answer(const ApiResponse& api, httplib::Response& res) {
  res.status = api.status;
  for (const auto& [k, v] : api.headers) res.set_header(k, v);
  res.set_content(api.body, api.content_type);
}

ApiResponse error_answer(FaultApi api, int status, std::string_view path, std::string_view message) {
  return api == FaultApi::kPing ? problem(status, message, path) : PrimeroStore::error(status, path, message);
}

ApiResponse expired_answer(FaultApi api, std::string_view path) {
  if (api == FaultApi::kPing) {
    auto r = problem(401, "the access token has expired", path);
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"PING\", error=\"invalid_token\"");
    return r;
  }
  ApiResponse r;
  r.status = 401;
  r.body = R"({"error":"Signature has expired"})";
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"Primero\" charset=\"UTF8\"");
  return r;
}

/// Announces the body's length, sends its first `sent` bytes, then makes httplib close the
/// connection (a content provider returning false aborts the answer). An empty body is announced
/// as 16 bytes so that the answer is incomplete too.
void drop_connection(httplib::Response& res, std::string body, std::size_t sent) {
  if (body.size() < 16) body.resize(16, ' ');
  auto data = std::make_shared<const std::string>(std::move(body));
  sent = std::min(sent, data->size() - 1);
  if (res.status < 100) res.status = 200;
  res.body.clear();
  res.set_content_provider(data->size(), "application/json",
                           [data, sent](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             if (offset >= sent) return false;
                             sink.write(data->data() + offset, std::min(length, sent - offset));
                             return true;
                           });
}

/// Valid JSON of the wrong shape for `body` (see faults_http.h); "" stays "".
std::string wrong_shape(const std::string& body) {
  rapidjson::Document d;
  if (body.empty() || parse_json(body, d)) return body;
  if (d.IsArray() || !d.IsObject()) return R"({"unexpected":true})";
  auto member = d.MemberBegin();
  for (rapidjson::SizeType i = 0; i < d.MemberCount(); ++i, ++member) member->value.SetInt(0);
  return to_json(d);
}

std::string malformed(std::string body) {
  const auto colon = body.find(':');
  if (colon == std::string::npos) return body + "}";
  body[colon] = ' ';
  return body;
}

bool is_ingestion_post(const httplib::Request& req, std::string_view path) {
  return req.method == "POST" && path.substr(0, 14) == "/v1/ingestion/";
}

}  // namespace

FaultInjector::FaultInjector(std::function<void()> fail_next_ingestion, refbridge::Logger* logger)
    : fail_next_ingestion_(std::move(fail_next_ingestion)), logger_(logger), selector_(std::make_shared<FaultSelector>()) {}

void FaultInjector::set_plan(FaultPlan plan) {
  auto selector = std::make_shared<FaultSelector>(std::move(plan));
  std::lock_guard lock(mutex_);
  selector_ = std::move(selector);
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  selector_ = std::make_shared<FaultSelector>();
  expired_tokens_.clear();
}

std::vector<FaultRuleStats> FaultInjector::stats() const {
  std::shared_ptr<FaultSelector> selector;
  {
    std::lock_guard lock(mutex_);
    selector = selector_;
  }
  return selector->stats();
}

httplib::Server::Handler FaultInjector::wrap(FaultApi api, httplib::Server::Handler inner) {
  return [this, api, inner = std::move(inner)](const httplib::Request& req, httplib::Response& res) {
    handle(api, inner, req, res);
  };
}

ApiResponse FaultInjector::admin(const ApiRequest& request) {
  if (request.method == "POST") {
    auto plan = parse_fault_plan(request.body);
    if (!plan) return problem(400, plan.error().message, request.raw_path);
    set_plan(std::move(plan).value());
  } else if (request.method == "DELETE") {
    clear();
  } else if (request.method != "GET") {
    return problem(405, "use GET, POST or DELETE", request.raw_path);
  }
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value rules(rapidjson::kArrayType);
  for (const auto& s : stats()) {
    rapidjson::Value r(rapidjson::kObjectType);
    r.AddMember("kind", str_value(to_string(s.rule.kind), a), a);
    r.AddMember("method", str_value(s.rule.method, a), a);
    r.AddMember("path", str_value(s.rule.path, a), a);
    r.AddMember("matched", s.matched, a);
    r.AddMember("hits", s.hits, a);
    rules.PushBack(r, a);
  }
  d.AddMember("rules", rules, a);
  return json_answer(200, d);
}

void FaultInjector::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  wake_.notify_all();
}

void FaultInjector::handle(FaultApi api, const httplib::Server::Handler& inner, const httplib::Request& req,
                           httplib::Response& res) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  if (path.rfind("/_sandbox", 0) == 0) return inner(req, res);
  const std::string bearer = bearer_token(req.get_header_value("Authorization"));
  std::shared_ptr<FaultSelector> selector;
  {
    std::lock_guard lock(mutex_);
    selector = selector_;
  }
  const auto hits = selector->hits(req.method, path, !bearer.empty());
  for (const auto& hit : hits) {
    if (hit.kind == FaultKind::kLatency) {
      log_hit(hit);
      wait_ms(hit.latency_ms);
    }
  }
  if (!bearer.empty() && token_expired(api, bearer)) return answer(expired_answer(api, path), res);
  if (before(api, hits, req, res)) return;
  inner(req, res);
  after(hits, res);
}

bool FaultInjector::before(FaultApi api, const std::vector<FaultRule>& hits, const httplib::Request& req,
                           httplib::Response& res) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  for (const auto& hit : hits) {
    switch (hit.kind) {
      case FaultKind::kStatus: {
        log_hit(hit);
        auto r = error_answer(api, hit.status, path, "fault injected by the sandbox");
        if (hit.retry_after) r.headers.emplace_back("Retry-After", std::to_string(*hit.retry_after));
        answer(r, res);
        return true;
      }
      case FaultKind::kReset:
      case FaultKind::kHang:
        if (hit.phase != FaultPhase::kBefore) break;
        log_hit(hit);
        if (hit.kind == FaultKind::kHang) wait_ms(hit.hang_ms);
        drop_connection(res, std::string(), 0);
        return true;
      case FaultKind::kTokenExpiry:
        log_hit(hit);
        expire_seen_tokens(api);
        answer(expired_answer(api, path), res);
        return true;
      case FaultKind::kIngestionFail:
        if (!is_ingestion_post(req, path)) break;
        log_hit(hit);
        if (fail_next_ingestion_) fail_next_ingestion_();
        break;
      case FaultKind::kIngestionPending: {
        const auto seg = split_path(path);
        if (req.method != "GET" || seg.size() != 4 || seg[1] != "ingestion" || seg[2] != "transactions") break;
        log_hit(hit);
        rapidjson::Document d(rapidjson::kObjectType);
        d.AddMember("transactionId", str_value(seg[3], d.GetAllocator()), d.GetAllocator());
        d.AddMember("status", "processing", d.GetAllocator());
        answer(json_answer(200, d), res);
        return true;
      }
      default:
        break;
    }
  }
  return false;
}

void FaultInjector::after(const std::vector<FaultRule>& hits, httplib::Response& res) {
  for (const auto& hit : hits) {
    switch (hit.kind) {
      case FaultKind::kReset:
      case FaultKind::kHang:
        if (hit.phase != FaultPhase::kAfter) break;
        log_hit(hit);
        if (hit.kind == FaultKind::kHang) wait_ms(hit.hang_ms);
        drop_connection(res, res.body, res.body.size() / 2);
        return;
      case FaultKind::kTruncatedJson:
        log_hit(hit);
        res.body.resize(res.body.size() / 2);
        return;
      case FaultKind::kMalformedJson:
        log_hit(hit);
        res.body = malformed(std::move(res.body));
        return;
      case FaultKind::kSchemaViolation:
        log_hit(hit);
        res.body = wrong_shape(res.body);
        return;
      default:
        break;
    }
  }
}

bool FaultInjector::token_expired(FaultApi api, const std::string& bearer) {
  std::lock_guard lock(mutex_);
  if (expired_tokens_.count({api, bearer}) != 0) return true;
  seen_tokens_.emplace(api, bearer);
  return false;
}

void FaultInjector::expire_seen_tokens(FaultApi api) {
  std::lock_guard lock(mutex_);
  for (const auto& seen : seen_tokens_) {
    if (seen.first == api) expired_tokens_.insert(seen);
  }
}

void FaultInjector::wait_ms(int ms) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return cancelled_; });
}

void FaultInjector::log_hit(const FaultRule& rule) {
  if (logger_ == nullptr) return;
  logger_->warn("sandbox.fault", {{LogKey::kMessage, std::string(to_string(rule.kind))},
                                  {LogKey::kHttpStatus, rule.kind == FaultKind::kStatus ? std::to_string(rule.status) : "0"}});
}

}  // namespace refbridge::sandbox::detail
