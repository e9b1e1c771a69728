// Calendar dates and ISO-8601 date-times. See refbridge/time.h.
#include "refbridge/time.h"

#include <cstdio>

namespace refbridge {
namespace {

using std::chrono::milliseconds;

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

Error bad(std::string_view what, std::string_view text) {
  return make_error(ErrorCode::kInvalidInput,
                    std::string("not a valid ") + std::string(what) + " (" + std::to_string(text.size()) +
                        " characters; expected ISO-8601)");
}

}  // namespace

Result<CalendarDate> CalendarDate::parse(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_digits(text, 0, 4, y) ||
      !read_digits(text, 5, 2, m) || !read_digits(text, 8, 2, d)) {
    return bad("date YYYY-MM-DD", text);
  }
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad("calendar date", text);
  return CalendarDate{y, static_cast<unsigned>(m), static_cast<unsigned>(d)};
}

std::string CalendarDate::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
  return buf;
}

std::chrono::sys_days CalendarDate::to_sys_days() const {
  return std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
}

CalendarDate CalendarDate::from_sys_days(std::chrono::sys_days d) {
  std::chrono::year_month_day ymd{d};
  return CalendarDate{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                      static_cast<unsigned>(ymd.day())};
}

Result<DateTime> DateTime::parse(std::string_view text) {
  if (text.size() < 19 || text[10] != 'T') return bad("date-time", text);
  auto date = CalendarDate::parse(text.substr(0, 10));
  if (!date) return bad("date-time", text);
  int hh = 0, mm = 0, ss = 0;
  if (text[13] != ':' || text[16] != ':' || !read_digits(text, 11, 2, hh) || !read_digits(text, 14, 2, mm) ||
      !read_digits(text, 17, 2, ss) || hh > 23 || mm > 59 || ss > 60) {
    return bad("date-time", text);
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad("date-time", text);
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  DateTime out;
  if (pos < text.size()) {
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      out.has_offset = true;
    } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() && text[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!read_digits(text, pos + 1, 2, oh) || !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
        return bad("date-time", text);
      }
      out.offset_minutes = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
      out.has_offset = true;
    } else {
      return bad("date-time", text);
    }
  }
  auto local = date.value().to_sys_days() + std::chrono::hours{hh} + std::chrono::minutes{mm} +
               std::chrono::seconds{ss} + milliseconds{millis};
  out.utc = std::chrono::time_point_cast<milliseconds>(local - std::chrono::minutes{out.offset_minutes});
  out.text = std::string(text);
  return out;
}

DateTime DateTime::from_utc(std::chrono::sys_time<milliseconds> t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  auto date = CalendarDate::from_sys_days(days);
  std::chrono::hh_mm_ss<milliseconds> tod{t - days};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03dZ", date.to_string().c_str(), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  DateTime out;
  out.utc = t;
  out.has_offset = true;
  out.text = buf;
  return out;
}

CalendarDate DateTime::utc_date() const {
  return CalendarDate::from_sys_days(std::chrono::floor<std::chrono::days>(utc));
}

std::chrono::sys_time<std::chrono::milliseconds> SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace refbridge
