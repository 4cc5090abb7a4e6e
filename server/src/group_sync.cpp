#include "group_sync.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "casekeep/error.hpp"

namespace casekeep::server {

std::function<bool()> GroupSync::fdatasync_of(std::string path) {
  // Opened for each flush: the file may be one SQLite made after this started.
  return [path = std::move(path)] {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::fdatasync(fd) == 0;
    return ::close(fd) == 0 && ok;
  };
}

void GroupSync::wait_durable(std::uint64_t mark) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (durable_ < mark && !failed_) {
    if (flushing_) {  // that flush may have begun before our commit: wait, then look again
      flushed_.wait(lock);
      continue;
    }
    flushing_ = true;
    std::uint64_t covered = commits_.load(std::memory_order_acquire);  // their frames are written
    lock.unlock();
    bool ok = flush_();
    lock.lock();
    flushing_ = false;
    if (ok) durable_ = std::max(durable_, covered);
    else failed_ = true;
    flushed_.notify_all();
  }
  if (durable_ < mark)
    throw Error(ErrorCode::storage, "The server's store could not flush its log to disk; nothing more is acknowledged "
                                    "until the server is restarted.");
}

}  // namespace casekeep::server
