// Copies a connection's WAL into its database file beside the writes, on a
// connection of its own, after a large commit fills the WAL, instead of inside
// that commit (SQLite's automatic checkpoint). That copy and its sync were a
// tenth of a bulk write and of a pull page's import (docs/performance.md).
#pragma once
#include <sqlite3.h>

#include <future>
#include <string>

namespace casekeep {

class WalCheckpointer {
 public:
  // Checkpoints `writer`'s database (the file at `path`) once its WAL holds
  // `pages` pages. Replaces the writer's automatic checkpoint. `truncate`
  // empties the WAL file after each checkpoint the writer's thread makes
  // after a large commit.
  WalCheckpointer(sqlite3* writer, std::string path, int pages, bool truncate = false);
  ~WalCheckpointer();  // waits for a checkpoint under way
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* writer, const char* schema, int wal_pages);
  void after_commit(int wal_pages);
  void checkpoint_here(bool after_large_commit);  // on the writer's thread and connection, as SQLite's own would
  void checkpoint_own();   // on the checkpointer's connection

  sqlite3* writer_;
  std::string path_;
  int pages_;
  bool truncate_;
  int last_pages_ = 0;      // the WAL's size after the commit before
  sqlite3* own_ = nullptr;  // opened by the first background checkpoint
  bool threads_ = true;     // false where run_meanwhile cannot start a thread
  std::future<void> running_;
};

}  // namespace casekeep
