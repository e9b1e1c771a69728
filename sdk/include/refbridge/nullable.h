#pragma once
// refbridge::Nullable<T>: a member that is absent, JSON null, or holds a value (ARCHITECTURE.md
// "Generator v1 type contract": every schema member whose type admits "null").
//
// PATCH bodies need all three states: absent = "leave the stored value alone" (not written),
// null = "clear it" (written as null), value = "set it". Reading a document keeps the state it saw.
//
// The value state mirrors std::optional: `if (x)`, `*x`, `x->m`, `x = v`, `x.value_or(d)`,
// `x.has_value()`, `x.reset()` (back to absent), `x == v` (false unless a value equal to v).
// Null-specific: `is_null()`, `is_absent()`, `set_null()`, `Nullable<T>::null()`, and
// `as_optional()` (absent and null both give std::nullopt).
// `x == std::nullopt` is true when there is no value (absent or null), as for std::optional.

#include <compare>
#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

namespace refbridge {

template <class T>
class Nullable;

namespace detail {
template <class U>
struct is_nullable : std::false_type {};
template <class U>
struct is_nullable<Nullable<U>> : std::true_type {};
}  // namespace detail

template <class T>
class Nullable {
 public:
  using value_type = T;

  /// Absent.
  constexpr Nullable() noexcept = default;
  /// Absent.
  constexpr Nullable(std::nullopt_t) noexcept {}  // NOLINT(google-explicit-constructor): mirrors std::optional
  /// A value (anything T is constructible from, e.g. a string literal for Nullable<std::string>).
  template <class U = T>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, Nullable> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::nullopt_t> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::optional<T>>)
  constexpr Nullable(U&& value)  // NOLINT(google-explicit-constructor): mirrors std::optional
      : value_(std::forward<U>(value)) {}
  /// From a std::optional: nullopt is absent, a value is a value.
  constexpr Nullable(const std::optional<T>& o) : value_(o) {}  // NOLINT(google-explicit-constructor)
  constexpr Nullable(std::optional<T>&& o) : value_(std::move(o)) {}  // NOLINT(google-explicit-constructor)

  /// The JSON-null state.
  [[nodiscard]] static constexpr Nullable null() noexcept {
    Nullable n;
    n.null_ = true;
    return n;
  }

  constexpr Nullable& operator=(std::nullopt_t) noexcept {
    reset();
    return *this;
  }
  template <class U = T>
    requires(std::is_constructible_v<T, U &&> && std::is_assignable_v<T&, U &&> &&
             !std::is_same_v<std::remove_cvref_t<U>, Nullable> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::nullopt_t> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::optional<T>>)
  constexpr Nullable& operator=(U&& value) {
    value_ = std::forward<U>(value);
    null_ = false;
    return *this;
  }
  constexpr Nullable& operator=(const std::optional<T>& o) {
    value_ = o;
    null_ = false;
    return *this;
  }
  constexpr Nullable& operator=(std::optional<T>&& o) {
    value_ = std::move(o);
    null_ = false;
    return *this;
  }

  // ---- state ---------------------------------------------------------------------------------
  [[nodiscard]] constexpr bool has_value() const noexcept { return value_.has_value(); }
  constexpr explicit operator bool() const noexcept { return value_.has_value(); }
  [[nodiscard]] constexpr bool is_null() const noexcept { return null_; }
  [[nodiscard]] constexpr bool is_absent() const noexcept { return !null_ && !value_.has_value(); }

  /// Back to absent.
  constexpr void reset() noexcept {
    value_.reset();
    null_ = false;
  }
  /// To the JSON-null state.
  constexpr void set_null() noexcept {
    value_.reset();
    null_ = true;
  }
  template <class... Args>
  constexpr T& emplace(Args&&... args) {
    null_ = false;
    return value_.emplace(std::forward<Args>(args)...);
  }

  // ---- value access (undefined unless has_value(), like std::optional; value() throws) ------
  constexpr T& operator*() & noexcept { return *value_; }
  constexpr const T& operator*() const& noexcept { return *value_; }
  constexpr T&& operator*() && noexcept { return std::move(*value_); }
  constexpr T* operator->() noexcept { return &*value_; }
  constexpr const T* operator->() const noexcept { return &*value_; }
  constexpr T& value() & { return value_.value(); }
  constexpr const T& value() const& { return value_.value(); }
  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return value_.value_or(std::forward<U>(fallback));
  }

  /// The value as a std::optional (absent and null both give std::nullopt).
  [[nodiscard]] constexpr const std::optional<T>& as_optional() const noexcept { return value_; }

  // ---- comparison ----------------------------------------------------------------------------
  /// Same state and, for values, equal values.
  constexpr bool operator==(const Nullable&) const = default;
  /// True when there is no value (absent or null).
  friend constexpr bool operator==(const Nullable& a, std::nullopt_t) noexcept { return !a.has_value(); }
  /// True when a value equal to `b` is held. U is anything T can be made from (a string literal
  /// for Nullable<std::string>, E for Nullable<OpenEnum<E>>); the constraint deliberately does not
  /// ask whether `T == U` exists, which would recurse through C++20's rewritten candidates.
  template <class U>
    requires(!detail::is_nullable<U>::value && !std::is_same_v<U, std::nullopt_t> &&
             (std::is_convertible_v<const U&, const T&> || std::is_constructible_v<T, const U&>))
  friend constexpr bool operator==(const Nullable& a, const U& b) {
    return a.has_value() && static_cast<bool>(*a == b);
  }

 private:
  std::optional<T> value_;
  bool null_ = false;  // JSON null (value_ is empty then)
};

}  // namespace refbridge
