// Shared test fixtures: throwaway vault directories, a fake clock, cheap KDF.
#pragma once
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "casekeep/vault.hpp"

namespace casekeep::test {

// A fresh directory under the system temp dir, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    static std::mt19937_64 rng{std::random_device{}()};
    path_ = std::filesystem::temp_directory_path() / ("casekeep-test-" + std::to_string(rng()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Time moves only when the test says so (plus 1 ms per reading, like a real clock).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::uint64_t start = 1'700'000'000'000ULL) : now_(start) {}
  std::uint64_t now_ms() override { return now_++; }
  void advance(std::uint64_t ms) { now_ += ms; }

 private:
  std::uint64_t now_;
};

inline VaultOptions fast_options(Clock* clock = nullptr) {
  VaultOptions o;
  o.kdf = crypto::PwhashParams::minimum();
  o.clock = clock;
  return o;
}

inline std::unique_ptr<Vault> new_vault(const TempDir& dir, const std::string& name, Clock* clock = nullptr) {
  return Vault::create(dir.file(name + ".db"), "correct horse " + name, name, fast_options(clock));
}

// Move every changeset of `from` into `to`.
inline ImportReport sync_into(Vault& to, const Vault& from) { return to.import_changesets(from.export_changesets()); }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace casekeep::test
