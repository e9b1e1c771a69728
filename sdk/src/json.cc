// RapidJSON primitives for generated serializers. See refbridge/json.h.
#include "refbridge/json.h"

#include <rapidjson/error/en.h>

#include <limits>

namespace refbridge::json {

std::string Path::str() const {
  std::string out = "$";
  for (const auto& p : parts_) out += p;
  return out;
}

Error type_error(const Path& path, std::string_view expected) {
  return make_error(ErrorCode::kInvalidInput, path.str() + ": expected " + std::string(expected));
}

Result<void> parse_document(std::string_view text, rapidjson::Document& doc) {
  // kParseFullPrecisionFlag keeps doubles exact; no comments or trailing commas: strict JSON.
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return make_error(ErrorCode::kInvalidInput, std::string("invalid JSON at byte ") +
                                                    std::to_string(doc.GetErrorOffset()) + ": " +
                                                    rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return ok();
}

Result<void> read_json(const rapidjson::Value& v, std::string& out, Path& path) {
  if (!v.IsString()) return type_error(path, "a string");
  out.assign(v.GetString(), v.GetStringLength());
  return ok();
}

Result<void> read_json(const rapidjson::Value& v, bool& out, Path& path) {
  if (!v.IsBool()) return type_error(path, "a boolean");
  out = v.GetBool();
  return ok();
}

Result<void> read_json(const rapidjson::Value& v, std::int32_t& out, Path& path) {
  if (!v.IsInt()) return type_error(path, "a 32-bit integer");
  out = v.GetInt();
  return ok();
}

Result<void> read_json(const rapidjson::Value& v, std::int64_t& out, Path& path) {
  if (!v.IsInt64()) return type_error(path, "a 64-bit integer");
  out = v.GetInt64();
  return ok();
}

Result<void> read_json(const rapidjson::Value& v, double& out, Path& path) {
  if (!v.IsNumber()) return type_error(path, "a number");
  out = v.GetDouble();
  return ok();
}

Result<void> read_json(const rapidjson::Value& v, CalendarDate& out, Path& path) {
  if (!v.IsString()) return type_error(path, "a date string YYYY-MM-DD");
  auto d = CalendarDate::parse(std::string_view(v.GetString(), v.GetStringLength()));
  if (!d) return type_error(path, "a date YYYY-MM-DD");
  out = d.value();
  return ok();
}

Result<void> read_json(const rapidjson::Value& v, DateTime& out, Path& path) {
  if (!v.IsString()) return type_error(path, "a date-time string");
  auto t = DateTime::parse(std::string_view(v.GetString(), v.GetStringLength()));
  if (!t) return type_error(path, "an ISO-8601 date-time");
  out = std::move(t).value();
  return ok();
}

namespace {
// Compact text of `v` into `out`, through one reused buffer per thread (no allocation per value
// once the buffer has grown: unknown members of a Primero case are hundreds of small values).
void compact_text(const rapidjson::Value& v, std::string& out) {
  thread_local rapidjson::StringBuffer buf;
  buf.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  out.assign(buf.GetString(), buf.GetSize());
}
}  // namespace

Result<void> read_json(const rapidjson::Value& v, RawJson& out, Path&) {
  compact_text(v, out.text);
  return ok();
}

void UnknownMembers::add(const rapidjson::Value::Member& member) {
  UnknownMember& m = items_.emplace_back();
  m.name.assign(member.name.GetString(), member.name.GetStringLength());
  compact_text(member.value, m.value.text);
}

const UnknownMember* UnknownMembers::find(std::string_view name) const noexcept {
  for (const auto& m : items_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Error missing_member(const Path& path, std::string_view key) {
  return make_error(ErrorCode::kInvalidInput, path.str() + ": missing required member '" + std::string(key) + "'");
}

Error member_not_allowed(const Path& path, std::string_view key) {
  return make_error(ErrorCode::kInvalidInput,
                    path.str() + "." + std::string(key) + ": member not allowed (additionalProperties: false)");
}

Result<std::string_view> discriminator(const rapidjson::Value& v, std::string_view property, Path& path) {
  if (!v.IsObject()) return type_error(path, "an object");
  const auto it =
      v.FindMember(rapidjson::Value(rapidjson::StringRef(property.data(), static_cast<rapidjson::SizeType>(property.size()))));
  if (it == v.MemberEnd()) {
    return make_error(ErrorCode::kInvalidInput, path.str() + ": missing discriminator member '" + std::string(property) + "'");
  }
  if (!it->value.IsString()) {
    path.push_key(property);
    Error e = type_error(path, "a string (discriminator)");
    path.pop();
    return e;
  }
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

void write_json(Writer& w, const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void write_json(Writer& w, bool b) { w.Bool(b); }
void write_json(Writer& w, std::int32_t n) { w.Int(n); }
void write_json(Writer& w, std::int64_t n) { w.Int64(n); }
void write_json(Writer& w, double d) { w.Double(d); }
void write_json(Writer& w, const CalendarDate& d) { write_json(w, d.to_string()); }
void write_json(Writer& w, const DateTime& t) { write_json(w, t.text); }
void write_json(Writer& w, const RawJson& raw) {
  w.RawValue(raw.text.data(), raw.text.size(), rapidjson::kObjectType);
}

void write_unknown_members(Writer& w, const UnknownMembers& members) {
  for (const auto& m : members) {
    w.Key(m.name.data(), static_cast<rapidjson::SizeType>(m.name.size()));
    write_json(w, m.value);
  }
}

}  // namespace refbridge::json
