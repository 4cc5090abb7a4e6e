// S2 push: A holding the N notes (one changeset each) pushes to the empty
// server. S3 pull: the fresh member B pulls all N, verifying every signature
// and chain. Both over real HTTP to casekeep-server on 127.0.0.1.
#include <functional>

#include "scenarios.hpp"

namespace casekeep::bench {

SyncPair::SyncPair(const Config& config) : server((config.work_dir / "server").string(), config.server_bin) {
  server.start();
  http = std::make_unique<HttpCarrier>(server.url());
  a = enrolled_client(server, *http, config.work_dir / "a.db", "Bench A");
  b = enrolled_client(server, *http, config.work_dir / "b.db", "Bench B");
  interview = shared_interview(*a.vault, {b.vault.get()});
}

namespace {

// Times one transfer of the N notes and reports it.
void transfer(const char* scenario, const char* title, const char* counted, std::size_t notes, Report& report,
              Carrier& http, const std::function<std::size_t(Carrier&)>& move) {
  MeteredCarrier wire(http);
  auto start = Stopwatch::now();
  std::size_t changesets = move(wire);
  double wall = seconds_since(start);
  report.row(scenario, title, "wall", wall, "s");
  report.row(scenario, title, "notes/s", static_cast<double>(notes) / wall);
  report.row(scenario, title, "bytes on the wire", static_cast<double>(wire.bytes), "B");
  report.row(scenario, title, counted, static_cast<double>(changesets));
  report.row(scenario, title, "requests", static_cast<double>(wire.latencies_ms.size()));
}

}  // namespace

void run_s2(const Config& config, SyncPair& pair, Report& report) {
  transfer("S2", "push to casekeep-server", "changesets sent", config.notes, report, *pair.http,
           [&](Carrier& wire) { return push_all(*pair.a.engine, wire); });
}

void run_s3(const Config& config, SyncPair& pair, Report& report, double bound) {
  auto start = Stopwatch::now();
  transfer("S3", "pull by a fresh member", "changesets received", config.notes, report, *pair.http,
           [&](Carrier& wire) { return pull_all(*pair.b.engine, wire); });
  double notes_per_s = static_cast<double>(config.notes) / seconds_since(start);
  report.row("S3", "pull vs Ed25519 bound (all cores)", "ratio", notes_per_s / bound);
}

}  // namespace casekeep::bench
