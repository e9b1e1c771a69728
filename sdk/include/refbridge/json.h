#pragma once
// JSON reading and writing primitives over RapidJSON, used by every generated serializer.
// Generated models provide, in their own namespace (found by ADL):
//   Result<void> read_json(const rapidjson::Value& v, Model& out, json::Path& path);
//   void write_json(json::Writer& w, const Model& m);
// Errors carry the JSON path of the offending member ("$.data[0].services_section[1].unique_id")
// and never the member's value (values may be personal data).

#include "refbridge/error.h"
#include "refbridge/time.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// A JSON path under construction while reading; `str()` renders "$.a.b[3]".
class Path {
 public:
  void push_key(std::string_view key) { parts_.emplace_back(std::string(".") + std::string(key)); }
  void push_index(std::size_t i) { parts_.emplace_back("[" + std::to_string(i) + "]"); }
  void pop() { parts_.pop_back(); }
  [[nodiscard]] std::string str() const;

 private:
  std::vector<std::string> parts_;
};

/// kInvalidInput "<path>: <what>".
[[nodiscard]] Error type_error(const Path& path, std::string_view expected);

/// Parses text into a RapidJSON document. Errors: kInvalidInput with the byte offset and
/// RapidJSON's reason ("Missing a name for object member." ...), never the text itself.
Result<void> parse_document(std::string_view text, rapidjson::Document& doc);

// Primitive readers (overloads picked by generated code). Each checks the JSON type exactly.
Result<void> read_json(const rapidjson::Value& v, std::string& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, bool& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, std::int32_t& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, std::int64_t& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, double& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, CalendarDate& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, DateTime& out, Path& path);
/// Any JSON value kept as its compact text (schema `{}` / untyped members).
struct RawJson {
  std::string text = "null";
  bool operator==(const RawJson&) const = default;
};
Result<void> read_json(const rapidjson::Value& v, RawJson& out, Path& path);

// Container overloads are declared first so that they find each other (vector<optional<T>>...).
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::vector<T>& out, Path& path);
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::map<std::string, T>& out, Path& path);
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::optional<T>& out, Path& path);

template <class T>
Result<void> read_json(const rapidjson::Value& v, std::vector<T>& out, Path& path) {
  if (!v.IsArray()) return type_error(path, "an array");
  out.clear();
  out.reserve(v.Size());
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    path.push_index(i);
    T item{};
    auto r = read_json(v[i], item, path);
    if (!r) return r;
    path.pop();
    out.push_back(std::move(item));
  }
  return ok();
}

template <class T>
Result<void> read_json(const rapidjson::Value& v, std::map<std::string, T>& out, Path& path) {
  if (!v.IsObject()) return type_error(path, "an object");
  out.clear();
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    path.push_key(key);
    T item{};
    auto r = read_json(it->value, item, path);
    if (!r) return r;
    path.pop();
    out.emplace(std::move(key), std::move(item));
  }
  return ok();
}

/// Optional member: JSON null reads as "absent" (std::nullopt).
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::optional<T>& out, Path& path) {
  if (v.IsNull()) {
    out.reset();
    return ok();
  }
  T item{};
  auto r = read_json(v, item, path);
  if (!r) return r;
  out = std::move(item);
  return ok();
}

/// How generated readers treat an object member (from the schema's `required` and `nullable`).
enum class MemberRule {
  kRequired,          ///< must be present, must not be null
  kRequiredNullable,  ///< must be present, may be null
  kOptional,          ///< may be absent, must not be null when present
  kOptionalNullable,  ///< may be absent or null (null reads as absent)
};

/// Reads member `key` of the object `obj` into `out`, keeping `path` up to date.
/// Errors: kInvalidInput "<path>: missing required member '<key>'", "<path>.<key>: null is not
/// allowed", or the member's own type error. Defined after every read_json overload (below).
template <class T>
Result<void> read_member(const rapidjson::Value& obj, std::string_view key, T& out, Path& path, MemberRule rule);

void write_json(Writer& w, const std::string& s);
void write_json(Writer& w, bool b);
void write_json(Writer& w, std::int32_t n);
void write_json(Writer& w, std::int64_t n);
void write_json(Writer& w, double d);
void write_json(Writer& w, const CalendarDate& d);
void write_json(Writer& w, const DateTime& t);
void write_json(Writer& w, const RawJson& raw);

template <class T>
void write_json(Writer& w, const std::vector<T>& items);
template <class T>
void write_json(Writer& w, const std::map<std::string, T>& items);

template <class T>
void write_json(Writer& w, const std::vector<T>& items) {
  w.StartArray();
  for (const auto& item : items) write_json(w, item);
  w.EndArray();
}

template <class T>
void write_json(Writer& w, const std::map<std::string, T>& items) {
  w.StartObject();
  for (const auto& [k, item] : items) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    write_json(w, item);
  }
  w.EndObject();
}

template <class T>
Result<void> read_member(const rapidjson::Value& obj, std::string_view key, T& out, Path& path, MemberRule rule) {
  const auto it = obj.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  if (it == obj.MemberEnd()) {
    if (rule == MemberRule::kRequired || rule == MemberRule::kRequiredNullable) {
      return make_error(ErrorCode::kInvalidInput, path.str() + ": missing required member '" + std::string(key) + "'");
    }
    return ok();
  }
  path.push_key(key);
  if (it->value.IsNull() && (rule == MemberRule::kRequired || rule == MemberRule::kOptional)) {
    return make_error(ErrorCode::kInvalidInput, path.str() + ": null is not allowed");
  }
  if (auto r = read_json(it->value, out, path); !r) return r;
  path.pop();
  return ok();
}

/// Writes `"key": value` (a required, non-nullable member).
template <class T>
void write_member(Writer& w, std::string_view key, const T& value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  write_json(w, value);
}

/// Writes `"key": value` when the optional member is present; nothing when it is absent.
template <class T>
void write_optional_member(Writer& w, std::string_view key, const std::optional<T>& value) {
  if (value) write_member(w, key, *value);
}

/// Writes `"key": value`, or `"key": null` when the required nullable member is absent.
template <class T>
void write_nullable_member(Writer& w, std::string_view key, const std::optional<T>& value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  if (value) {
    write_json(w, *value);
  } else {
    w.Null();
  }
}

/// Parses `text` as a T (a generated model or a primitive). Errors: kInvalidInput with the JSON path.
template <class T>
Result<T> parse(std::string_view text) {
  rapidjson::Document doc;
  if (auto r = parse_document(text, doc); !r) return r.error();
  T out{};
  Path path;
  if (auto r = read_json(static_cast<const rapidjson::Value&>(doc), out, path); !r) return r.error();
  return out;
}

/// Serializes a T to compact JSON text.
template <class T>
std::string serialize(const T& value) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  write_json(w, value);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace refbridge::json
