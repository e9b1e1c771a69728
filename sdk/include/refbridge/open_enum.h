#pragma once
// refbridge::OpenEnum<E>: a forward-compatible string enum member (ARCHITECTURE.md "Generator v1
// type contract"). Wraps a generated `enum class E { kA, kB, ..., kUnknown }`; a wire string
// the schema does not list reads as kUnknown and keeps its exact text, which is written back
// unchanged, so a newer server's value survives a read -> write round trip and is never an error.
//
//   OpenEnum<Colour> c = Colour::kRed;      // implicit from E
//   c == Colour::kRed; c != Colour::kBlue;  // compare with E (an unknown value == E::kUnknown)
//   switch (c.value()) { ... }              // E; kUnknown when the text is unknown
//   c.text();                               // the wire string ("red", or the unknown text)
//   OpenEnum<Colour>::from_text("mauve");   // kUnknown, text "mauve"
//
// Requires, found by ADL in E's namespace (the generator emits them next to the enum):
//   std::string_view to_string(E) noexcept;             // wire text ("" for kUnknown)
//   bool from_string(std::string_view, E&) noexcept;    // false for an unknown text

#include <string>
#include <string_view>
#include <utility>

namespace refbridge {

template <class E>
class OpenEnum {
 public:
  using enum_type = E;

  /// The first enumerator (E{}), as a value-initialised enum.
  constexpr OpenEnum() noexcept = default;
  /// A known value.
  constexpr OpenEnum(E value) noexcept : value_(value) {}  // NOLINT(google-explicit-constructor): by design

  /// Parses a wire string: a listed value, or kUnknown keeping `text`.
  [[nodiscard]] static OpenEnum from_text(std::string_view text) {
    OpenEnum out;
    if (!from_string(text, out.value_)) {
      out.value_ = E::kUnknown;
      out.unknown_text_.assign(text.data(), text.size());
    }
    return out;
  }

  /// The enumerator; E::kUnknown for a text the schema does not list.
  [[nodiscard]] constexpr E value() const noexcept { return value_; }
  [[nodiscard]] constexpr bool is_unknown() const noexcept { return value_ == E::kUnknown; }
  /// The wire string: the listed text of a known value, or the unknown text as read.
  [[nodiscard]] std::string_view text() const noexcept {
    if (value_ == E::kUnknown) return unknown_text_;
    return to_string(value_);
  }

  /// Same enumerator and (for unknown values) same text.
  constexpr bool operator==(const OpenEnum&) const = default;
  friend constexpr bool operator==(const OpenEnum& a, E b) noexcept { return a.value_ == b; }

  /// The wire string (lets `to_string(x)` work on an OpenEnum as on E).
  friend std::string_view to_string(const OpenEnum& e) noexcept { return e.text(); }

 private:
  E value_{};
  std::string unknown_text_;  // only for E::kUnknown
};

}  // namespace refbridge
