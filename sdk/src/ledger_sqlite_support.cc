// SQLite errors with advice, one-use statements. See ledger_sqlite_support.h.
#include "ledger_sqlite_support.h"

#include <utility>

namespace refbridge::ledger_detail {
namespace {

/// A busy call that took at most this long did not wait for anyone (the busy handler sleeps
/// first for 1 ms, then 2, 5, 10, ... ms; a wait for another connection takes longer than this).
constexpr std::chrono::milliseconds kAtOnce{100};
/// A busy call that took at least this long waited (about) the whole busy timeout.
constexpr std::chrono::milliseconds kWholeTimeout = kBusyTimeout - std::chrono::milliseconds{500};

/// What a person can do about a failed SQLite call, by primary result code (busy excepted).
std::string_view advice(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_READONLY: return "the ledger is read-only here (opened read-only, or the file/directory is not writable)";
    case SQLITE_FULL: return "the disk is full; free space and run again";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return "the file is not a SQLite database or is damaged; restore it from a backup";
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH: return "check that the path exists and that its directory is writable by this user";
    case SQLITE_IOERR: return "the file system reported an I/O error; check the disk";
    default: return {};
  }
}

bool is_busy(int rc) noexcept { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

std::string seconds_text(std::chrono::milliseconds ms) {
  const auto s = ms.count() / 1000;
  const auto rest = ms.count() % 1000;
  return std::to_string(s) + (rest == 0 ? "" : "." + std::to_string(1000 + rest).substr(1)) + " s";
}

}  // namespace

std::string result_code_name(int rc) {
  switch (rc) {
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_BUSY_RECOVERY: return "SQLITE_BUSY_RECOVERY";
    case SQLITE_BUSY_SNAPSHOT: return "SQLITE_BUSY_SNAPSHOT";
    case SQLITE_BUSY_TIMEOUT: return "SQLITE_BUSY_TIMEOUT";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_LOCKED_SHAREDCACHE: return "SQLITE_LOCKED_SHAREDCACHE";
    default: return "sqlite " + std::to_string(rc);
  }
}

Error sqlite_error(sqlite3* db, int rc, std::string_view what, std::optional<std::chrono::milliseconds> waited) {
  const std::string sqlite_message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message(what);
  message += ": ";
  if (is_busy(rc) && !(waited && *waited >= kWholeTimeout)) {
    // Nothing (or not the whole timeout) was waited: naming "another process" would mislead.
    message += "the ledger was busy (SQLite returned " + result_code_name(rc);
    if (waited && *waited <= kAtOnce) {
      message += " at once, without waiting";
    } else if (waited) {
      message += " after " + std::to_string(waited->count()) + " ms, before the busy timeout (" +
                 seconds_text(kBusyTimeout) + ") elapsed";
    }
    message += ": " + sqlite_message + "); retry";
    return make_error(ErrorCode::kIo, std::move(message));
  }
  message += sqlite_message;
  message += " (sqlite " + std::to_string(rc) + ")";
  if (is_busy(rc)) {
    message += "; another process held the ledger locked longer than the busy timeout (" + seconds_text(kBusyTimeout) +
               "); is another run still going?";
  } else if (const auto hint = advice(rc); !hint.empty()) {
    message += "; ";
    message += hint;
  }
  return make_error(ErrorCode::kIo, std::move(message));
}

Result<StmtHandle> prepare(sqlite3* db, const char* sql, std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  const auto start = std::chrono::steady_clock::now();
  const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  StmtHandle stmt(raw);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what, elapsed_since(start));
  return stmt;
}

Result<void> exec(sqlite3* db, const char* sql, std::string_view what) {
  const auto start = std::chrono::steady_clock::now();
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what, elapsed_since(start));
  return ok();
}

Result<std::string> single_value(sqlite3* db, const char* sql, std::string_view what) {
  REFBRIDGE_TRY(auto stmt, prepare(db, sql, what));
  Query q(db, stmt.get());
  REFBRIDGE_TRY(const bool row, q.step(what));
  return row ? q.text(0) : std::string();
}

}  // namespace refbridge::ledger_detail
