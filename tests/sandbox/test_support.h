#pragma once
// Helpers shared by the sandbox tests.

#include "sandbox.h"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <string>

namespace sandbox_test {

inline constexpr const char* kPassword = "s3cret-pw";
inline constexpr const char* kToken = "ping-token-123";

/// A sandbox with both servers authenticated; `tweak` adjusts the options before the start.
inline std::unique_ptr<refbridge::sandbox::Sandbox> start_sandbox(
    int max_per = 1000, const std::function<void(refbridge::sandbox::SandboxOptions&)>& tweak = {}) {
  refbridge::sandbox::SandboxOptions options;
  options.primero_password = kPassword;
  options.ping_token = kToken;
  options.primero_max_per = max_per;
  if (tweak) tweak(options);
  auto started = refbridge::sandbox::Sandbox::start(options);
  REQUIRE(started.has_value());
  return std::move(started).value();
}

inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

/// Percent-encodes every byte outside the RFC 3986 unreserved set.
inline std::string encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

inline std::unique_ptr<httplib::Client> ping_client(const refbridge::sandbox::Sandbox& sb, bool with_token = true) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", sb.ping_port());
  c->set_url_encode(false);
  if (with_token) c->set_bearer_token_auth(kToken);
  return c;
}

inline std::unique_ptr<httplib::Client> primero_client(const refbridge::sandbox::Sandbox& sb, bool with_auth = true) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", sb.primero_port());
  c->set_url_encode(false);
  if (with_auth) c->set_basic_auth("primero_api", kPassword);
  return c;
}

inline std::string str(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  REQUIRE(it != v.MemberEnd());
  REQUIRE(it->value.IsString());
  return it->value.GetString();
}

/// POST /api/v2/cases {"data": data_json}, which must answer 200; the new case's record id.
inline std::string create(httplib::Client& c, const std::string& data_json) {
  auto res = c.Post("/api/v2/cases", "{\"data\":" + data_json + "}", "application/json");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  return str(parse(res->body)["data"], "id");
}

}  // namespace sandbox_test
