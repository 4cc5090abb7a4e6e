// The store's WAL is copied back into the database by the Checkpointer's
// thread, not by the commits of pushes.
#include <chrono>
#include <filesystem>
#include <thread>

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
