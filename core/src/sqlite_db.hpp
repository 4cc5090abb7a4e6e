// RAII over the SQLite C API: a connection, prepared statements, transactions.
// Internal to core; every failure becomes Error(storage) with SQLite's message.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "casekeep/bytes.hpp"
#include "wal_checkpointer.hpp"

namespace casekeep {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement& bind(int index, const Bytes& value);
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  bool step();  // true while a row is available
  void run() { step(); }
  Bytes column_bytes(int index) const;
  std::string column_text(int index) const;
  std::int64_t column_int(int index) const;
  bool column_is_null(int index) const;
  void reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  // A cached prepared statement, reset and ready for binding.
  Statement& prepare(const std::string& sql);
  bool in_transaction() const;
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  // Reset every cached statement. A statement left on a row keeps the
  // connection's read transaction open, and while one is open SQLite cannot
  // start the WAL file over, so a long-lived vault's WAL would only grow.
  void finish_statements();
  // Checkpoint the WAL on another connection and thread once it holds `pages`
  // pages, in place of SQLite's automatic checkpoint (wal_checkpointer.hpp);
  // `truncate` empties the WAL after a large commit's own checkpoint.
  void checkpoint_meanwhile(int pages, bool truncate);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::map<std::string, sqlite3_stmt*> cache_;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK unless commit() was called. Inside
// another transaction it is a SAVEPOINT, so a failed inner write undoes only itself.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool nested_ = false;
  bool done_ = false;
};

// For a transaction that need not survive a power failure because it is
// redone anyway (an import is pulled again, an acknowledgment is answered
// again as a replay): its commit skips the fsync (synchronous = NORMAL, which
// in WAL mode never leaves the file inconsistent); the next commit that does
// sync makes it durable too. Outside any transaction only.
class RelaxedDurability {
 public:
  explicit RelaxedDurability(Database& db);
  ~RelaxedDurability();
  RelaxedDurability(const RelaxedDurability&) = delete;
  RelaxedDurability& operator=(const RelaxedDurability&) = delete;

 private:
  Database& db_;
  bool on_;
};

}  // namespace casekeep
