// The run lease (Ledger::acquire_run_lease, refbridge/ledger.h; the "No duplicate, ever" issue):
// exclusive per (ledger, workflow) within a process and across processes, released by its
// destructor and by the death of its process, the refusal naming the holder.
#include "refbridge/ledger.h"

#include "ledger_fork.h"
#include "ledger_temp_dir.h"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using refbridge::ErrorCode;
using refbridge::Ledger;
using refbridge::LedgerTime;
using refbridge::testing::fork_child;
using refbridge::testing::Pipe;
using refbridge::testing::TempDir;
using refbridge::testing::wait_child;

namespace {

/// 2025-01-01T10:00:00.000Z plus `ms`.
LedgerTime at(std::int64_t ms = 0) { return LedgerTime{std::chrono::milliseconds{1'735'725'600'000 + ms}}; }

std::unique_ptr<Ledger> open(const std::string& path) {
  auto ledger = refbridge::open_sqlite_ledger(path);
  if (!ledger) FAIL(ledger.error().describe());
  return std::move(ledger.value());
}

std::string host_name() {
  char buf[256] = {};
  REQUIRE(::gethostname(buf, sizeof buf - 1) == 0);
  return buf;
}

/// The canonical lock file path of `workflow` for the ledger at `path` (which exists).
std::string lock_file(const std::string& path, const std::string& workflow) {
  return std::filesystem::canonical(path).string() + "." + workflow + ".lock";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("a second acquire of the same workflow is refused with kLocked naming the holder") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = open(path);
  auto first = ledger->acquire_run_lease("1.1", at());
  REQUIRE(first);
  const auto& holder = first.value()->holder();
  CHECK(holder.pid == ::getpid());
  CHECK(holder.host == host_name());
  CHECK(holder.started_at == at());
  CHECK(holder.workflow == "1.1");

  const auto second = ledger->acquire_run_lease("1.1", at(1'000));
  REQUIRE_FALSE(second);
  CHECK(second.error().code == ErrorCode::kLocked);
  CHECK(refbridge::classify(second.error()) == refbridge::ErrorClass::kRunLevel);
  const std::string expected = "workflow 1.1: another run holds the run lease (pid " + std::to_string(::getpid()) +
                               " on host " + host_name() + ", started 2025-01-01T10:00:00.000Z; lock file " +
                               lock_file(path, "1.1") + "); this run did nothing";
  CHECK(second.error().message == expected);

  SECTION("another Ledger object on the same file, by another spelling of its path, is refused too") {
    auto other = open(dir.file(".") + "/./ledger.db");
    const auto third = other->acquire_run_lease("1.1", at(2'000));
    REQUIRE_FALSE(third);
    CHECK(third.error().code == ErrorCode::kLocked);
    CHECK_THAT(third.error().message, Catch::Contains("pid " + std::to_string(::getpid())));
  }
}

TEST_CASE("leases of different workflows are independent") {
  TempDir dir;
  auto ledger = open(dir.file("ledger.db"));
  auto a = ledger->acquire_run_lease("1.1", at());
  auto b = ledger->acquire_run_lease("1.2", at());
  auto c = ledger->acquire_run_lease("2.1", at());
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(b.value()->holder().workflow == "1.2");
  CHECK(ledger->acquire_run_lease("1.2", at()).error().code == ErrorCode::kLocked);
}

TEST_CASE("a destroyed lease can be acquired again, and its lock file stays (0600, one JSON line)") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = open(path);
  const auto file = lock_file(path, "1.1");
  {
    auto lease = ledger->acquire_run_lease("1.1", at());
    REQUIRE(lease);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(read_file(file) == "{\"pid\":" + std::to_string(::getpid()) + ",\"host\":\"" + host_name() +
                                 "\",\"started_at\":\"2025-01-01T10:00:00.000Z\",\"workflow\":\"1.1\"}\n");
  }
  CHECK(std::filesystem::exists(file));  // never unlinked
  for (int i = 1; i <= 3; ++i) {
    auto again = ledger->acquire_run_lease("1.1", at(i));
    REQUIRE(again);
    CHECK(again.value()->holder().started_at == at(i));
  }
}

TEST_CASE("flock on a second descriptor of the same file in the same process is refused (what the lease relies on)") {
  TempDir dir;
  const auto path = dir.file("some.lock");
  const int a = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  const int b = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(a >= 0);
  REQUIRE(b >= 0);
  CHECK(::flock(a, LOCK_EX | LOCK_NB) == 0);
  CHECK(::flock(b, LOCK_EX | LOCK_NB) != 0);
  CHECK(errno == EWOULDBLOCK);
  ::close(a);
  CHECK(::flock(b, LOCK_EX | LOCK_NB) == 0);
  ::close(b);
}

TEST_CASE("a lock held outside this process's leases is named from the lock file, or said unknown") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = open(path);
  const auto file = lock_file(path, "1.1");
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);

  SECTION("a holder line") {
    const std::string line = R"({"pid":4242,"host":"x","started_at":"2026-12-04T18:00:00.000Z","workflow":"1.1"})" "\n";
    REQUIRE(::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    const auto refused = ledger->acquire_run_lease("1.1", at());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::kLocked);
    CHECK(refused.error().message == "workflow 1.1: another run holds the run lease (pid 4242 on host x, started "
                                     "2026-12-04T18:00:00.000Z; lock file " + file + "); this run did nothing");
  }
  SECTION("an empty file") {
    const auto refused = ledger->acquire_run_lease("1.1", at());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::kLocked);
    CHECK_THAT(refused.error().message, Catch::Contains("holder unknown: the lock file is empty") &&
                                            Catch::Contains("lock file " + file) && Catch::Contains("this run did nothing"));
  }
  SECTION("not a holder line") {
    REQUIRE(::write(fd, "garbage\n", 8) == 8);
    const auto refused = ledger->acquire_run_lease("1.1", at());
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("holder unknown: the lock file does not hold a holder line"));
  }
  ::close(fd);
  CHECK(ledger->acquire_run_lease("1.1", at()));
}

TEST_CASE("a forked child holding the lease refuses the parent, and frees it when SIGKILLed") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  { auto created = open(path); }  // no ledger is open in the parent across fork()
  Pipe ready;
  Pipe hold;  // the child holds the lease until killed
  const pid_t child = fork_child([&] {
    ready.close_read();
    hold.close_write();
    auto ledger = refbridge::open_sqlite_ledger(path);
    if (!ledger) return 1;
    auto lease = ledger.value()->acquire_run_lease("1.1", at());
    if (!lease) return 2;
    ready.signal();
    (void)hold.wait();  // until killed (the parent never writes)
    return 0;
  });
  ready.close_write();
  hold.close_read();
  REQUIRE(ready.wait());

  auto ledger = open(path);
  const auto refused = ledger->acquire_run_lease("1.1", at(5'000));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kLocked);
  CHECK_THAT(refused.error().message, Catch::Contains("pid " + std::to_string(child) + " on host " + host_name()) &&
                                          Catch::Contains("started 2025-01-01T10:00:00.000Z"));
  CHECK(ledger->acquire_run_lease("2.1", at()));  // other workflows stay free

  REQUIRE(::kill(child, SIGKILL) == 0);
  CHECK(wait_child(child) == 128 + SIGKILL);
  const auto after = ledger->acquire_run_lease("1.1", at(6'000));
  REQUIRE(after);
  CHECK(after.value()->holder().pid == ::getpid());
}

TEST_CASE("a lease taken by the parent refuses a forked child that opens the ledger itself") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  { auto created = open(path); }
  // The parent takes the lease through its own open file description after fork(), so that the
  // child does not inherit it; the child then tries.
  Pipe go;
  Pipe answer;
  const pid_t child = fork_child([&] {
    go.close_write();
    answer.close_read();
    if (!go.wait()) return 1;
    auto ledger = refbridge::open_sqlite_ledger(path);
    if (!ledger) return 2;
    const auto lease = ledger.value()->acquire_run_lease("1.1", at());
    if (lease) return 3;
    if (lease.error().code != ErrorCode::kLocked) return 4;
    const std::string& m = lease.error().message;
    (void)!::write(answer.fds[1], m.data(), m.size());
    return 0;
  });
  go.close_read();
  answer.close_write();
  auto ledger = open(path);
  auto lease = ledger->acquire_run_lease("1.1", at());
  REQUIRE(lease);
  go.signal();
  std::string message;
  char buf[512];
  for (ssize_t n; (n = ::read(answer.fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<std::size_t>(n));
  CHECK(wait_child(child) == 0);
  CHECK_THAT(message, Catch::Contains("workflow 1.1: another run holds the run lease (pid " + std::to_string(::getpid())));
}

TEST_CASE("in-memory ledgers: one lease per Ledger object and workflow") {
  auto a = open(":memory:");
  auto b = open(":memory:");
  auto held = a->acquire_run_lease("1.1", at());
  REQUIRE(held);
  const auto refused = a->acquire_run_lease("1.1", at());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kLocked);
  CHECK_THAT(refused.error().message, Catch::Contains("pid " + std::to_string(::getpid())) &&
                                          Catch::Contains("lock file none (in-memory ledger"));
  CHECK(b->acquire_run_lease("1.1", at()));
  CHECK(a->acquire_run_lease("1.2", at()));
  held.value().reset();
  CHECK(a->acquire_run_lease("1.1", at()));
}

TEST_CASE("a lease needs a plain workflow id and a writable ledger") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = open(path);
  for (const char* bad : {"", "../x", "1/1", "a b"}) {
    const auto r = ledger->acquire_run_lease(bad, at());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidInput);
  }
  auto reader = refbridge::open_sqlite_ledger(path, refbridge::LedgerOpenMode::kReadOnly);
  REQUIRE(reader);
  const auto r = reader.value()->acquire_run_lease("1.1", at());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidInput);
  CHECK_THAT(r.error().message, Catch::Contains("read-only"));
}
