// The Prometheus metrics file. See metrics.h.
#include "metrics.h"

#include "refbridge/version.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace refbridge::workflows {
namespace {

constexpr std::string_view kLastSuccess = "refbridge_last_success_timestamp_seconds";

std::string escape_label(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  for (const int digits : {15, 16, 17}) {  // the shortest text that reads back as v
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// Appends the exposition lines of one metric family.
class Family {
 public:
  Family(std::string& out, std::string_view name, std::string_view type, std::string_view help)
      : out_(out), name_(name) {
    out_ += "# HELP " + name_ + " " + std::string(help) + "\n# TYPE " + name_ + " " + std::string(type) + "\n";
  }
  /// One sample `name<suffix>{labels} value`; labels as (name, value) pairs.
  void sample(std::initializer_list<std::pair<std::string_view, std::string_view>> labels, double value,
              std::string_view suffix = {}) {
    out_ += name_ + std::string(suffix);
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        out_ += (first ? "" : ",") + std::string(k) + "=\"" + escape_label(v) + "\"";
        first = false;
      }
      out_ += '}';
    }
    out_ += " " + number(value) + "\n";
  }

 private:
  std::string& out_;
  std::string name_;
};

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

/// The value of refbridge_last_success_timestamp_seconds{workflow="<workflow>"} in the file.
std::optional<double> previous_last_success(const std::string& path, const std::string& workflow) {
  std::ifstream in(path);
  const std::string prefix = std::string(kLastSuccess) + "{workflow=\"" + escape_label(workflow) + "\"} ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    try {
      return std::stod(line.substr(prefix.size()));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Error io_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kIo, "metrics file: cannot " + what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string_view RequestMetrics::status_class(int status) noexcept {
  if (status < 100 || status > 599) return "error";
  static constexpr std::string_view kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  return kClasses[status / 100 - 1];
}

void RequestMetrics::observe(std::string_view system, int status, std::chrono::duration<double> latency) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(system), std::string(status_class(status))}];
  Latency& l = latency_[std::string(system)];
  ++l.count;
  l.sum_seconds += latency.count();
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (latency.count() <= kBuckets[i]) {
      ++l.buckets[i];
      break;
    }
  }
}

std::map<std::pair<std::string, std::string>, std::uint64_t> RequestMetrics::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::map<std::string, RequestMetrics::Latency> RequestMetrics::latency() const {
  std::lock_guard lock(mutex_);
  return latency_;
}

std::string outcome_for_exit_status(int status) {
  switch (status) {
    case 0: return "completed";
    case 3: return "interrupted";
    case 4: return "run_timeout";
    case 64: return "usage";
    case 69: return "unavailable";
    case 70: return "software";
    case 74: return "io_error";
    case 75: return "lease_held";
    case 77: return "no_permission";
    case 78: return "config";
    default: return "exit_" + std::to_string(status);
  }
}

std::string prometheus_text(const RunMetrics& run, std::optional<double> last_success) {
  std::string out;
  const std::string_view w = run.workflow;
  Family(out, "refbridge_build_info", "gauge", "The refbridge build that ran (always 1).")
      .sample({{"workflow", w}, {"version", version()}, {"commit", git_commit()}}, 1);
  Family records(out, "refbridge_run_records", "gauge", "Records of the last run per final state.");
  for (auto s : {RecordState::kDelivered, RecordState::kSkipped, RecordState::kRejected, RecordState::kFailed}) {
    records.sample({{"workflow", w}, {"state", to_string(s)}},
                   run.report == nullptr ? 0.0 : static_cast<double>(run.report->count(s)));
  }
  Family(out, "refbridge_run_duration_seconds", "gauge", "Duration of the last run.")
      .sample({{"workflow", w}}, run.duration.count());
  Family(out, "refbridge_run_exit_status", "gauge", "Exit status of the last run (0 completed; see README).")
      .sample({{"workflow", w}}, run.exit_status);
  const std::string outcome = outcome_for_exit_status(run.exit_status);
  Family(out, "refbridge_last_run_timestamp_seconds", "gauge", "When the last run ended (Unix time), by outcome.")
      .sample({{"workflow", w}, {"outcome", outcome}}, unix_seconds(run.finished_at));
  if (last_success) {
    Family(out, kLastSuccess, "gauge", "When the last completed run ended (Unix time).").sample({{"workflow", w}}, *last_success);
  }
  if (run.ledger_counts) {
    Family ledger(out, "refbridge_ledger_records", "gauge", "Ledger rows per state (failed: awaiting a retry).");
    for (const auto& [state, n] : *run.ledger_counts) ledger.sample({{"workflow", w}, {"state", state}}, static_cast<double>(n));
  }
  if (run.requests != nullptr) {
    Family requests(out, "refbridge_http_requests_total", "counter",
                    "HTTP requests of the last run by system and status class (error: no answer).");
    for (const auto& [key, n] : run.requests->requests()) {
      requests.sample({{"workflow", w}, {"system", key.first}, {"status_class", key.second}}, static_cast<double>(n));
    }
    Family latency(out, "refbridge_http_request_duration_seconds", "histogram",
                   "HTTP request latency of the last run by system.");
    for (const auto& [system, l] : run.requests->latency()) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < RequestMetrics::kBuckets.size(); ++i) {
        cumulative += l.buckets[i];
        const std::string le = number(RequestMetrics::kBuckets[i]);
        latency.sample({{"workflow", w}, {"system", system}, {"le", le}}, static_cast<double>(cumulative), "_bucket");
      }
      latency.sample({{"workflow", w}, {"system", system}, {"le", "+Inf"}}, static_cast<double>(l.count), "_bucket");
      latency.sample({{"workflow", w}, {"system", system}}, l.sum_seconds, "_sum");
      latency.sample({{"workflow", w}, {"system", system}}, static_cast<double>(l.count), "_count");
    }
  }
  return out;
}

std::string metrics_path_for(std::string path_template, std::string_view workflow) {
  constexpr std::string_view kPlaceholder = "{workflow}";
  for (auto at = path_template.find(kPlaceholder); at != std::string::npos;
       at = path_template.find(kPlaceholder, at + workflow.size())) {
    path_template.replace(at, kPlaceholder.size(), workflow);
  }
  return path_template;
}

Result<void> write_metrics_file(const std::string& path, const RunMetrics& run) {
  const std::optional<double> last_success =
      run.exit_status == 0 ? std::optional<double>(unix_seconds(run.finished_at)) : previous_last_success(path, run.workflow);
  const std::string text = prometheus_text(run, last_success);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("create", tmp);
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto e = io_error("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  if (!(::close(fd) == 0 && synced)) {
    auto e = io_error("write", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = io_error("rename to", path);
    ::unlink(tmp.c_str());
    return e;
  }
  return ok();
}

}  // namespace refbridge::workflows
