// The SQLite wrapper of the server's store (sqlite.hpp). Statements are
// prepared once per connection: parsing SQL was a sixth of a push's CPU.
#include "sqlite.hpp"

#include "casekeep/error.hpp"

namespace casekeep::server {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw Error(ErrorCode::storage, "The server's store failed (" + what + "): " + sqlite3_errmsg(db) + ".");
}

sqlite3_stmt* compile(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    fail(db, "prepare");
  }
  return stmt;
}

}  // namespace

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {}

Statement::~Statement() {
  if (!in_use_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);  // ends its read, so it holds no lock while cached
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Statement& Statement::bind(int index, const Bytes& value) {
  // An empty blob must bind as a zero-length blob, not NULL: a null pointer would mean NULL.
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  if (sqlite3_bind_blob(stmt_, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Statement::run() {
  while (step()) {
  }
}

int Statement::columns() const { return sqlite3_column_count(stmt_); }
int Statement::column_type(int index) const { return sqlite3_column_type(stmt_, index); }

Bytes Statement::column_bytes(int index) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, index));
  int size = sqlite3_column_bytes(stmt_, index);
  return data ? Bytes(data, data + size) : Bytes{};
}

std::string Statement::column_text(int index) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  int size = sqlite3_column_bytes(stmt_, index);
  return data ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

Database::Database(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(ErrorCode::storage, "Cannot open the server's store " + path + ": " + message + ".");
  }
  // The operator's commands may write while the server runs: wait, do not fail.
  sqlite3_busy_timeout(db_, 10000);
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

Statement Database::prepare(const std::string& sql) {
  auto found = cache_.find(sql);
  if (found == cache_.end()) found = cache_.emplace(sql, Cached{compile(db_, sql), false}).first;
  Cached& cached = found->second;
  if (cached.in_use) return Statement(db_, compile(db_, sql), nullptr);
  cached.in_use = true;
  return Statement(db_, cached.stmt, &cached.in_use);
}

void Database::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw Error(ErrorCode::storage, "The server's store failed: " + text + ".");
  }
}

// Prepared like any statement, not exec'd: a push opens a savepoint per
// changeset, and parsing these each time was a tenth of a push's work.
Transaction::Transaction(Database& db) : db_(db), nested_(db.in_transaction()) {
  db_.prepare(nested_ ? "SAVEPOINT nested" : "BEGIN IMMEDIATE").run();
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      if (nested_) db_.prepare("ROLLBACK TO nested").run();
      db_.prepare(nested_ ? "RELEASE nested" : "ROLLBACK").run();
    } catch (...) {
      // Nothing more can be done; SQLite rolls back an unfinished transaction on close.
    }
  }
}

void Transaction::commit() {
  db_.prepare(nested_ ? "RELEASE nested" : "COMMIT").run();
  done_ = true;
}

}  // namespace casekeep::server
