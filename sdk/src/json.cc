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

Result<void> read_json(const rapidjson::Value& v, RawJson& out, Path&) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  out.text.assign(buf.GetString(), buf.GetSize());
  return ok();
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

}  // namespace refbridge::json
