// RapidJSON primitives for generated serializers. See refbridge/json.h.
#include "refbridge/json.h"

#include "json_utf8.h"
#include "refbridge/utf8.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <system_error>

namespace refbridge::json {

std::string Path::str() const {
  std::string out = "$";
  for (const auto& p : parts_) {
    if (p.is_index) {
      out += '[';
      out += std::to_string(p.index);
      out += ']';
    } else {
      out += '.';
      out += p.key;
    }
  }
  return out;
}

Error type_error(const Path& path, std::string_view expected) {
  return make_error(ErrorCode::kInvalidInput, path.str() + ": expected " + std::string(expected));
}

namespace {

// SAX handler between RapidJSON's reader and the document being built: counts values and nesting
// and stops the parse (RapidJSON then reports kParseErrorTermination) when a limit is passed.
class LimitedHandler {
 public:
  enum class Hit { kNone, kDepth, kValues, kNumberTooBig, kInvalidUtf8 };

  LimitedHandler(rapidjson::Document& doc, const ParseLimits& limits) : doc_(doc), limits_(limits) {}

  bool Null() { return value() && doc_.Null(); }
  bool Bool(bool b) { return value() && doc_.Bool(b); }
  bool Int(int i) { return value() && doc_.Int(i); }
  bool Uint(unsigned u) { return value() && doc_.Uint(u); }
  bool Int64(std::int64_t i) { return value() && doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return value() && doc_.Uint64(u); }
  bool Double(double d) { return value() && doc_.Double(d); }
  // Numbers come as text (kParseNumbersAsStringsFlag) and are converted here: RapidJSON 1.1.0's
  // full-precision conversion calls __builtin_clzll(0) (undefined behaviour) on a zero
  // significand with a large exponent ("0e66", "-0.0e-30"; found by fuzz/ in primero::TokenResponse).
  // std::from_chars rounds correctly, as kParseFullPrecisionFlag did; value types are as RapidJSON's.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return value() && number(s, s + n); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return value() && utf8(s, n) && doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return utf8(s, n) && doc_.Key(s, n, copy); }
  bool StartObject() { return open() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return open() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

  [[nodiscard]] Hit hit() const noexcept { return hit_; }

 private:
  bool number(const char* first, const char* last) {
    if (std::find_first_of(first, last, kFractionOrExponent, kFractionOrExponent + 3) == last) {
      if (*first == '-') {
        std::int64_t i = 0;
        if (auto [end, ec] = std::from_chars(first, last, i); ec == std::errc() && end == last) return doc_.Int64(i);
      } else {
        std::uint64_t u = 0;
        if (auto [end, ec] = std::from_chars(first, last, u); ec == std::errc() && end == last) return doc_.Uint64(u);
      }
    }
    double d = 0;  // a fraction, an exponent, or an integer beyond 64 bits (as RapidJSON: a double)
    if (auto [end, ec] = std::from_chars(first, last, d); ec == std::errc() && end == last) return doc_.Double(d);
    // Out of range: underflow reads as 0 (as RapidJSON), overflow is an error.
    d = std::strtod(std::string(first, last).c_str(), nullptr);
    if (std::isinf(d)) {
      hit_ = Hit::kNumberTooBig;
      return false;
    }
    return doc_.Double(d);
  }
  static constexpr char kFractionOrExponent[] = {'.', 'e', 'E'};

  // Every string value and member name, unknown members and untyped values included (the
  // "No duplicate, ever" issue: invalid UTF-8 is never delivered byte for byte).
  bool utf8(const char* s, rapidjson::SizeType n) {
    if (is_valid_utf8({s, n})) return true;
    hit_ = Hit::kInvalidUtf8;
    return false;
  }
  bool value() {
    if (++values_ <= limits_.max_values) return true;
    hit_ = Hit::kValues;
    return false;
  }
  bool open() {
    if (!value()) return false;
    if (++depth_ <= limits_.max_depth) return true;
    hit_ = Hit::kDepth;
    return false;
  }

  rapidjson::Document& doc_;
  const ParseLimits& limits_;
  std::size_t values_ = 0;
  std::size_t depth_ = 0;
  Hit hit_ = Hit::kNone;
};

}  // namespace

Error elements_over_budget(const Path& path) {
  return make_error(ErrorCode::kInvalidInput,
                    path.str() + ": list elements over the read's budget of bytes (json::ParseLimits::max_element_bytes)");
}

Result<void> parse_document(std::string_view text, rapidjson::Document& doc, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return make_error(ErrorCode::kInvalidInput, "JSON text of " + std::to_string(text.size()) +
                                                    " bytes is over the limit of " + std::to_string(limits.max_bytes) +
                                                    " bytes");
  }
  // Iterative parsing (no recursion, whatever the nesting); numbers converted by LimitedHandler
  // (exact doubles); no comments or trailing commas: strict JSON.
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  LimitedHandler::Hit hit = LimitedHandler::Hit::kNone;
  auto generate = [&](rapidjson::Document& target) {
    LimitedHandler handler(target, limits);
    result = reader.Parse<kFlags>(in, handler);
    hit = handler.hit();
    return !result.IsError();
  };
  doc.Populate(generate);
  if (!result.IsError()) return ok();
  if (hit == LimitedHandler::Hit::kInvalidUtf8) return detail::invalid_utf8_rejection(text);
  if (result.Code() == rapidjson::kParseErrorStringUnicodeSurrogateInvalid) {
    return detail::invalid_utf8_rejection(text, result.Offset());
  }
  const std::string at = std::to_string(result.Offset());
  if (hit == LimitedHandler::Hit::kDepth) {
    return make_error(ErrorCode::kInvalidInput, "JSON refused at byte " + at + ": nested deeper than " +
                                                    std::to_string(limits.max_depth) + " levels");
  }
  if (hit == LimitedHandler::Hit::kValues) {
    return make_error(ErrorCode::kInvalidInput, "JSON refused at byte " + at + ": more than " +
                                                    std::to_string(limits.max_values) + " values");
  }
  const auto code = hit == LimitedHandler::Hit::kNumberTooBig ? rapidjson::kParseErrorNumberTooBig : result.Code();
  return make_error(ErrorCode::kInvalidInput, "invalid JSON at byte " + at + ": " + rapidjson::GetParseError_En(code));
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
