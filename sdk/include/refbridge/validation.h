#pragma once
// Schema validation runtime used by the generated validators (generated/<api>/validate.h):
//   std::vector<refbridge::Violation> validate(const Model& value);
// collects every violation of the schema's rules (required, enum, pattern, minimum/maximum,
// minLength/maxLength, format uuid/email, x-refbridge-lowercase) with the JSON path of the member,
// e.g. "$.data.services_section[0].unique_id". Never throws for bad data and never copies a
// member's value into a message (values may be personal data): messages name the rule only
// ("does not match pattern ^[0-9]{3}$", "longer than 50 characters").
//
// The helpers are small templates so that they accept the member types of the generator's type
// contract (ARCHITECTURE.md): plain T, std::optional<T>, refbridge::Nullable<T> (anything with
// `if (x)` / `*x`), plain enums and refbridge::OpenEnum<E> (anything with `.text()`).

#include <cstddef>
#include <cstdint>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace refbridge {

/// One broken rule. `path` is a JSON path ("$.a.b[2]['x-y']"), `keyword` the JSON Schema keyword
/// ("required", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "format",
/// "x-refbridge-lowercase"), `message` a value-free description of the rule.
struct Violation {
  std::string path;
  std::string keyword;
  std::string message;
  bool operator==(const Violation&) const = default;
};

/// "path: message (keyword)" per line (logs, error messages; value-free).
std::string to_string(const std::vector<Violation>& violations);

namespace validation {

/// The walk state of one validate() call: the current JSON path and the violations so far.
class Context {
 public:
  /// Restores the path to its length before a member/index/key segment when it goes out of scope.
  class [[nodiscard]] Segment {
   public:
    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;
    ~Segment() { ctx_.path_.resize(length_); }

   private:
    friend class Context;
    Segment(Context& ctx, std::size_t length) : ctx_(ctx), length_(length) {}
    Context& ctx_;
    std::size_t length_;
  };

  /// Appends ".name", or "['name']" when the name is not an identifier (dots, dashes, digits first).
  Segment member(std::string_view json_name);
  /// Appends "[i]".
  Segment index(std::size_t i);
  /// Appends a map key like a member name.
  Segment key(std::string_view key) { return member(key); }

  /// Records a violation at the current path.
  void add(std::string_view keyword, std::string_view message);
  /// Records a violation at the current path followed by the member `json_name`.
  void add_member(std::string_view json_name, std::string_view keyword, std::string_view message);

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::vector<Violation>& violations() const noexcept { return violations_; }
  [[nodiscard]] std::vector<Violation> take() { return std::move(violations_); }

 private:
  std::string path_ = "$";
  std::vector<Violation> violations_;
};

// ---- value-free predicates (validation.cc) -------------------------------------------------

/// Number of UTF-8 code points (bytes that are not continuation bytes 10xxxxxx).
[[nodiscard]] std::size_t code_points(std::string_view text) noexcept;
/// 8-4-4-4-12 hexadecimal digits, any case (RFC 4122 text form; version/variant not checked).
[[nodiscard]] bool is_uuid(std::string_view text) noexcept;
/// local@domain: local part of RFC 5322 atext and dots (no leading/trailing/double dot), domain of
/// dot-separated LDH labels with at least one dot; at most 254 characters, local part at most 64.
[[nodiscard]] bool is_email(std::string_view text) noexcept;
/// No ASCII upper-case letter.
[[nodiscard]] bool is_lowercase(std::string_view text) noexcept;

// ---- member-type adapters ----------------------------------------------------------------------

/// Whether a required member is present. Only refbridge::Nullable<T> can be absent while required
/// (it has is_absent()); std::optional<T> on a required nullable member writes null when empty.
template <class T>
[[nodiscard]] constexpr bool required_present(const T& member) noexcept {
  if constexpr (requires { member.is_absent(); }) {
    return !member.is_absent();
  } else {
    return true;
  }
}

/// The member's value, or nullptr when there is none: for optional-like members (std::optional,
/// refbridge::Nullable: `if (m)` / `*m`) the contained value in the value state; for a plain member
/// (required, or defaulted) the member itself.
template <class T>
[[nodiscard]] constexpr const auto* value_of(const T& member) noexcept {
  if constexpr (requires { static_cast<bool>(member); *member; }) {
    return member ? &*member : nullptr;
  } else {
    return &member;
  }
}

/// Calls `f(std::string_view)` with the text of a string-like value: std::string, or an open
/// enum's wire text (`.text()`, which may return a temporary: it lives until `f` returns).
template <class T, class F>
decltype(auto) with_text(const T& value, F&& f) {
  if constexpr (requires { value.text(); }) {
    return std::forward<F>(f)(std::string_view(value.text()));
  } else {
    return std::forward<F>(f)(std::string_view(value));
  }
}

// ---- checks (each records at most one violation at the current path) ------------------------

/// `enum`: a closed C++ enum always holds a member; an open enum (`.text()`) or a string is
/// checked against `allowed`. `message` is "not one of ...".
template <class T>
void check_enum(Context& ctx, const T& value, std::span<const std::string_view> allowed, std::string_view message) {
  if constexpr (std::is_enum_v<T>) {
    (void)ctx, (void)value, (void)allowed, (void)message;
  } else {
    const bool known = with_text(value, [&](std::string_view text) {
      for (const std::string_view a : allowed) {
        if (a == text) return true;
      }
      return false;
    });
    if (!known) ctx.add("enum", message);
  }
}

/// `pattern` (ECMAScript, unanchored search as in JSON Schema).
template <class T>
void check_pattern(Context& ctx, const T& value, const std::regex& re, std::string_view message) {
  if (!with_text(value, [&](std::string_view text) { return std::regex_search(text.begin(), text.end(), re); })) {
    ctx.add("pattern", message);
  }
}

template <class T>
void check_min_length(Context& ctx, const T& value, std::size_t min, std::string_view message) {
  if (with_text(value, code_points) < min) ctx.add("minLength", message);
}

template <class T>
void check_max_length(Context& ctx, const T& value, std::size_t max, std::string_view message) {
  if (with_text(value, code_points) > max) ctx.add("maxLength", message);
}

/// `minimum` (inclusive); compared in long double so that every int64 is exact.
template <class N>
void check_minimum(Context& ctx, N value, long double min, std::string_view message) {
  static_assert(std::is_arithmetic_v<N>);
  if (static_cast<long double>(value) < min) ctx.add("minimum", message);
}

/// `maximum` (inclusive).
template <class N>
void check_maximum(Context& ctx, N value, long double max, std::string_view message) {
  static_assert(std::is_arithmetic_v<N>);
  if (static_cast<long double>(value) > max) ctx.add("maximum", message);
}

template <class T>
void check_uuid(Context& ctx, const T& value) {
  if (!with_text(value, is_uuid)) ctx.add("format", "not a UUID (8-4-4-4-12 hexadecimal digits)");
}

template <class T>
void check_email(Context& ctx, const T& value) {
  if (!with_text(value, is_email)) ctx.add("format", "not an e-mail address");
}

/// `x-refbridge-lowercase: true` (e.g. Primero subform unique_id: the server's regex accepts
/// lower-case UUIDs only).
template <class T>
void check_lowercase(Context& ctx, const T& value) {
  if (!with_text(value, is_lowercase)) ctx.add("x-refbridge-lowercase", "contains upper-case letters (lower-case required)");
}

}  // namespace validation
}  // namespace refbridge
