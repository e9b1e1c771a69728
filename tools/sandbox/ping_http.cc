// HTTP helpers shared by the PING stores. See ping_http.h.
#include "ping_http.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace refbridge::sandbox::detail {

namespace {

constexpr int kMaxPageSize = 1000;

std::string reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Entity";
    default: return "Error";
  }
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string one_of_text(std::initializer_list<std::string_view> values) {
  std::string out;
  std::size_t i = 0;
  for (auto v : values) {
    if (i > 0) out += (i + 1 == values.size()) ? " or " : ", ";
    out += v;
    ++i;
  }
  return out;
}

}  // namespace

ApiResponse problem(int status, std::string_view detail, std::string_view instance) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("type", "about:blank", a);
  d.AddMember("title", str_value(reason_phrase(status), a), a);
  d.AddMember("status", status, a);
  d.AddMember("detail", str_value(detail, a), a);
  if (!instance.empty()) d.AddMember("instance", str_value(instance, a), a);
  ApiResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = to_json(d);
  return r;
}

ApiResponse json_answer(int status, const rapidjson::Value& v) {
  ApiResponse r;
  r.status = status;
  r.body = to_json(v);
  return r;
}

std::optional<std::string> query_param(const ApiRequest& request, const std::string& name) {
  auto it = request.params.find(name);
  if (it == request.params.end()) return std::nullopt;
  return it->second;
}

bool bearer_matches(std::string_view header, std::string_view token) {
  if (header.size() < 7) return false;
  std::string scheme(header.substr(0, 7));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "bearer ") return false;
  std::string_view given = header.substr(7);
  while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
  return secure_equals(given, token);
}

// ---- keyset paging -------------------------------------------------------------------------

std::variant<PageQuery, ApiResponse> parse_page_query(const ApiRequest& request, std::string_view token_kind) {
  const auto& path = request.raw_path;
  PageQuery query;
  if (auto ps = query_param(request, "pageSize")) {
    const bool numeric = !ps->empty() && ps->size() <= 6 &&
                         std::all_of(ps->begin(), ps->end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    query.page_size = numeric ? std::stoi(*ps) : 0;
    if (query.page_size < 1 || query.page_size > kMaxPageSize) {
      return problem(400, "pageSize must be an integer from 1 to " + std::to_string(kMaxPageSize), path);
    }
  }
  if (auto tok = query_param(request, "pageToken"); tok && !tok->empty()) {
    auto decoded = base64url_decode(*tok);
    const auto sep = decoded ? decoded->find('\x1f') : std::string::npos;
    if (!decoded || !starts_with(*decoded, token_kind) || sep == std::string::npos || sep < token_kind.size()) {
      return problem(400, "pageToken is not a token issued by this server", path);
    }
    query.after.emplace(decoded->substr(token_kind.size(), sep - token_kind.size()), decoded->substr(sep + 1));
  }
  return query;
}

ApiResponse keyset_page(const std::set<PageKey>& order, const PageQuery& query, std::string_view token_kind,
                        const std::function<bool(const PageKey&)>& include,
                        const std::function<rapidjson::Value(const PageKey&, Alloc&)>& render) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  auto it = query.after ? order.upper_bound(*query.after) : order.begin();
  const PageKey* last = nullptr;
  bool more = false;
  for (; it != order.end(); ++it) {
    if (!include(*it)) continue;
    if (static_cast<int>(items.Size()) == query.page_size) {
      more = true;
      break;
    }
    items.PushBack(render(*it, a), a);
    last = &*it;
  }
  d.AddMember("items", items, a);
  if (more && last != nullptr) {
    d.AddMember("nextPageToken", str_value(base64url_encode(std::string(token_kind) + last->first + '\x1f' + last->second), a), a);
  }
  return json_answer(200, d);
}

// ---- status PATCH bodies --------------------------------------------------------------------

std::variant<StatusPatch, ApiResponse> parse_status_patch(const ApiRequest& request, std::string_view status_key,
                                                          std::initializer_list<std::string_view> allowed,
                                                          std::initializer_list<std::string_view> optional_strings) {
  const auto& path = request.raw_path;
  rapidjson::Document body;
  if (auto err = parse_json(request.body, body)) return problem(400, "body is not JSON (" + *err + ")", path);
  if (!body.IsObject()) return problem(400, "body must be a JSON object", path);
  // Malformed bodies (not JSON, wrong member types) are 400; well-formed but invalid values 422.
  const auto* status = find_member(body, status_key);
  if (status == nullptr || !status->IsString()) return problem(400, std::string(status_key) + " (a string) is required", path);
  StatusPatch patch;
  patch.status.assign(status->GetString(), status->GetStringLength());
  for (auto key : optional_strings) {
    const auto* v = find_member(body, key);
    if (v == nullptr || v->IsNull()) continue;
    if (!v->IsString()) return problem(400, std::string(key) + " must be a string", path);
    patch.strings.emplace(std::string(key), std::string(v->GetString(), v->GetStringLength()));
  }
  if (std::find(allowed.begin(), allowed.end(), patch.status) == allowed.end()) {
    return problem(422, std::string(status_key) + " must be " + one_of_text(allowed), path);
  }
  return patch;
}

// ---- files --------------------------------------------------------------------------------

std::optional<std::string> read_json_file(const std::filesystem::path& dir, const std::string& name, rapidjson::Document& doc) {
  std::ifstream in(dir / name, std::ios::binary);
  if (!in) return name + ": missing or unreadable, skipped";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (auto err = parse_json(text, doc)) return name + ": not valid JSON at " + *err + ", skipped";
  return std::nullopt;
}

}  // namespace refbridge::sandbox::detail
