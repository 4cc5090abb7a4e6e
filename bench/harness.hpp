// What every scenario shares: the run's settings, a carrier that meters the
// wire, enrolled clients, shared interviews, note writing and a push without
// a pull. Scenarios live one per file (scenario_*.cpp, declared in scenarios.hpp).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "casekeep/sync_engine.hpp"
#include "casekeep/vault.hpp"
#include "server_process.hpp"

namespace casekeep::bench {

using Stopwatch = std::chrono::steady_clock;
double seconds_since(Stopwatch::time_point start);
double percentile(std::vector<double> values, double p);  // p in [0, 1]; 0 for none

struct Config {
  std::size_t notes = 10000;         // N of S1-S4
  std::size_t s5_notes = 100000;     // N of S5
  std::size_t s6_small = 1000;       // changesets on the server, first S6 measurement
  std::size_t s6_large = 1000000;    // ... and second
  std::size_t s6_new = 100;          // changesets the S6 client pulls
  std::size_t s7_clients = 50;
  std::size_t s7_notes = 200;        // per S7 client
  std::string server_bin;
  std::string self_exe;              // this binary, for S5's client processes
  std::filesystem::path work_dir;
};

// Counts bytes both ways, times each round trip and counts non-200 answers.
class MeteredCarrier final : public Carrier {
 public:
  explicit MeteredCarrier(Carrier& inner) : inner_(inner) {}
  wire::Response send(const wire::Request& request) override;
  bool concurrent() const override { return inner_.concurrent(); }
  std::size_t bytes = 0;
  std::size_t errors = 0;
  std::string first_error;  // status and the start of the body of the first non-200 answer
  std::vector<double> latencies_ms;

 private:
  Carrier& inner_;
  std::mutex mutex_;  // for the counts: two sends may be in flight
};

VaultOptions fast_kdf();  // the benchmark measures records, not the passphrase KDF

// A vault and its sync engine, enrolled with the server under `name`.
struct Client {
  std::unique_ptr<Vault> vault;
  std::unique_ptr<SyncEngine> engine;
};
Client enrolled_client(test::ServerProcess& server, Carrier& carrier, const std::filesystem::path& file,
                       const std::string& name);
// A reopened vault (S5's client processes) with a fresh engine; the device is enrolled already.
Client reopened_client(const std::filesystem::path& file);

// A case and an interview founded by `owner`, with each of `members` added as note taker.
std::string shared_interview(Vault& owner, const std::vector<Vault*>& members);

// `count` notes numbered from `first` of the workload, one changeset each; in
// SQLite transactions of `per_transaction` notes. Returns their ids.
std::vector<std::string> write_notes(Vault& vault, const std::string& interview, std::size_t first, std::size_t count,
                                     std::size_t per_transaction = 1000);

// Log in if needed and push the whole outbox, without the pull of sync_with
// (a push is one-way, as PouchDB's replicate local->remote is). Changesets sent.
std::size_t push_all(SyncEngine& engine, Carrier& carrier);
// Pull every page (after logging in if needed); changesets received.
std::size_t pull_all(SyncEngine& engine, Carrier& carrier);

// VmHWM (peak resident set) of a live process from /proc/<pid>/status, in kB.
long peak_rss_kb(pid_t pid);

}  // namespace casekeep::bench
