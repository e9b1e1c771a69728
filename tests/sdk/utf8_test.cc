// Strict UTF-8 validation (refbridge/utf8.h): RFC 3629 / Unicode Table 3-7 well-formed byte
// sequences, checked against an independent reference decoder over every 1- and 2-byte string
// and every 3- and 4-byte string whose first two bytes matter, at every alignment of the ASCII
// fast path.
#include "refbridge/utf8.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using namespace refbridge;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s += static_cast<char>(b);
  return s;
}

// Reference: decode by the bit patterns, compute the code point, then apply the rules (minimal
// length, no surrogates, at most U+10FFFF). Returns the offset of the first ill-formed sequence.
std::optional<std::size_t> reference_invalid_at(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1, cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3F);
    }
    const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += len;
  }
  return std::nullopt;
}

void check_against_reference(const std::string& s) {
  const auto found = find_invalid_utf8(s);
  const auto expected = reference_invalid_at(s);
  if (found.has_value() != expected.has_value() || (found && found->offset != *expected)) {
    std::string hex;
    for (unsigned char b : s) hex += " " + std::to_string(b);
    FAIL("bytes" << hex << ": found " << (found ? std::to_string(found->offset) : "none") << ", reference "
                 << (expected ? std::to_string(*expected) : "none"));
  }
}

}  // namespace

TEST_CASE("the sequences of the issue and their neighbours are named and placed", "[utf8]") {
  struct Case {
    std::string text;
    Utf8Problem problem;
    std::size_t offset;
    const char* what;
  };
  const std::vector<Case> cases = {
      {"ab" + bytes({0xFF, 0xFE}), Utf8Problem::kInvalidByte, 2, "invalid byte 0xFF"},
      {"ab" + bytes({0xC0, 0xAF}), Utf8Problem::kOverlong, 2, "overlong sequence"},
      {"ab" + bytes({0xC1, 0xBF}), Utf8Problem::kOverlong, 2, "overlong sequence"},
      {"ab" + bytes({0xE0, 0x80, 0xAF}), Utf8Problem::kOverlong, 2, "overlong sequence"},
      {"ab" + bytes({0xF0, 0x8F, 0xBF, 0xBF}), Utf8Problem::kOverlong, 2, "overlong sequence"},
      {"ab" + bytes({0xED, 0xA0, 0x80}), Utf8Problem::kSurrogate, 2, "encoded surrogate"},
      {"ab" + bytes({0xED, 0xBF, 0xBF}), Utf8Problem::kSurrogate, 2, "encoded surrogate"},
      {"ab" + bytes({0xE2, 0x82}), Utf8Problem::kTruncated, 2, "truncated sequence"},
      {"ab" + bytes({0xE2, 0x82}) + "c", Utf8Problem::kTruncated, 2, "truncated sequence"},
      {"ab" + bytes({0xF0, 0x9F, 0x98}), Utf8Problem::kTruncated, 2, "truncated sequence"},
      {"ab" + bytes({0xC3}), Utf8Problem::kTruncated, 2, "truncated sequence"},
      {"ab" + bytes({0x80}), Utf8Problem::kStrayContinuation, 2, "stray continuation byte 0x80"},
      {bytes({0xC3, 0xA9, 0xBF}), Utf8Problem::kStrayContinuation, 2, "stray continuation byte 0xBF"},
      {"ab" + bytes({0xF8, 0x88, 0x80, 0x80, 0x80}), Utf8Problem::kInvalidByte, 2, "invalid byte 0xF8"},
      {"ab" + bytes({0xF5, 0x80, 0x80, 0x80}), Utf8Problem::kInvalidByte, 2, "invalid byte 0xF5"},
      {"ab" + bytes({0xF4, 0x90, 0x80, 0x80}), Utf8Problem::kAboveMax, 2, "code point above U+10FFFF"},
  };
  for (const auto& c : cases) {
    INFO(c.what << " at " << c.offset);
    const auto e = find_invalid_utf8(c.text);
    REQUIRE(e);
    CHECK(e->problem == c.problem);
    CHECK(e->offset == c.offset);
    CHECK(e->byte == static_cast<std::uint8_t>(c.text[c.offset]));
    CHECK(describe(*e) == c.what);
    CHECK_FALSE(is_valid_utf8(c.text));
  }
}

TEST_CASE("well-formed text of every length of sequence is accepted", "[utf8]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8(std::string("a\0b", 3)));                        // U+0000 is well formed
  CHECK(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC 10"));                 // é (2 bytes), € (3 bytes)
  CHECK(is_valid_utf8("\xE4\xB8\xAD\xE6\x96\x87"));                    // 中文
  CHECK(is_valid_utf8("\xF0\x9F\x98\x80 \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9"));  // emoji, ZWJ sequence
  CHECK(is_valid_utf8("\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"));  // range edges
  CHECK(is_valid_utf8("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"));            // U+10000, U+10FFFF
}

TEST_CASE("the ASCII fast path finds a bad byte at every position of a long string", "[utf8]") {
  for (std::size_t len = 0; len <= 40; ++len) {
    const std::string ascii(len, 'x');
    CHECK(is_valid_utf8(ascii));
    CHECK(is_ascii(ascii));
    for (std::size_t at = 0; at <= len; ++at) {
      INFO("length " << len << ", bad byte at " << at);
      std::string s = ascii;
      s.insert(at, 1, '\xFF');
      auto e = find_invalid_utf8(s);
      REQUIRE(e);
      CHECK(e->offset == at);
      CHECK_FALSE(is_ascii(s));
      CHECK_FALSE(is_valid_utf8(s));
      std::string t = ascii;
      t.insert(at, "\xE2\x82\xAC");  // a valid € anywhere
      CHECK(is_valid_utf8(t));
      std::string u = ascii.substr(0, at) + "\xE2\x82";  // truncated at the very end
      e = find_invalid_utf8(u);
      REQUIRE(e);
      CHECK(e->offset == at);
      CHECK(e->problem == Utf8Problem::kTruncated);
    }
  }
}

TEST_CASE("every 1- and 2-byte string and every 3- and 4-byte lead agrees with a reference decoder", "[utf8]") {
  const std::string pad = "0123456";  // 7 ASCII bytes: the sequence straddles the 8-byte words
  for (int a = 0; a < 256; ++a) {
    check_against_reference(bytes({a}));
    for (int b = 0; b < 256; ++b) {
      check_against_reference(bytes({a, b}));
      check_against_reference(pad + bytes({a, b}) + pad);
    }
  }
  // Past the second byte only "continuation or not" matters (Table 3-7): both edges of each.
  const int tails[] = {0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xFF};
  for (int a = 0xC0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : tails) {
        check_against_reference(bytes({a, b, c}));
        for (int d : tails) check_against_reference(pad + bytes({a, b, c, d}));
      }
    }
  }
}
