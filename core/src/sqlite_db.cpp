#include "sqlite_db.hpp"

#include "casekeep/error.hpp"

namespace casekeep {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw Error(ErrorCode::storage, "The local store failed " + what + ": " + sqlite3_errmsg(db) + ".");
}

}  // namespace

Statement& Statement::bind(int index, const Bytes& value) {
  // An empty vector's data() may be null, which SQLite would bind as NULL, not as an empty blob.
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  if (sqlite3_bind_blob(stmt_, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "binding a value");
  return *this;
}
Statement& Statement::bind(int index, const std::string& value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "binding a value");
  return *this;
}
Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "binding a value");
  return *this;
}
Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "binding a value");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_);
  sqlite3_reset(stmt_);
  fail(db_, "running '" + sql.substr(0, 60) + "'");
}

Bytes Statement::column_bytes(int index) const {
  auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, index));
  return Bytes(p, p + sqlite3_column_bytes(stmt_, index));
}
std::string Statement::column_text(int index) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))) : std::string();
}
std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Database::Database(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(ErrorCode::storage, "Could not open the vault file " + path + ": " + msg + ".");
  }
  sqlite3_busy_timeout(db_, 5000);
}

Database::~Database() {
  checkpointer_.reset();  // first, so this connection closes last and checkpoints what is left
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(ErrorCode::storage, "The local store failed running '" + sql.substr(0, 60) + "': " + msg + ".");
  }
}

Statement& Database::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail(db_, "preparing a query");
    cache_[sql] = stmt;
    it = statements_.emplace(sql, std::make_unique<Statement>(db_, stmt)).first;
  }
  it->second->reset();
  return *it->second;
}

void Database::checkpoint_meanwhile(int pages, bool truncate) {
  checkpointer_.reset();  // before the new one: the old one's destructor clears the WAL hook
  checkpointer_ = std::make_unique<WalCheckpointer>(db_, path_, pages, truncate);
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Database::finish_statements() {
  for (auto& [sql, stmt] : cache_) sqlite3_reset(stmt);
}

Transaction::Transaction(Database& db) : db_(db), nested_(db.in_transaction()) {
  db_.exec(nested_ ? "SAVEPOINT inner" : "BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
  if (!done_) {
    try {
      if (!nested_) db_.finish_statements();
      db_.exec(nested_ ? "ROLLBACK TO inner; RELEASE inner" : "ROLLBACK");
    } catch (...) {
      // The connection already rolled back (e.g. after SQLITE_FULL); nothing more to undo.
    }
  }
}
void Transaction::commit() {
  if (!nested_) db_.finish_statements();  // so the commit can checkpoint and restart the WAL
  db_.exec(nested_ ? "RELEASE inner" : "COMMIT");
  done_ = true;
}

RelaxedDurability::RelaxedDurability(Database& db) : db_(db), on_(!db.in_transaction()) {
  if (on_) db_.exec("PRAGMA synchronous = NORMAL");
}

RelaxedDurability::~RelaxedDurability() {
  try {
    if (on_) db_.exec("PRAGMA synchronous = FULL");
  } catch (...) {
    // The connection is broken: its next use reports that.
  }
}

}  // namespace casekeep
