// A small RAII wrapper over the SQLite C API for the server's store: a
// connection, one-shot prepared statements and an IMMEDIATE transaction.
// Every SQLite failure becomes casekeep::Error(storage) with SQLite's message.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "casekeep/bytes.hpp"

namespace casekeep::server {

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
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
};

class Database {
 public:
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  Statement prepare(const std::string& sql) { return Statement(db_, sql); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (so two writers never deadlock on an
// upgrade); ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace casekeep::server
