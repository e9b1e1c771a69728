#pragma once
// Support for the operator-tool tests (issue 12): a temporary directory and running a built program
// as an operator would, capturing its exit status, stdout and stderr.

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace refbridge::testing {

/// A fresh directory under the system temp dir, removed with its contents at scope exit.
class OperatorDir {
 public:
  OperatorDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "refbridge-operator-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~OperatorDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  OperatorDir(const OperatorDir&) = delete;
  OperatorDir& operator=(const OperatorDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Writes `text` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CommandResult {
  int exit = -1;    ///< the exit status, -1 when killed by a signal
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs `program args...` through /bin/sh with `env_prefix` (e.g. "A=1 B=2 ") and `stdin_text`
/// on its standard input; stderr goes through a file in `dir`.
inline CommandResult run_program(const OperatorDir& dir, const std::string& program, const std::vector<std::string>& args,
                                 const std::string& env_prefix = "", const std::string& stdin_text = "") {
  const std::string err_path = dir.file("stderr.txt");
  const std::string in_path = dir.write("stdin.txt", stdin_text);
  std::string command = env_prefix + shell_quote(program);
  for (const auto& a : args) command += " " + shell_quote(a);
  command += " <" + shell_quote(in_path) + " 2>" + shell_quote(err_path);
  CommandResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_text(err_path);
  return r;
}

}  // namespace refbridge::testing
