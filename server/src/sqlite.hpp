// A small RAII wrapper over the SQLite C API for the server's store: a
// connection with a cache of prepared statements, and a transaction that
// nests (an inner one is a savepoint of the outer).
// Every SQLite failure becomes casekeep::Error(storage) with SQLite's message.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "casekeep/bytes.hpp"

namespace casekeep::server {

class Statement {
 public:
  // A statement of the connection's cache (`in_use` is its flag, cleared when
  // this is destroyed), or, with `in_use` null, one of its own to finalize.
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const Bytes& value);
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::uint64_t value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind_null(int index);
  bool step();  // true while a row is available
  void run();   // step to completion (for statements that return no rows)

  int columns() const;
  int column_type(int index) const;  // SQLITE_INTEGER, SQLITE_BLOB, ...
  Bytes column_bytes(int index) const;
  std::string column_text(int index) const;
  std::int64_t column_int(int index) const;
  bool column_is_null(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;
};

class Database {
 public:
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  // Prepared once per connection and reused (reset, bindings cleared); a
  // statement whose cached copy is still in use gets a copy of its own.
  Statement prepare(const std::string& sql);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Called after each commit in WAL mode with the WAL's length in pages (it
  // replaces SQLite's automatic checkpoint, which is such a hook).
  void set_wal_hook(int (*hook)(void*, sqlite3*, const char*, int), void* context) {
    sqlite3_wal_hook(db_, hook, context);
  }
  // Copies what it can of the WAL into the database without waiting for
  // anyone (SQLITE_CHECKPOINT_PASSIVE). False when it could not.
  bool checkpoint_passive() noexcept {
    return sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK;
  }

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Cached> cache_;  // nodes are stable: Statement keeps &in_use
};

// BEGIN IMMEDIATE on construction (so two writers never deadlock on an
// upgrade); ROLLBACK unless commit() was called. Inside another transaction
// it is a SAVEPOINT instead: commit() releases it into the outer one (durable
// only when that commits), and without commit() only its own writes are undone.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace casekeep::server
