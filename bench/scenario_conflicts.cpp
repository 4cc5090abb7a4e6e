// S4 incremental with conflicts: A edits notes 0-99, B edits 50-149 (title and
// status), then two rounds of A-sync-then-B-sync. Reports the time of the
// syncs, the conflicts each side sees (50 notes expected, two fields each) and
// whether the visible state converged: equal Vault::state_digest of the shared
// interview on A and B (A alone holds the case space).
#include <algorithm>
#include <set>

#include "scenarios.hpp"

namespace casekeep::bench {
namespace {

void edit(Vault& vault, const std::vector<std::string>& notes, std::size_t from, std::size_t to, const std::string& who) {
  for (std::size_t k = from; k < std::min(to, notes.size()); ++k) {
    vault.write_batch([&] {  // two changesets (title, status) in one transaction
      vault.edit_note(notes[k], "Edited by " + who + " " + std::to_string(k), std::nullopt);
      vault.set_field(notes[k], "status", "reviewed by " + who);
    });
  }
}

std::size_t conflicting_notes(const Vault& vault) {
  std::set<std::string> records;
  for (const Conflict& c : vault.conflicts()) records.insert(c.record);
  return records.size();
}

}  // namespace

void run_s4(SyncPair& pair, Report& report) {
  pull_all(*pair.a.engine, *pair.http);  // A catches up; not timed
  edit(*pair.a.vault, pair.notes, 0, 100, "A");
  edit(*pair.b.vault, pair.notes, 50, 150, "B");
  MeteredCarrier wire(*pair.http);
  auto start = Stopwatch::now();
  for (int round = 0; round < 2; ++round) {
    sync_with(*pair.a.engine, wire);
    sync_with(*pair.b.engine, wire);
  }
  double wall = seconds_since(start);
  const char* title = "edits with conflicts, 2 sync rounds";
  report.row("S4", title, "wall", wall, "s");
  report.row("S4", title, "bytes on the wire", static_cast<double>(wire.bytes), "B");
  report.row("S4", title, "notes in conflict on A", static_cast<double>(conflicting_notes(*pair.a.vault)));
  report.row("S4", title, "notes in conflict on B", static_cast<double>(conflicting_notes(*pair.b.vault)));
  report.row("S4", title, "fields in conflict on A", static_cast<double>(pair.a.vault->conflicts().size()));
  report.row("S4", title, "fields in conflict on B", static_cast<double>(pair.b.vault->conflicts().size()));
  report.row("S4", title, "converged", pair.a.vault->state_digest(pair.interview) == pair.b.vault->state_digest(pair.interview) ? 1 : 0,
             "1 = equal state digests");
}

}  // namespace casekeep::bench
