// casekeep-bench: measures, never asserts. Prints one table of the issue-6
// scenarios it implements so far (S1 local write, S2 push, S3 pull) against the
// real casekeep-server on 127.0.0.1, and the Ed25519 verification bound.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <thread>

#include "casekeep/crypto.hpp"
#include "casekeep/http_carrier.hpp"
#include "casekeep/sync_engine.hpp"
#include "casekeep/vault.hpp"
#include "server_process.hpp"
#include "workload.hpp"

using namespace casekeep;
using Stopwatch = std::chrono::steady_clock;

namespace {

double seconds_since(Stopwatch::time_point start) { return std::chrono::duration<double>(Stopwatch::now() - start).count(); }

// Counts bytes both ways, to report what crosses the wire.
class CountingCarrier final : public Carrier {
 public:
  explicit CountingCarrier(Carrier& inner) : inner_(inner) {}
  wire::Response send(const wire::Request& request) override {
    bytes += request.body.size();
    wire::Response r = inner_.send(request);
    bytes += r.body.size();
    return r;
  }
  std::size_t bytes = 0;

 private:
  Carrier& inner_;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void row(const std::string& scenario, const std::string& measure, double value, const std::string& unit) {
  std::cout << std::left << std::setw(34) << scenario << std::setw(28) << measure << std::right << std::setw(14)
            << std::fixed << std::setprecision(value < 10 ? 3 : 0) << value << "  " << unit << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"casekeep-bench: the issue-6 workload, measured"};
  std::size_t notes = 10000;
  std::string server_bin = CASEKEEP_SERVER_BIN;
  app.add_option("--notes", notes, "N, the number of notes");
  app.add_option("--server", server_bin, "Path of casekeep-server");
  CLI11_PARSE(app, argc, argv);

  crypto::init();
  const auto work_dir = std::filesystem::temp_directory_path() / ("casekeep-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(work_dir);
  VaultOptions fast;
  fast.kdf = crypto::PwhashParams::minimum();
  const std::vector<bench::NoteInput> workload = bench::make_notes(notes);
  std::cout << "casekeep-bench: N = " << notes << " notes (title 40 chars, body 1,000 chars), "
            << std::thread::hardware_concurrency() << " cores\n\n";

  // S1 (a): all notes in one transaction.
  {
    auto v = Vault::create((work_dir / "s1a.db").string(), "pw", "Bench A", fast);
    std::string c = v->create_case({"imr", "BENCH", "bench", "", "", "", "open"});
    std::string i = v->create_interview({c, "Pat", "", ""});
    auto start = Stopwatch::now();
    v->write_batch([&] {
      for (const auto& n : workload) v->add_note(i, n.title, n.body);
    });
    row("S1a local write, one transaction", "notes/s", static_cast<double>(notes) / seconds_since(start), "");
  }

  // S1 (b) and the client A of S2: one transaction (and changeset) per note.
  test::ServerProcess server((work_dir / "server").string(), server_bin);
  server.start();
  auto a = Vault::create((work_dir / "a.db").string(), "pw", "Bench A", fast);
  auto b = Vault::create((work_dir / "b.db").string(), "pw", "Bench B", fast);
  HttpCarrier http(server.url());
  SyncEngine engine_a(*a), engine_b(*b);
  engine_a.on_enroll_response(http.send(engine_a.enroll_request(server.add_user("Bench A"))));
  engine_b.on_enroll_response(http.send(engine_b.enroll_request(server.add_user("Bench B"))));
  std::string c = a->create_case({"imr", "BENCH", "bench", "", "", "", "open"});
  std::string i = a->create_interview({c, "Pat", "", ""});
  a->add_member(i, b->user_card(), "note_taker", "Bench B");
  std::vector<double> latencies;
  auto start = Stopwatch::now();
  for (const auto& n : workload) {
    auto one = Stopwatch::now();
    a->add_note(i, n.title, n.body);
    latencies.push_back(seconds_since(one) * 1000);
  }
  row("S1b local write, one per note", "notes/s", static_cast<double>(notes) / seconds_since(start), "");
  row("S1b local write, one per note", "commit p50", percentile(latencies, 0.50), "ms");
  row("S1b local write, one per note", "commit p99", percentile(latencies, 0.99), "ms");

  // S2: push everything to the empty server.
  CountingCarrier push_wire(http);
  start = Stopwatch::now();
  SyncSummary pushed = sync_with(engine_a, push_wire);
  double push_s = seconds_since(start);
  row("S2 push to casekeep-server", "wall", push_s, "s");
  row("S2 push to casekeep-server", "notes/s", static_cast<double>(notes) / push_s, "");
  row("S2 push to casekeep-server", "bytes on the wire", static_cast<double>(push_wire.bytes), "B");
  row("S2 push to casekeep-server", "changesets sent", static_cast<double>(pushed.sent), "");

  // S3: a fresh member pulls them all (verifying every signature and chain).
  CountingCarrier pull_wire(http);
  start = Stopwatch::now();
  SyncSummary pulled = sync_with(engine_b, pull_wire);
  double pull_s = seconds_since(start);
  row("S3 pull by a fresh member", "wall", pull_s, "s");
  row("S3 pull by a fresh member", "notes/s", static_cast<double>(notes) / pull_s, "");
  row("S3 pull by a fresh member", "changesets received", static_cast<double>(pulled.received), "");

  // The bound S3 is judged against: Ed25519 verifications per second on all cores.
  auto keys = crypto::SignKeyPair::generate();
  Bytes message(1200, 0x61), sig = crypto::sign(keys.secret_key, message);
  const int rounds = 4000;
  start = Stopwatch::now();
  for (int r = 0; r < rounds; ++r) crypto::verify(keys.public_key, message, sig);
  double per_core = rounds / seconds_since(start);
  row("Ed25519 verify bound", "per core /s", per_core, "");
  row("Ed25519 verify bound", "all cores /s", per_core * std::thread::hardware_concurrency(), "");
  row("S3 vs bound", "ratio", static_cast<double>(notes) / pull_s / (per_core * std::thread::hardware_concurrency()), "");

  a.reset();
  b.reset();
  std::filesystem::remove_all(work_dir);
  return 0;
}
