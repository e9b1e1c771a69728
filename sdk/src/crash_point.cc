// Fault-injection crash points. See refbridge/crash_point.h.
#include "refbridge/crash_point.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace refbridge::detail {
namespace {

struct CrashConfig {
  long long crash_at = 0;  // 0: never
  int trace_fd = -1;       // -1: no trace
  std::atomic<long long> hits{0};

  CrashConfig() {
    if (const char* at = std::getenv("REFBRIDGE_CRASH_AT"); at != nullptr && *at != '\0') {
      long long n = 0;
      const char* end = at + std::strlen(at);
      const auto [ptr, ec] = std::from_chars(at, end, n);
      if (ec == std::errc() && ptr == end && n > 0) crash_at = n;
    }
    if (const char* path = std::getenv("REFBRIDGE_CRASH_TRACE"); path != nullptr && *path != '\0') {
      trace_fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    }
  }
  [[nodiscard]] bool armed() const { return crash_at > 0 || trace_fd >= 0; }
};

CrashConfig& config() {
  static CrashConfig c;  // thread-safe initialisation; the file descriptor lives as long as the process
  return c;
}

}  // namespace

bool crash_points_armed() noexcept {
  static const bool armed = config().armed();
  return armed;
}

void crash_point_hit(std::string_view name) noexcept {
  CrashConfig& c = config();
  const long long n = c.hits.fetch_add(1) + 1;
  if (c.trace_fd >= 0) {
    std::string line = std::to_string(n);
    line += ' ';
    line += name;
    line += '\n';
    (void)!::write(c.trace_fd, line.data(), line.size());  // one O_APPEND write: lines never interleave
  }
  if (n == c.crash_at) std::raise(SIGKILL);
}

}  // namespace refbridge::detail
