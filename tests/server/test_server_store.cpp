// The store's WAL is copied back into the database by the Checkpointer's
// thread, not by the commits of pushes.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "casekeep/error.hpp"
#include "group_sync.hpp"
#include "server_fixture.hpp"

using namespace casekeep;
using namespace casekeep::test;

TEST_CASE("the store's WAL is checkpointed off the write path", "[server][store]") {
  TempDir dir;
  server::Store store(dir.path() / "data");
  const auto db = server::Store::file_in(dir.path() / "data");
  auto size_of = [](const std::filesystem::path& p) {
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? std::uintmax_t{0} : n;
  };
  // About 3 MB in one transaction: far below the 64 MiB at which the writing
  // connection would checkpoint by itself, so only the thread moves it.
  const std::uintmax_t before = size_of(db);
  {
    auto t = store.transaction();
    for (int k = 0; k < 20000; ++k)
      store.add_code("user " + std::to_string(k) + std::string(100, 'x'), "", crypto::hash(to_bytes(std::to_string(k))), 1);
    t.commit();
  }
  CHECK(size_of(std::filesystem::path(db.string() + "-wal")) > 2'000'000);
  bool moved = false;
  for (int waited = 0; waited < 100 && !moved; ++waited) {  // at most 5 s; the thread runs every 0.2 s
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    moved = size_of(db) > before + 2'000'000;
  }
  CHECK(moved);
  CHECK(store.user_by_name("user 19999" + std::string(100, 'x')));
}

// Group commit: waits share flushes, none returns before a flush that began
// after its commits, and a failed flush is never taken for a good one.
TEST_CASE("group commit: every wait is covered by a flush begun after its commits", "[server][store]") {
  std::atomic<std::uint64_t> flushes{0};
  std::atomic<std::uint64_t> flushed_through{0};  // commits counted when the last good flush began
  server::GroupSync* sync_ptr = nullptr;
  server::GroupSync sync([&] {
    std::uint64_t covers = sync_ptr->mark();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a disk flush takes a while
    ++flushes;
    flushed_through = std::max(flushed_through.load(), covers);
    return true;
  });
  sync_ptr = &sync;
  constexpr int kThreads = 8, kCommits = 25;
  std::atomic<int> uncovered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int k = 0; k < kCommits; ++k) {
        sync.committed();
        std::uint64_t mine = sync.mark();
        sync.wait_durable(mine);
        if (flushed_through.load() < mine) ++uncovered;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(uncovered == 0);
  CHECK(flushes < kThreads * kCommits);  // shared: fewer flushes than waits
  CHECK(flushes > 0);
  std::uint64_t before = flushes;
  sync.wait_durable(sync.mark());  // nothing new: no flush
  CHECK(flushes == before);
}

TEST_CASE("group commit: after a failed flush nothing more is acknowledged", "[server][store]") {
  bool healthy = true;
  server::GroupSync sync([&] { return healthy; });
  sync.committed();
  sync.wait_durable(sync.mark());
  healthy = false;
  sync.committed();
  CHECK_THROWS_WITH(sync.wait_durable(sync.mark()), Catch::Contains("could not flush its log"));
  healthy = true;  // a later flush that succeeds proves nothing about what the failed one lost
  sync.committed();
  CHECK_THROWS_AS(sync.wait_durable(sync.mark()), Error);
  sync.wait_durable(1);  // what was durable before stays so
}

TEST_CASE("the store acknowledges only what its WAL flush covers", "[server][store]") {
  TempDir dir;
  server::Store store(dir.path() / "data");
  std::uint64_t before = store.commits();
  store.add_code("ann", "", crypto::hash(to_bytes("code")), 1);
  CHECK(store.commits() == before + 1);  // counted by SQLite's WAL hook
  store.wait_durable(store.commits());   // flushes the real WAL file
}
