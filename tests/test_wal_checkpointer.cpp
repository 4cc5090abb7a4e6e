// The WAL is copied into the database file beside the writes, and a writer
// that outruns that copy still cannot grow the WAL without bound.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "support.hpp"
#include "wal_checkpointer.hpp"

using namespace casekeep;
using namespace casekeep::test;

namespace {

constexpr std::uintmax_t kFrameBytes = 4096 + 24;  // a WAL frame: header and page
// WebAssembly without threads has no checkpointer thread: the writer
// checkpoints at the threshold itself, as SQLite's automatic checkpoint does.
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
constexpr bool kThreads = false;
#else
constexpr bool kThreads = true;
#endif

struct Writer {
  sqlite3* db = nullptr;
  explicit Writer(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    exec("PRAGMA journal_mode = WAL; CREATE TABLE t(x BLOB)");
  }
  ~Writer() { sqlite3_close(db); }
  void exec(const std::string& sql) { REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK); }
  void commit_pages(int pages) {  // one transaction of about this many new pages
    exec("INSERT INTO t(x) VALUES(randomblob(" + std::to_string(pages * 4000) + "))");
  }
};

std::uintmax_t size_of(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

}  // namespace

TEST_CASE("after a large commit the WAL is copied into the file beside the writer", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("w.db");
  Writer w(path);
  {
    WalCheckpointer checkpointer(w.db, path, 100);
    w.commit_pages(50);  // below the threshold: stays in the WAL
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(size_of(path) < 20 * 4096);
    w.commit_pages(300);  // past it, in a large commit; then no more writes
    // SQLite's own automatic checkpoint (every 1,000 pages) is replaced, so
    // only the checkpointer can put these pages in the file.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (size_of(path) < 300 * 4096 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(size_of(path) >= 300 * 4096);
  }
}

TEST_CASE("a small commit that fills the WAL checkpoints in itself", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("w.db");
  Writer w(path);
  // The checkpointer's own connection cannot open this, so it never copies a page.
  WalCheckpointer checkpointer(w.db, dir.file("missing/w.db"), 50);
  std::uintmax_t largest = 0;
  for (int i = 0; i < 100; ++i) {  // 1,000 pages in all
    w.commit_pages(10);
    largest = std::max(largest, size_of(path + "-wal"));
  }
  CHECK(largest < (50 + 2 * 10 + 5) * kFrameBytes);
}

TEST_CASE("a writer that outruns the checkpointer checkpoints itself at four times the threshold", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("w.db");
  Writer w(path);
  WalCheckpointer checkpointer(w.db, dir.file("missing/w.db"), 300);  // never copies a page
  std::uintmax_t largest = 0;
  for (int i = 0; i < 20; ++i) {  // large commits, 6,000 pages in all
    w.commit_pages(300);
    largest = std::max(largest, size_of(path + "-wal"));
  }
  if (kThreads) CHECK(largest > 2 * 300 * kFrameBytes);  // the writer left these to the checkpointer
  CHECK(largest < (4 * 300 + 2 * 300 + 5) * kFrameBytes);
}

TEST_CASE("with truncate, a large commit that checkpoints in itself empties the WAL, and a small one keeps it", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("w.db");
  Writer w(path);
  // The checkpointer cannot open this: with threads, the writer takes over at
  // four times the threshold; without, it checkpoints at the threshold.
  WalCheckpointer checkpointer(w.db, dir.file("missing/w.db"), 100, /*truncate=*/true);
  w.commit_pages(60);
  w.commit_pages(60);  // past the threshold in a small commit: checkpointed, and the WAL file kept
  CHECK(size_of(path + "-wal") >= 120 * kFrameBytes);
  CHECK(size_of(path) >= 115 * 4096);
  w.commit_pages(300);
  w.commit_pages(300);  // large commits, past four times the threshold by now
  CHECK(size_of(path + "-wal") == 0);
  CHECK(size_of(path) >= 700 * 4096);  // commit_pages(n) writes about 0.98 n pages
  w.commit_pages(1);  // the next commit starts the WAL again, and nothing is lost
  sqlite3_stmt* count = nullptr;
  REQUIRE(sqlite3_prepare_v2(w.db, "SELECT count(*) FROM t", -1, &count, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(count) == SQLITE_ROW);
  CHECK(sqlite3_column_int(count, 0) == 5);
  sqlite3_finalize(count);
}
