// S1 local write: N notes into a fresh vault, (a) in one transaction, (b) one
// transaction per note (the vault of (b) is then client A of S2).
#include "scenarios.hpp"
#include "workload.hpp"

namespace casekeep::bench {

void run_s1a(const Config& config, Report& report) {
  auto v = Vault::create((config.work_dir / "s1a.db").string(), "pw", "Bench A", fast_kdf());
  std::string interview = shared_interview(*v, {});
  // Like PouchDB's bulkDocs: the notes are made first, then written in one call.
  std::vector<NoteDraft> notes;
  notes.reserve(config.notes);
  for (std::size_t k = 0; k < config.notes; ++k) notes.push_back(make_note(k));
  auto start = Stopwatch::now();
  v->add_notes(interview, notes);
  report.row("S1a", "local write, one transaction", "notes/s", static_cast<double>(config.notes) / seconds_since(start));
}

void run_s1b(const Config& config, SyncPair& pair, Report& report) {
  std::vector<double> latencies;
  latencies.reserve(config.notes);
  pair.notes.reserve(config.notes);
  auto start = Stopwatch::now();
  for (std::size_t k = 0; k < config.notes; ++k) {
    NoteDraft n = make_note(k);
    auto one = Stopwatch::now();
    pair.notes.push_back(pair.a.vault->add_note(pair.interview, n.title, n.body));
    latencies.push_back(seconds_since(one) * 1000);
  }
  const char* title = "local write, one transaction per note";
  report.row("S1b", title, "notes/s", static_cast<double>(config.notes) / seconds_since(start));
  report.row("S1b", title, "commit p50", percentile(latencies, 0.50), "ms");
  report.row("S1b", title, "commit p99", percentile(latencies, 0.99), "ms");
  report.row("S1b", title, "commit max", percentile(latencies, 1.0), "ms");  // a WAL checkpoint
}

}  // namespace casekeep::bench
