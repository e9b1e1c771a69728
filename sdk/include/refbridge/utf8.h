#pragma once
// Strict UTF-8 validation (RFC 3629 §4; Unicode 15 §3.9, Table 3-7 "Well-Formed UTF-8 Byte
// Sequences"). Source: the "No duplicate, ever" issue: a record carrying an invalid sequence is
// rejected (rule "invalid-utf8"), never delivered byte for byte. json::parse_document() checks
// every string value and member name of every document read with it (refbridge/json.h).
//
// Well-formed sequences, and nothing else:
//   U+0000..U+007F     00..7F
//   U+0080..U+07FF     C2..DF 80..BF
//   U+0800..U+0FFF     E0     A0..BF 80..BF
//   U+1000..U+CFFF     E1..EC 80..BF 80..BF
//   U+D000..U+D7FF     ED     80..9F 80..BF
//   U+E000..U+FFFF     EE..EF 80..BF 80..BF
//   U+10000..U+3FFFF   F0     90..BF 80..BF 80..BF
//   U+40000..U+FFFFF   F1..F3 80..BF 80..BF 80..BF
//   U+100000..U+10FFFF F4     80..8F 80..BF 80..BF
// So: no C0/C1 (overlong 2-byte) or F5..FF lead bytes, no overlong 3- or 4-byte forms, no
// encoded surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence and no
// stray continuation byte. U+0000 (a NUL byte) is well formed.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge {

/// Why a byte string is not well-formed UTF-8.
enum class Utf8Problem {
  kInvalidByte,        ///< F5..FF: never appears in UTF-8
  kStrayContinuation,  ///< 80..BF where a sequence should start
  kOverlong,           ///< C0/C1 lead, E0 80..9F, F0 80..8F: a longer form than the code point needs
  kSurrogate,          ///< ED A0..BF: an encoded surrogate U+D800..U+DFFF
  kAboveMax,           ///< F4 90..BF: above U+10FFFF
  kTruncated,          ///< a lead byte not followed by all its continuation bytes (end of string or another byte)
};

/// The first ill-formed sequence of a byte string.
struct Utf8Error {
  Utf8Problem problem = Utf8Problem::kInvalidByte;
  std::size_t offset = 0;      ///< byte offset (from 0) where the ill-formed sequence starts
  std::uint8_t byte = 0;       ///< the byte at `offset`
  bool operator==(const Utf8Error&) const = default;
};

/// The first ill-formed sequence of `bytes`, or nullopt when all of it is well-formed UTF-8.
/// ASCII runs are checked 8 bytes at a time. Never reads outside `bytes`.
[[nodiscard]] std::optional<Utf8Error> find_invalid_utf8(std::string_view bytes) noexcept;

/// True when every byte of `bytes` is ASCII (00..7F): 8 bytes at a time, without a branch per
/// word (most JSON strings are short ASCII ids, codes and dates).
[[nodiscard]] inline bool is_ascii(std::string_view bytes) noexcept {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const char* p = bytes.data();
  const std::size_t n = bytes.size();
  if (n < 8) {
    unsigned acc = 0;
    for (std::size_t i = 0; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
    return (acc & 0x80) == 0;
  }
  std::uint64_t acc = 0;
  std::uint64_t word = 0;
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::memcpy(&word, p + i, 8);
    acc |= word;
  }
  std::memcpy(&word, p + n - 8, 8);  // the last 0..7 bytes (overlapping the last full word)
  return ((acc | word) & kHigh) == 0;
}

/// True when `bytes` is well-formed UTF-8 (find_invalid_utf8() finds nothing). Inline for the
/// all-ASCII case.
[[nodiscard]] inline bool is_valid_utf8(std::string_view bytes) noexcept {
  return is_ascii(bytes) || !find_invalid_utf8(bytes);
}

/// What went wrong, in words that quote no data: "invalid byte 0xFF", "stray continuation byte
/// 0x80", "overlong sequence", "encoded surrogate", "code point above U+10FFFF", "truncated sequence".
[[nodiscard]] std::string describe(const Utf8Error& e);

}  // namespace refbridge
