// The run lease of the SQLite ledger: flock on a file beside the ledger plus a process-wide
// registry. See ledger_lease.h.
#include "ledger_lease.h"

#include "refbridge/time.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace refbridge::ledger_detail {
namespace {

/// Every lease held by this process: key (canonical lock file path, or "memory:<address>:<workflow>")
/// -> holder. Never destroyed, so that a lease outliving static destruction stays safe.
struct Registry {
  std::mutex mutex;
  std::map<std::string, LeaseHolder> held;
};

Registry& registry() {
  static auto* const r = new Registry;
  return *r;
}

/// A held lease: the open lock file (or -1 for an in-memory ledger) and the registry entry.
class HeldLease final : public RunLease {
 public:
  HeldLease(int fd, std::string key, LeaseHolder holder) : fd_(fd), key_(std::move(key)), holder_(std::move(holder)) {}
  ~HeldLease() override {
    Registry& reg = registry();
    std::lock_guard lock(reg.mutex);
    if (fd_ >= 0) ::close(fd_);  // the kernel drops the flock with the last descriptor of the open file
    reg.held.erase(key_);
  }
  HeldLease(const HeldLease&) = delete;
  HeldLease& operator=(const HeldLease&) = delete;

  [[nodiscard]] const LeaseHolder& holder() const override { return holder_; }

 private:
  int fd_;
  std::string key_;
  LeaseHolder holder_;
};

/// Closes a descriptor unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) noexcept : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

Result<void> check_workflow(std::string_view workflow) {
  bool fine = !workflow.empty() && workflow.size() <= 64;
  for (const char c : workflow) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                         c == '_' || c == '-';
    fine = fine && allowed;
  }
  if (fine) return ok();
  return make_error(ErrorCode::kInvalidInput,
                    "a run lease needs a workflow id of 1 to 64 letters, digits, '.', '_' or '-' (it names the lock file)");
}

static std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

LeaseHolder this_process(std::string_view workflow, LedgerTime now) {
  return LeaseHolder{static_cast<std::int64_t>(::getpid()), host_name(), now, std::string(workflow)};
}

namespace {

Error locked(std::string_view workflow, const std::optional<LeaseHolder>& holder, std::string_view where,
             std::string_view unknown_why = {}) {
  return make_error(ErrorCode::kLocked, locked_message(workflow, holder, where, unknown_why));
}

Error system_error(std::string what, int err) {
  return make_error(ErrorCode::kIo, std::move(what) + ": " + std::strerror(err));
}

/// Writes `text` as the whole content of the file.
Result<void> write_whole(int fd, const std::string& text, const std::string& path) {
  if (::ftruncate(fd, 0) != 0) return system_error("cannot clear the run lease lock file " + path, errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return system_error("cannot write the holder into the run lease lock file " + path, errno);
    done += static_cast<std::size_t>(n);
  }
  return ok();
}

/// The kLocked error of a lock held by another open file description: names the holder as the
/// lock file says. The holder writes its line just after it locked, so an empty file is read again
/// a few times (at most ~50 ms; the lock itself is never waited for).
Error refused_by_file(int fd, std::string_view workflow, const std::string& path) {
  std::string why;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds{10});
    char buf[4096];
    const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    if (n < 0) {
      why = std::string("the lock file cannot be read: ") + std::strerror(errno);
      break;
    }
    const std::string_view text(buf, static_cast<std::size_t>(n));
    if (auto holder = parse_holder_line(text)) return locked(workflow, holder, path);
    why = n == 0 ? "the lock file is empty (the holder may be starting)"
                 : "the lock file does not hold a holder line (not written by refbridge?)";
  }
  return locked(workflow, std::nullopt, path, why);
}

}  // namespace

std::string locked_message(std::string_view workflow, const std::optional<LeaseHolder>& holder,
                           std::string_view lock_file, std::string_view unknown_why) {
  std::string m = "workflow " + std::string(workflow) + ": another run holds the run lease (";
  if (holder) {
    m += "pid " + std::to_string(holder->pid) + " on host " + holder->host + ", started " +
         DateTime::from_utc(holder->started_at).text;
  } else {
    m += "holder unknown: " + std::string(unknown_why);
  }
  m += "; lock file " + std::string(lock_file) + "); this run did nothing";
  return m;
}

std::string holder_line(const LeaseHolder& holder) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("pid");
  w.Int64(holder.pid);
  w.Key("host");
  w.String(holder.host.data(), static_cast<rapidjson::SizeType>(holder.host.size()));
  w.Key("started_at");
  const std::string started = DateTime::from_utc(holder.started_at).text;
  w.String(started.data(), static_cast<rapidjson::SizeType>(started.size()));
  w.Key("workflow");
  w.String(holder.workflow.data(), static_cast<rapidjson::SizeType>(holder.workflow.size()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::optional<LeaseHolder> parse_holder_line(std::string_view text) {
  if (const auto eol = text.find('\n'); eol != std::string_view::npos) text = text.substr(0, eol);
  if (text.empty()) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const auto member = [&doc](const char* name) -> const rapidjson::Value* {
    return doc.HasMember(name) ? &doc[name] : nullptr;
  };
  const auto text_of = [](const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); };
  const rapidjson::Value* pid = member("pid");
  const rapidjson::Value* host = member("host");
  const rapidjson::Value* started = member("started_at");
  if (pid == nullptr || !pid->IsInt64() || host == nullptr || !host->IsString() || started == nullptr ||
      !started->IsString()) {
    return std::nullopt;
  }
  auto when = DateTime::parse(text_of(*started));
  if (!when) return std::nullopt;
  LeaseHolder h{pid->GetInt64(), text_of(*host), when.value().utc, {}};
  if (const rapidjson::Value* wf = member("workflow"); wf != nullptr && wf->IsString()) h.workflow = text_of(*wf);
  return h;
}

Result<std::unique_ptr<RunLease>> acquire_file_lease(const std::string& ledger_path, std::string_view workflow,
                                                     LedgerTime now) {
  REFBRIDGE_TRY(check_workflow(workflow));
  // One key per file whatever path spelling opened the ledger (relative, symlinked, "./x").
  char* real = ::realpath(ledger_path.c_str(), nullptr);
  if (real == nullptr) return system_error("cannot resolve the ledger path " + ledger_path + " for its run lease", errno);
  const std::string path = std::string(real) + "." + std::string(workflow) + ".lock";
  std::free(real);  // NOLINT(cppcoreguidelines-no-malloc): realpath allocates with malloc

  Registry& reg = registry();
  std::unique_lock lock(reg.mutex);
  if (const auto it = reg.held.find(path); it != reg.held.end()) return locked(workflow, it->second, path);

  FdGuard fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    return system_error("cannot open the run lease lock file " + path + " (check that the ledger's directory is writable)",
                        errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return system_error("cannot inspect the run lease lock file " + path, errno);
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::kConfig, "run lease lock path " + path + " is not a regular file");
  if ((st.st_mode & 07777) != 0600 && st.st_uid == ::geteuid()) (void)::fchmod(fd.get(), 0600);  // whatever the umask

  int rc = 0;
  do {
    rc = ::flock(fd.get(), LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) return system_error("cannot lock the run lease lock file " + path, err);
    lock.unlock();  // naming the holder may take a few ms; nothing of the registry is needed
    return refused_by_file(fd.get(), workflow, path);
  }
  LeaseHolder me = this_process(workflow, now);
  REFBRIDGE_TRY(write_whole(fd.get(), holder_line(me), path));  // on failure, closing fd releases the lock
  reg.held.emplace(path, me);
  return std::unique_ptr<RunLease>(std::make_unique<HeldLease>(fd.release(), path, std::move(me)));
}

Result<std::unique_ptr<RunLease>> acquire_memory_lease(const void* ledger, std::string_view workflow, LedgerTime now) {
  REFBRIDGE_TRY(check_workflow(workflow));
  char address[32];
  std::snprintf(address, sizeof address, "%p", ledger);
  const std::string key = "memory:" + std::string(address) + ":" + std::string(workflow);
  constexpr std::string_view kWhere = "none (in-memory ledger: the lease is held within this process)";
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  if (const auto it = reg.held.find(key); it != reg.held.end()) return locked(workflow, it->second, kWhere);
  LeaseHolder me = this_process(workflow, now);
  reg.held.emplace(key, me);
  return std::unique_ptr<RunLease>(std::make_unique<HeldLease>(-1, key, std::move(me)));
}

}  // namespace refbridge::ledger_detail
