#include "wal_checkpointer.hpp"

#include <chrono>
#include <utility>

#include "casekeep/parallel.hpp"

namespace casekeep {
namespace {

// A WAL this many times the threshold is checkpointed by the writer itself,
// after waiting for the checkpointer: writes that outrun it cannot grow the WAL
// without bound (it starts over only once a checkpoint has copied all of it).
constexpr int kWriterTakesOverAt = 4;
// A commit that wrote fewer pages than this checkpoints in itself, as SQLite
// would. Beside a stream of single-note commits, a background copy made their
// syncs wait on its writes to the same disk (S1b's p99, median of four
// alternating runs: 1.3 -> 1.9 ms). After a large commit (a bulk write, a pull
// page) the next one is tens of milliseconds of CPU work away, which the copy
// runs beside.
constexpr int kLargeCommitPages = 256;  // 1 MiB

bool ready(const std::future<void>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

}  // namespace

WalCheckpointer::WalCheckpointer(sqlite3* writer, std::string path, int pages, bool truncate)
    : writer_(writer), path_(std::move(path)), pages_(pages), truncate_(truncate) {
  sqlite3_wal_hook(writer_, &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  if (running_.valid()) running_.wait();
  sqlite3_close(own_);  // not the last connection: the writer's close checkpoints what is left
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  try {
    static_cast<WalCheckpointer*>(self)->after_commit(wal_pages);
  } catch (...) {
    // Nothing may unwind through SQLite; the next commit tries again.
  }
  return SQLITE_OK;  // the commit is durable already; a checkpoint that fails loses nothing
}

void WalCheckpointer::after_commit(int wal_pages) {
  if (running_.valid() && ready(running_)) running_.get();
  const int written = wal_pages >= last_pages_ ? wal_pages - last_pages_ : wal_pages;  // smaller: it started over
  last_pages_ = wal_pages;
  if (pages_ <= 0 || wal_pages < pages_) return;
  const bool large = written >= kLargeCommitPages;
  if (wal_pages >= kWriterTakesOverAt * pages_) {  // the checkpointer fell behind, or cannot work
    if (running_.valid()) running_.get();
    return checkpoint_here(large);
  }
  if (running_.valid()) return;  // the one under way takes these pages next time
  if (!threads_ || !large) return checkpoint_here(large);
  running_ = run_meanwhile([this] { checkpoint_own(); });
  if (running_.wait_for(std::chrono::seconds(0)) == std::future_status::deferred) {
    // No thread here (WebAssembly without threads): checkpoint as SQLite would.
    threads_ = false;
    running_ = {};
    checkpoint_here(large);
  }
}

void WalCheckpointer::checkpoint_here(bool after_large_commit) {
  // Only after a large commit: its pages are likely not yet written out by the
  // browser's store, and need not be, as WAL. The pages of small commits were,
  // commit by commit, and emptying the WAL would only delete them there, to
  // write them again as it refills (S1b, two alternating runs: 247-267 notes/s
  // against 283-312 without). TRUNCATE also waits for readers, of which the
  // browser's one connection has none between its calls.
  const bool truncate = truncate_ && after_large_commit;
  int log = -1, copied = -1;
  const int rc = sqlite3_wal_checkpoint_v2(writer_, nullptr, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                           &log, &copied);
  // All of it copied: the next commit starts the WAL over, so its size then is
  // that commit's alone, even when it is larger than the size now.
  if (rc == SQLITE_OK && log == copied) last_pages_ = 0;
}

void WalCheckpointer::checkpoint_own() {
  if (!own_) {
    if (sqlite3_open_v2(path_.c_str(), &own_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      sqlite3_close(own_);
      own_ = nullptr;
      return;  // the writer takes over once the WAL grows to kWriterTakesOverAt times the threshold
    }
    // A connection reads the file's header, and finds its WAL, only when first
    // used: until then a checkpoint on it finds no WAL and does nothing.
    sqlite3_exec(own_, "PRAGMA schema_version", nullptr, nullptr, nullptr);
  }
  // PASSIVE: copies what no reader still needs, and never waits for the writer.
  sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

}  // namespace casekeep
