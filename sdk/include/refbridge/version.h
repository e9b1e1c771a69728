#pragma once
// The build's identity, for `--version`, the HTTP User-Agent and the run report (issue 12).
// Source: CMakeLists.txt `project(refbridge VERSION ...)` and the git commit the build was
// configured from (cmake/Version.cmake; "unknown" outside a git checkout).

#include <string>
#include <string_view>

namespace refbridge {

/// The project version, e.g. "0.1.0".
std::string_view version() noexcept;

/// The abbreviated (12 hex digits) git commit of the build, or "unknown".
std::string_view git_commit() noexcept;

/// One line for `--version`: "<program> 0.1.0 (commit 75326dc1a2b3)".
std::string version_line(std::string_view program);

/// The HTTP User-Agent every refbridge request sends: "refbridge/0.1.0 (commit 75326dc1a2b3)".
std::string user_agent();

}  // namespace refbridge
