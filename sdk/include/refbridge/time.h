#pragma once
// Calendar dates and date-times as exact types (not strings).
// Shapes: CalendarDate is a proleptic Gregorian "YYYY-MM-DD" with no time zone;
// DateTime is an ISO-8601 instant "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]" whose original text is
// kept so that a read -> write round trip is byte-exact. A date-time without an offset (seen in
// 2021 proGres samples) is taken as UTC and flagged by `has_offset == false`.
// Source: ../shared/docs/openfn-primero-progres.md §8.12, primero-api-v2.md §1 (date values).

#include "refbridge/error.h"

#include <chrono>
#include <compare>
#include <string>
#include <string_view>

namespace refbridge {

/// A calendar date (no time zone), e.g. a date of birth.
struct CalendarDate {
  int year = 1970;
  unsigned month = 1;  ///< 1..12
  unsigned day = 1;    ///< 1..31, valid for the month

  /// Parses exactly "YYYY-MM-DD". Errors: kInvalidInput naming the problem (never echoing more than the text's length).
  static Result<CalendarDate> parse(std::string_view text);
  /// "YYYY-MM-DD".
  [[nodiscard]] std::string to_string() const;
  /// Days since 1970-01-01.
  [[nodiscard]] std::chrono::sys_days to_sys_days() const;
  static CalendarDate from_sys_days(std::chrono::sys_days d);
  auto operator<=>(const CalendarDate&) const = default;
};

/// An instant with its original text and UTC offset.
struct DateTime {
  std::chrono::sys_time<std::chrono::milliseconds> utc{};  ///< the instant, UTC, millisecond precision
  int offset_minutes = 0;   ///< offset written in the text (Z = 0); 0 when absent
  bool has_offset = false;  ///< false when the text carried no zone designator
  std::string text;         ///< the original text, written back unchanged

  /// Parses ISO-8601 "YYYY-MM-DDTHH:MM:SS" with optional fraction and optional "Z" or "±HH:MM".
  /// Errors: kInvalidInput.
  static Result<DateTime> parse(std::string_view text);
  /// Builds a UTC DateTime whose text is "YYYY-MM-DDTHH:MM:SS.mmmZ" (Primero's output format).
  static DateTime from_utc(std::chrono::sys_time<std::chrono::milliseconds> t);
  /// The UTC calendar date of the instant.
  [[nodiscard]] CalendarDate utc_date() const;
  bool operator==(const DateTime& o) const { return utc == o.utc && offset_minutes == o.offset_minutes; }
};

/// Current time source; tests inject a fixed clock. Units: milliseconds since the Unix epoch, UTC.
struct Clock {
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::sys_time<std::chrono::milliseconds> now() const = 0;
};

/// The system clock.
struct SystemClock final : Clock {
  [[nodiscard]] std::chrono::sys_time<std::chrono::milliseconds> now() const override;
};

/// A clock that always answers the same instant (tests, reproducible demos).
struct FixedClock final : Clock {
  explicit FixedClock(std::chrono::sys_time<std::chrono::milliseconds> t) : t_(t) {}
  [[nodiscard]] std::chrono::sys_time<std::chrono::milliseconds> now() const override { return t_; }

 private:
  std::chrono::sys_time<std::chrono::milliseconds> t_;
};

}  // namespace refbridge
