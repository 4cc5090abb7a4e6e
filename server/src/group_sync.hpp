// Group commit for the server's store. Its connection commits with
// synchronous=NORMAL, so a commit only writes the WAL; then, before a request
// is answered and outside the service lock, wait_durable() makes sure the WAL
// is on disk up to the last commit the request made or could have read. One
// flush covers every commit counted before it started, so the pushes that
// commit while one flush runs share the next, and no request holds the lock
// across a disk flush (S7: the flushes were a third of the time under it).
// Nothing is acknowledged, or served, before it is durable, as with FULL.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace casekeep::server {

class GroupSync {
 public:
  // `flush` makes every write made before it durable; false when it failed.
  explicit GroupSync(std::function<bool()> flush) : flush_(std::move(flush)) {}
  // A flush of the file at `path` (fdatasync on a descriptor of its own).
  static std::function<bool()> fdatasync_of(std::string path);

  // Called after each commit has written its WAL frames (SQLite's WAL hook).
  void committed() noexcept { commits_.fetch_add(1, std::memory_order_release); }
  // How many commits have been made: what a request must wait for.
  std::uint64_t mark() const noexcept { return commits_.load(std::memory_order_acquire); }
  // Returns once a flush that began after `mark` commits has succeeded.
  // Throws Error(storage) if a flush failed: the disk may have lost what was
  // written, so from then on nothing not yet durable is ever acknowledged.
  void wait_durable(std::uint64_t mark);

 private:
  std::function<bool()> flush_;
  std::atomic<std::uint64_t> commits_{0};
  std::mutex mutex_;
  std::condition_variable flushed_;
  std::uint64_t durable_ = 0;  // commits known to be on disk
  bool flushing_ = false;
  bool failed_ = false;
};

}  // namespace casekeep::server
