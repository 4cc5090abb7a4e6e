// S6 incremental cost: with the server holding --s6-small and then --s6-large
// changesets, a caught-up client pulls --s6-new new ones. The history is
// written by another device into another space on the same server (a client
// caught up with a million changesets would first have to pull them all); the
// new ones come from a writer in the puller's own space. Each measurement is
// the median of three pulls. Cost should follow the change, not the history.
#include <algorithm>

#include "scenarios.hpp"

namespace casekeep::bench {

void run_s6(const Config& config, Report& report) {
  const auto dir = config.work_dir / "s6";
  test::ServerProcess server((dir / "server").string(), config.server_bin);
  server.start();
  HttpCarrier http(server.url());
  Client history = enrolled_client(server, http, dir / "history.db", "S6 History");
  Client writer = enrolled_client(server, http, dir / "writer.db", "S6 Writer");
  Client puller = enrolled_client(server, http, dir / "puller.db", "S6 Puller");
  std::string history_space = shared_interview(*history.vault, {});
  std::string space = shared_interview(*writer.vault, {puller.vault.get()});
  push_all(*writer.engine, http);
  pull_all(*puller.engine, http);

  std::size_t held = 0, history_notes = 0, written = 0;
  std::vector<double> medians;
  for (std::size_t target : {config.s6_small, config.s6_large}) {
    auto start = Stopwatch::now();
    while (history_notes < target) {
      // 50,000 notes per vault session: a vault's WAL is only truncated when
      // it is closed (docs/performance.md), and a million would fill the disk.
      std::size_t chunk = std::min<std::size_t>(target - history_notes, 50000);
      write_notes(*history.vault, history_space, history_notes, chunk);
      history_notes += chunk;
      held += push_all(*history.engine, http);
      history.engine.reset();
      history.vault.reset();
      history = reopened_client(dir / "history.db");
    }
    double fill = seconds_since(start);
    std::vector<double> pulls;
    for (int rep = 0; rep < 3; ++rep) {
      write_notes(*writer.vault, space, written, config.s6_new);
      written += config.s6_new;
      push_all(*writer.engine, http);
      start = Stopwatch::now();
      pull_all(*puller.engine, http);
      pulls.push_back(seconds_since(start) * 1000);
    }
    medians.push_back(percentile(pulls, 0.5));
    const std::string title = "pull " + std::to_string(config.s6_new) + " new, server holds " + std::to_string(held);
    report.row("S6", title, "pull (median of 3)", medians.back(), "ms");
    report.row("S6", title, "time to fill the history", fill, "s");
  }
  report.row("S6", "incremental cost", "ratio large/small", medians[1] / medians[0]);
}

}  // namespace casekeep::bench
