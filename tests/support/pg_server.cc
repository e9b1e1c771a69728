// The test binary's own PostgreSQL 15 server. See pg_server.h.
#include "pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace refbridge::testing {
namespace {

/// Who runs the server: this user, or `nobody` when this process is root.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

RunAs run_as() {
  RunAs r;
  if (::geteuid() != 0) return r;
  const passwd* pw = ::getpwnam("nobody");
  if (pw == nullptr) throw std::runtime_error("PostgreSQL test server: running as root and there is no user 'nobody' to run postgres as");
  r.drop = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  return r;
}

/// Runs `argv` (as RunAs), stdout and stderr appended to `log`; answers its exit status (-1: not exited).
int run(const RunAs& as, const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("PostgreSQL test server: fork failed");
  if (pid == 0) {
    // Privileges first: the log is created by (and stays writable for) the server's user.
    if (as.drop && (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) ::_exit(126);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

/// A port the kernel says is free on 127.0.0.1 now (bound to port 0, then closed).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) throw std::runtime_error("PostgreSQL test server: cannot find a free port on 127.0.0.1");
  return ntohs(addr.sin_port);
}

void write_private(const std::string& path, const std::string& text, const RunAs& as) {
  {
    std::ofstream out(path);
    out << text << "\n";
  }
  ::chmod(path.c_str(), 0600);
  if (as.drop) (void)::chown(path.c_str(), as.uid, as.gid);
}

}  // namespace

PgServer& PgServer::instance() {
  static PgServer server;  // destroyed (stopped) when the test binary exits
  return server;
}

std::string PgServer::fresh_deployment(std::string_view tag) {
  static std::atomic<int> next{0};
  return "t" + std::to_string(::getpid()) + "-" + std::to_string(++next) + "-" + std::string(tag);
}

std::string PgServer::url() const {
  return "postgresql://refbridge@127.0.0.1:" + std::to_string(port_) + "/refbridge?sslmode=disable";
}

PgServer::PgServer() {
  const char* env_bin = std::getenv("REFBRIDGE_PG_BIN");
  bin_ = env_bin != nullptr && *env_bin != '\0' ? env_bin : "/usr/lib/postgresql/15/bin";
  for (const char* tool : {"initdb", "pg_ctl", "postgres", "psql"}) {
    if (::access((bin_ + "/" + tool).c_str(), X_OK) != 0) {
      throw std::runtime_error("PostgreSQL test server: " + bin_ + "/" + tool +
                               " is missing; install postgresql-15 (tools/install-deps.sh) or set REFBRIDGE_PG_BIN");
    }
  }
  const RunAs as = run_as();
  std::string tmpl = (std::filesystem::temp_directory_path() / "refbridge-pg-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("PostgreSQL test server: mkdtemp failed");
  dir_ = tmpl;
  if (as.drop && ::chown(dir_.c_str(), as.uid, as.gid) != 0) throw std::runtime_error("PostgreSQL test server: cannot chown " + dir_);
  password_ = "pg-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000007);
  write_private(dir_ + "/pwfile", password_, as);
  const std::string log = dir_ + "/server.log";
  if (run(as, {bin_ + "/initdb", "-D", dir_ + "/data", "-U", "refbridge", "--pwfile=" + dir_ + "/pwfile",
               "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"},
          log) != 0) {
    throw std::runtime_error("PostgreSQL test server: initdb failed:\n" + tail_of(log));
  }
  // A port may be taken between free_port() and the server's bind: a few tries.
  for (int attempt = 0; attempt < 3 && port_ == 0; ++attempt) {
    const int port = free_port();
    const std::string opts = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port) + " -k " + dir_ +
                             " -c fsync=off -c max_connections=200 -c shared_buffers=32MB";
    if (run(as, {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", log, "-w", "-t", "60", "-o", opts, "start"}, log) == 0) port_ = port;
  }
  if (port_ == 0) throw std::runtime_error("PostgreSQL test server: postgres did not start:\n" + tail_of(log));
  if (run(as, {bin_ + "/psql", "-h", dir_, "-p", std::to_string(port_), "-U", "refbridge", "-d", "postgres", "-q", "-c",
               "CREATE DATABASE refbridge"},
          log) != 0) {
    throw std::runtime_error("PostgreSQL test server: CREATE DATABASE failed:\n" + tail_of(log));
  }
}

PgServer::~PgServer() {
  if (port_ != 0) (void)run(run_as(), {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "stop"}, "/dev/null");
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace refbridge::testing
