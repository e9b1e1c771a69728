#pragma once
// JSON reading and writing primitives over RapidJSON, used by every generated serializer.
// Generated models provide, in their own namespace (found by ADL):
//   Result<void> read_json(const rapidjson::Value& v, Model& out, json::Path& path);
//   void write_json(json::Writer& w, const Model& m);
// Errors carry the JSON path of the offending member ("$.data[0].services_section[1].unique_id")
// and never the member's value (values may be personal data).
//
// Member types (ARCHITECTURE.md "Generator v1 type contract"): T (required), std::optional<T>
// (optional), refbridge::Nullable<T> (nullable: absent / null / value), refbridge::OpenEnum<E>
// (string enums; unknown text kept), std::variant<A, ..., RawJson> (discriminated unions), RawJson
// (untyped), and per object UnknownMembers (members the schema does not name, kept in order).

#include "refbridge/error.h"
#include "refbridge/nullable.h"
#include "refbridge/open_enum.h"
#include "refbridge/time.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace refbridge::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// The state of one read: the JSON path under construction (`str()` renders "$.a.b[3]") and the
/// budget of list-element bytes left (ParseLimits::max_element_bytes).
class Path {
 public:
  Path() = default;
  explicit Path(std::size_t element_bytes) : element_bytes_left_(element_bytes) {}

  void push_key(std::string_view key) { parts_.push_back({std::string(key), 0, false}); }
  /// No allocation: reading a large array pushes one index per element.
  void push_index(std::size_t i) { parts_.push_back({std::string(), i, true}); }
  void pop() { parts_.pop_back(); }
  [[nodiscard]] std::string str() const;

  /// Takes `bytes` (sizeof one list element about to be read) from the budget; false, leaving
  /// the budget as it was, when less is left.
  [[nodiscard]] bool charge(std::size_t bytes) noexcept {
    if (bytes > element_bytes_left_) return false;
    element_bytes_left_ -= bytes;
    return true;
  }

 private:
  struct Part {
    std::string key;  ///< member name (when !is_index)
    std::size_t index;
    bool is_index;
  };
  std::vector<Part> parts_;
  std::size_t element_bytes_left_ = std::size_t{64} << 20;  // ParseLimits::max_element_bytes' default
};

/// kInvalidInput "<path>: <what>".
[[nodiscard]] Error type_error(const Path& path, std::string_view expected);
/// kInvalidInput "<path>: list elements over the read's budget of bytes (json::ParseLimits::max_element_bytes)".
[[nodiscard]] Error elements_over_budget(const Path& path);

/// Bounds on one JSON text read by parse_document() and parse<T>(), so that a hostile or broken
/// body gives a clear error with bounded stack and memory instead of a crash (issue 5, "hostile
/// input"). Every typed read, so every generated client's response (parse_response), goes
/// through parse_document() with these defaults; the SDK's other DOM parses (error summaries,
/// token answers) read a few top-level members and parse iteratively.
///
/// What the defaults bound: parsing is iterative (RapidJSON kParseIterativeFlag: no recursion),
/// and the readers, validators and RawJson copies that walk the result recurse at most
/// `max_depth` levels. The DOM takes 16 bytes per value and per member name (x86-64) plus the
/// string bytes: at most about 32 x `max_values` + `max_bytes` bytes (~128 MiB with the
/// defaults) besides the text. Typed results (parse<T>) grow with the elements actually read
/// (see kMaxReserve).
struct ParseLimits {
  /// Longest accepted text, in bytes. Default 64 MiB: HttpOptions::max_response_bytes' default
  /// (refbridge/http.h), so a body the transport accepts is never refused for its size here.
  std::size_t max_bytes = std::size_t{64} << 20;
  /// Deepest accepted nesting of arrays and objects (the root array or object is level 1).
  /// The pilot's payloads (../shared/fixtures) nest at most 6 levels.
  std::size_t max_depth = 64;
  /// Most values (scalars, arrays and objects; member names not counted) in one text: 2^21,
  /// above a Primero page of 1000 cases (config.h primero_page_size's maximum) with ~300 fields
  /// each, and above a 1,000,000-element array.
  std::size_t max_values = std::size_t{1} << 21;
  /// Most bytes of list elements (sizeof(T) per element of every std::vector<T> read, at any
  /// depth) in one typed read, parse<T>(). Cheap JSON can stand for large C++ values: `{}` is a
  /// whole primero::Case (every member optional, over 1 KiB), so `{"data":[{},{},...]}` would
  /// otherwise turn 6 MB of text into gigabytes. Default 64 MiB: 50 times a page of 1000 cases.
  std::size_t max_element_bytes = std::size_t{64} << 20;
};

/// Parses text into a RapidJSON document (strict JSON: no comments or trailing commas; doubles
/// read at full precision). Errors, all kInvalidInput, never echoing the text:
///   "invalid JSON at byte <offset>: <RapidJSON's reason>" ("Missing a name for object member." ...);
///   "JSON text of <n> bytes is over the limit of <max_bytes> bytes";
///   "JSON refused at byte <offset>: nested deeper than <max_depth> levels";
///   "JSON refused at byte <offset>: more than <max_values> values".
/// Every string value and member name (unknown members and untyped values too) must be
/// well-formed UTF-8 (refbridge/utf8.h, RFC 3629; "No duplicate, ever" issue), and an escaped
/// lone surrogate ("\uD800" unpaired) is refused alike: the first that is not gives kRejected,
/// rule "invalid-utf8", "<JSON path>: invalid UTF-8 (<what> at byte <k> of the string)" (or "...
/// of the name of member <i>)" with the object's path; sdk/src/json_utf8.h lists the forms).
/// On error `doc` is left as it was.
Result<void> parse_document(std::string_view text, rapidjson::Document& doc, const ParseLimits& limits = {});

// Primitive readers (overloads picked by generated code). Each checks the JSON type exactly.
Result<void> read_json(const rapidjson::Value& v, std::string& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, bool& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, std::int32_t& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, std::int64_t& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, double& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, CalendarDate& out, Path& path);
Result<void> read_json(const rapidjson::Value& v, DateTime& out, Path& path);
/// Any JSON value kept as its compact text (schema `{}` / untyped members, unknown members, the
/// fallback alternative of a discriminated union).
struct RawJson {
  std::string text = "null";
  bool operator==(const RawJson&) const = default;
};
Result<void> read_json(const rapidjson::Value& v, RawJson& out, Path& path);

/// One member the schema does not name, kept verbatim.
struct UnknownMember {
  std::string name;  ///< the JSON member name, unescaped
  RawJson value;
  bool operator==(const UnknownMember&) const = default;
};

/// The members of an object that its schema does not name, in document order. Every generated
/// object model has one (`unknown_members_`): filled on read, written back after the known
/// members, so read -> write keeps every custom field of a Primero case.
class UnknownMembers {
 public:
  using const_iterator = std::vector<UnknownMember>::const_iterator;

  /// Appends `member` (name and value serialized compactly).
  void add(const rapidjson::Value::Member& member);
  void add(std::string name, RawJson value) { items_.push_back({std::move(name), std::move(value)}); }
  /// The first member called `name`, or nullptr.
  [[nodiscard]] const UnknownMember* find(std::string_view name) const noexcept;

  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] const_iterator begin() const noexcept { return items_.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return items_.end(); }
  void clear() noexcept { items_.clear(); }

  bool operator==(const UnknownMembers&) const = default;

 private:
  std::vector<UnknownMember> items_;
};

/// The name of an object member as a string_view (generated readers switch on it).
inline std::string_view key_of(const rapidjson::Value::Member& m) noexcept {
  return {m.name.GetString(), m.name.GetStringLength()};
}

// Template overloads are all declared before any is defined, so that they find each other by
// ordinary lookup (vector<Nullable<OpenEnum<E>>> ...; OpenEnum and Nullable live in `refbridge`,
// which ADL would not search for refbridge::json).
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::vector<T>& out, Path& path);
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::map<std::string, T>& out, Path& path);
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::optional<T>& out, Path& path);
template <class T>
Result<void> read_json(const rapidjson::Value& v, Nullable<T>& out, Path& path);
template <class E>
Result<void> read_json(const rapidjson::Value& v, OpenEnum<E>& out, Path& path);

/// Most elements a vector reserves before reading them. A hostile array of N cheap elements
/// (`[{},{},...]`, 3 bytes each) would otherwise reserve N x sizeof(T) up front (a Primero Case is
/// over 1 KiB) even when the first element is refused; past this count the vector grows as
/// elements are read.
inline constexpr std::size_t kMaxReserve = 1024;

template <class T>
Result<void> read_json(const rapidjson::Value& v, std::vector<T>& out, Path& path) {
  if (!v.IsArray()) return type_error(path, "an array");
  out.clear();
  out.reserve(std::min<std::size_t>(v.Size(), kMaxReserve));
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    path.push_index(i);
    if (!path.charge(sizeof(T))) return elements_over_budget(path);
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

/// Optional: JSON null reads as "absent" (std::nullopt), except for RawJson, which keeps `null`.
/// (Generated readers reject null on a non-nullable member before they get here.)
template <class T>
Result<void> read_json(const rapidjson::Value& v, std::optional<T>& out, Path& path) {
  if (v.IsNull() && !std::is_same_v<T, RawJson>) {
    out.reset();
    return ok();
  }
  T item{};
  auto r = read_json(v, item, path);
  if (!r) return r;
  out = std::move(item);
  return ok();
}

/// Nullable: JSON null reads as the null state, anything else as a value.
template <class T>
Result<void> read_json(const rapidjson::Value& v, Nullable<T>& out, Path& path) {
  if (v.IsNull()) {
    out.set_null();
    return ok();
  }
  T item{};
  auto r = read_json(v, item, path);
  if (!r) return r;
  out = std::move(item);
  return ok();
}

/// Open enum: any string (an unknown one reads as kUnknown and keeps its text); not a string is an error.
template <class E>
Result<void> read_json(const rapidjson::Value& v, OpenEnum<E>& out, Path& path) {
  if (!v.IsString()) return type_error(path, "a string");
  out = OpenEnum<E>::from_text(std::string_view(v.GetString(), v.GetStringLength()));
  return ok();
}

/// How generated readers treat an object member (from the schema's `required` and `nullable`).
enum class MemberRule {
  kRequired,          ///< must be present, must not be null
  kRequiredNullable,  ///< must be present, may be null
  kOptional,          ///< may be absent, must not be null when present
  kOptionalNullable,  ///< may be absent or null
};

/// kInvalidInput "<path>: missing required member '<key>'".
[[nodiscard]] Error missing_member(const Path& path, std::string_view key);
/// kInvalidInput "<path>.<key>: member not allowed (additionalProperties: false)".
[[nodiscard]] Error member_not_allowed(const Path& path, std::string_view key);

/// Reads the present member `m` (one of the generated reader's single pass over the object)
/// into `out`. Errors: kInvalidInput "<path>.<key>: null is not allowed", or the value's own
/// error with its path. Scalars are read without touching `path` (the read is repeated with the
/// key pushed only to word an error), objects and arrays with the key pushed.
template <class T>
Result<void> read_member(const rapidjson::Value::Member& m, T& out, Path& path, MemberRule rule) {
  const rapidjson::Value& value = m.value;
  if (value.IsNull() && (rule == MemberRule::kRequired || rule == MemberRule::kOptional)) {
    path.push_key(key_of(m));
    return make_error(ErrorCode::kInvalidInput, path.str() + ": null is not allowed");
  }
  if (!value.IsObject() && !value.IsArray()) {
    if (auto r = read_json(value, out, path); r) return r;
    path.push_key(key_of(m));
    return read_json(value, out, path);
  }
  path.push_key(key_of(m));
  if (auto r = read_json(value, out, path); !r) return r;
  path.pop();
  return ok();
}

/// Looks member `key` up in `obj` and reads it (hand-written callers; generated readers make one
/// pass with the overload above). Errors: "missing required member", "null is not allowed", or
/// the member's own error.
template <class T>
Result<void> read_member(const rapidjson::Value& obj, std::string_view key, T& out, Path& path, MemberRule rule) {
  const auto it = obj.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  if (it == obj.MemberEnd()) {
    if (rule == MemberRule::kRequired || rule == MemberRule::kRequiredNullable) return missing_member(path, key);
    return ok();
  }
  return read_member(*it, out, path, rule);
}

/// The string value of a discriminated union's `property` in the object `v`.
/// Errors: kInvalidInput "<path>: expected an object", "<path>: missing discriminator member
/// '<property>'", "<path>.<property>: expected a string".
Result<std::string_view> discriminator(const rapidjson::Value& v, std::string_view property, Path& path);

/// Reads `v` as the alternative A of the variant `out`.
template <class A, class Variant>
Result<void> read_alternative(const rapidjson::Value& v, Variant& out, Path& path) {
  A item{};
  if (auto r = read_json(v, item, path); !r) return r;
  out = std::move(item);
  return ok();
}

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
void write_json(Writer& w, const Nullable<T>& value);
template <class E>
void write_json(Writer& w, const OpenEnum<E>& value);

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

/// A value, or null for both absent and null (members use write_nullable_member, which omits absent).
template <class T>
void write_json(Writer& w, const Nullable<T>& value) {
  if (value) {
    write_json(w, *value);
  } else {
    w.Null();
  }
}

/// The wire text (an unknown value's text unchanged).
template <class E>
void write_json(Writer& w, const OpenEnum<E>& value) {
  const std::string_view text = value.text();
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

/// Writes whichever alternative `value` holds (RawJson: the object verbatim).
template <class... A>
void write_variant(Writer& w, const std::variant<A...>& value) {
  std::visit([&w](const auto& alt) { write_json(w, alt); }, value);
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

/// Nullable member: nothing when absent, `"key": null` when null, `"key": value` otherwise.
template <class T>
void write_nullable_member(Writer& w, std::string_view key, const Nullable<T>& value) {
  if (value.is_absent()) return;
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  write_json(w, value);
}

/// Writes `"key": value`, or `"key": null` when the optional is empty (hand-written callers).
template <class T>
void write_nullable_member(Writer& w, std::string_view key, const std::optional<T>& value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  if (value) {
    write_json(w, *value);
  } else {
    w.Null();
  }
}

/// Writes every unknown member, in order, after the known ones.
void write_unknown_members(Writer& w, const UnknownMembers& members);

/// Parses `text` as a T (a generated model or a primitive). Errors: parse_document()'s (kInvalidInput
/// for syntax or `limits`, kRejected "invalid-utf8"), or kInvalidInput "<JSON path>: <what>" from the readers.
template <class T>
Result<T> parse(std::string_view text, const ParseLimits& limits = {}) {
  rapidjson::Document doc;
  if (auto r = parse_document(text, doc, limits); !r) return r.error();
  T out{};
  Path path(limits.max_element_bytes);
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
