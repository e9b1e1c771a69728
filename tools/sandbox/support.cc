// Helpers for the sandbox servers. See support.h.
#include "support.h"

#include "refbridge/time.h"

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstdio>
#include <mutex>

namespace refbridge::sandbox::detail {

std::string to_json(const rapidjson::Value& v, bool pretty) {
  rapidjson::StringBuffer buf;
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    v.Accept(w);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
  }
  return {buf.GetString(), buf.GetSize()};
}

rapidjson::Value str_value(std::string_view s, Alloc& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

void set_member(rapidjson::Value& obj, std::string_view key, rapidjson::Value value, Alloc& a) {
  if (auto* existing = find_member(obj, key)) {
    *existing = std::move(value);
    return;
  }
  obj.AddMember(str_value(key, a), value, a);
}

const rapidjson::Value* find_member(const rapidjson::Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

rapidjson::Value* find_member(rapidjson::Value& obj, std::string_view key) {
  return const_cast<rapidjson::Value*>(find_member(static_cast<const rapidjson::Value&>(obj), key));  // NOLINT
}

std::optional<std::string> string_member(const rapidjson::Value& obj, std::string_view key) {
  const auto* v = find_member(obj, key);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<std::string> parse_json(std::string_view text, rapidjson::Document& doc) {
  doc.Parse(text.data(), text.size());
  if (!doc.HasParseError()) return std::nullopt;
  return "offset " + std::to_string(doc.GetErrorOffset()) + ": " + rapidjson::GetParseError_En(doc.GetParseError());
}

std::string random_uuid() {
  static std::mutex mutex;
  static boost::uuids::random_generator gen;
  std::lock_guard lock(mutex);
  return boost::uuids::to_string(gen());
}

std::string name_uuid(std::string_view name) {
  // Namespace: a fixed UUID for "refbridge sandbox" so ids are stable across runs.
  static const boost::uuids::uuid ns = boost::uuids::string_generator()("6b1f2a0e-3c1d-4f57-9a58-5d2f0b9e7c31");
  boost::uuids::name_generator_sha1 gen(ns);
  return boost::uuids::to_string(gen(name.data(), name.size()));
}

bool is_lower_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Millis now_ms() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

// Dates and times: the SDK's CalendarDate / DateTime (one implementation of ISO-8601 in refbridge).
std::string format_utc_ms(Millis t) { return refbridge::DateTime::from_utc(t).text; }

std::string format_date(Millis t) { return refbridge::DateTime::from_utc(t).utc_date().to_string(); }

std::optional<int> parse_calendar_date(std::string_view s) {
  auto d = refbridge::CalendarDate::parse(s);
  if (!d) return std::nullopt;
  return d.value().year;
}

std::optional<Millis> parse_date_time(std::string_view s, bool allow_date) {
  if (s.size() == 10) {
    if (!allow_date) return std::nullopt;
    auto d = refbridge::CalendarDate::parse(s);
    if (!d) return std::nullopt;
    return Millis(d.value().to_sys_days());
  }
  auto t = refbridge::DateTime::parse(s);
  if (!t) return std::nullopt;
  return t.value().utc;
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex(s[i + 1]);
      const int lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::string> split_path(std::string_view encoded_path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= encoded_path.size()) {
    const std::size_t next = encoded_path.find('/', pos);
    const std::string_view part = encoded_path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    if (!part.empty()) out.push_back(percent_decode(part));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

namespace {
constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kB64Standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Decodes with `alphabet`; trailing '=' padding ends the input.
std::optional<std::string> decode_base64(std::string_view text, std::string_view alphabet) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const auto idx = alphabet.find(c);
    if (idx == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(idx);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}
}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kB64[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kB64[(acc << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.find('=') != std::string_view::npos) return std::nullopt;  // tokens carry no padding
  return decode_base64(text, kB64);
}

std::optional<std::string> base64_decode(std::string_view text) { return decode_base64(text, kB64Standard); }

bool secure_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  return diff == 0;
}

}  // namespace refbridge::sandbox::detail
