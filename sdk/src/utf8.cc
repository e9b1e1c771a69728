// Strict UTF-8 validation. See refbridge/utf8.h.
#include "refbridge/utf8.h"

#include <bit>
#include <cstdio>
#include <cstring>

namespace refbridge {

namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Index (0..7) of the first byte of the loaded word `high` (only high bits set) that is not ASCII.
inline std::size_t first_non_ascii(std::uint64_t high) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    return static_cast<std::size_t>(std::countr_zero(high)) / 8;
  } else {
    return static_cast<std::size_t>(std::countl_zero(high)) / 8;
  }
}

inline bool is_continuation(unsigned char b) noexcept { return (b & 0xC0) == 0x80; }

}  // namespace

std::optional<Utf8Error> find_invalid_utf8(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path: 8 bytes at a time, then straight to the first non-ASCII byte.
    while (n - i >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p + i, 8);
      const std::uint64_t high = word & kHighBits;
      if (high != 0) {
        i += first_non_ascii(high);
        break;
      }
      i += 8;
    }
    if (i >= n) break;
    const unsigned char lead = p[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const auto fail = [&](Utf8Problem problem) { return Utf8Error{problem, i, lead}; };
    std::size_t length = 0;
    unsigned char lo = 0x80;  // range of the second byte (Table 3-7)
    unsigned char hi = 0xBF;
    Utf8Problem below = Utf8Problem::kOverlong;  // what a second byte under `lo` / over `hi` means
    Utf8Problem above = Utf8Problem::kSurrogate;
    if (lead < 0xC0) return fail(Utf8Problem::kStrayContinuation);
    if (lead < 0xC2) return fail(Utf8Problem::kOverlong);
    if (lead < 0xE0) {
      length = 2;
    } else if (lead < 0xF0) {
      length = 3;
      if (lead == 0xE0) lo = 0xA0;
      if (lead == 0xED) hi = 0x9F;
    } else if (lead < 0xF5) {
      length = 4;
      if (lead == 0xF0) lo = 0x90;
      if (lead == 0xF4) {
        hi = 0x8F;
        above = Utf8Problem::kAboveMax;
      }
    } else {
      return fail(Utf8Problem::kInvalidByte);
    }
    if (n - i < 2 || !is_continuation(p[i + 1])) return fail(Utf8Problem::kTruncated);
    if (p[i + 1] < lo) return fail(below);
    if (p[i + 1] > hi) return fail(above);
    for (std::size_t k = 2; k < length; ++k) {
      if (n - i <= k || !is_continuation(p[i + k])) return fail(Utf8Problem::kTruncated);
    }
    i += length;
  }
  return std::nullopt;
}

std::string describe(const Utf8Error& e) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(e.byte));
  switch (e.problem) {
    case Utf8Problem::kInvalidByte: return std::string("invalid byte ") + hex;
    case Utf8Problem::kStrayContinuation: return std::string("stray continuation byte ") + hex;
    case Utf8Problem::kOverlong: return "overlong sequence";
    case Utf8Problem::kSurrogate: return "encoded surrogate";
    case Utf8Problem::kAboveMax: return "code point above U+10FFFF";
    case Utf8Problem::kTruncated: return "truncated sequence";
  }
  return "invalid sequence";
}

}  // namespace refbridge
