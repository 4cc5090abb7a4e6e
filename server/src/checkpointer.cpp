#include "checkpointer.hpp"

#include <chrono>

namespace casekeep::server {

Checkpointer::Checkpointer(const std::string& path) : db_(path) {
  // A connection learns that the file is in WAL mode when it first reads it;
  // until then a checkpoint on it does nothing.
  db_.exec("PRAGMA journal_mode=WAL");
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::run() {
  // Often enough that the WAL stays a few pushes long; a passive checkpoint
  // with nothing to copy only reads the WAL index.
  constexpr auto kInterval = std::chrono::milliseconds(200);
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, kInterval, [this] { return stopping_; })) {
    lock.unlock();
    db_.checkpoint_passive();  // never blocks a writer; a failure is retried next time
    lock.lock();
  }
}

}  // namespace casekeep::server
