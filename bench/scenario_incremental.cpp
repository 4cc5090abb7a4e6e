// S6 incremental cost: a caught-up client pulls --s6-new new changesets from a
// server holding --s6-small changesets, and from another holding --s6-large.
// Each server's history is written by another device into another space (a
// client caught up with a million changesets would first have to pull them
// all); the new changesets come from a writer in the puller's own space. The
// two servers are measured alternately, five times each (medians), so a
// change in the machine's load hits both alike. Cost should follow the
// change, not the history.
#include <algorithm>

#include "scenarios.hpp"

namespace casekeep::bench {
namespace {

class Site {
 public:
  Site(const Config& config, const std::filesystem::path& dir)
      : dir_(dir), server_((dir / "server").string(), config.server_bin) {
    std::filesystem::create_directories(dir);
    server_.start();
    http_ = std::make_unique<HttpCarrier>(server_.url());
    history_ = enrolled_client(server_, *http_, dir / "history.db", "S6 History");
    writer_ = enrolled_client(server_, *http_, dir / "writer.db", "S6 Writer");
    puller_ = enrolled_client(server_, *http_, dir / "puller.db", "S6 Puller");
    history_space_ = shared_interview(*history_.vault, {});
    space_ = shared_interview(*writer_.vault, {puller_.vault.get()});
    push_all(*writer_.engine, *http_);
    pull_all(*puller_.engine, *http_);
  }
  ~Site() { server_.stop(); }

  // History notes up to `target`, 50,000 per vault session (before a32b451 a
  // vault's WAL was only truncated when it was closed). Seconds taken.
  double fill(std::size_t target) {
    auto start = Stopwatch::now();
    while (history_notes_ < target) {
      std::size_t chunk = std::min<std::size_t>(target - history_notes_, 50000);
      write_notes(*history_.vault, history_space_, history_notes_, chunk);
      history_notes_ += chunk;
      held_ += push_all(*history_.engine, *http_);
      history_.engine.reset();
      history_.vault.reset();
      history_ = reopened_client(dir_ / "history.db");
    }
    return seconds_since(start);
  }

  // The writer pushes `count` new notes; the puller's pull of them is timed
  // (milliseconds), and so are its HTTP round trips alone.
  void pull_new(std::size_t count) {
    write_notes(*writer_.vault, space_, written_, count);
    written_ += count;
    push_all(*writer_.engine, *http_);
    MeteredCarrier wire(*http_);
    auto start = Stopwatch::now();
    pull_all(*puller_.engine, wire);
    pulls_.push_back(seconds_since(start) * 1000);
    double trips = 0;
    for (double ms : wire.latencies_ms) trips += ms;
    round_trips_.push_back(trips);
  }

  std::size_t held() const { return held_ + written_; }
  double pull_ms() const { return percentile(pulls_, 0.5); }
  double round_trips_ms() const { return percentile(round_trips_, 0.5); }

 private:
  std::filesystem::path dir_;
  test::ServerProcess server_;
  std::unique_ptr<HttpCarrier> http_;
  Client history_, writer_, puller_;
  std::string history_space_, space_;
  std::size_t held_ = 0, history_notes_ = 0, written_ = 0;
  std::vector<double> pulls_, round_trips_;
};

}  // namespace

void run_s6(const Config& config, Report& report) {
  Site small(config, config.work_dir / "s6-small"), large(config, config.work_dir / "s6-large");
  double fill_small = small.fill(config.s6_small), fill_large = large.fill(config.s6_large);
  for (int rep = 0; rep < 5; ++rep) {
    small.pull_new(config.s6_new);
    large.pull_new(config.s6_new);
  }
  const std::string title = "pull " + std::to_string(config.s6_new) + " new";
  for (const Site* site : {&small, &large}) {
    const std::string held = "server holds " + std::to_string(site->held());
    report.row("S6", title + ", " + held, "pull (median of 5)", site->pull_ms(), "ms");
    report.row("S6", title + ", " + held, "of it HTTP round trips", site->round_trips_ms(), "ms");
  }
  report.row("S6", "time to fill the histories", "small", fill_small, "s");
  report.row("S6", "time to fill the histories", "large", fill_large, "s");
  report.row("S6", "incremental cost", "ratio large/small", large.pull_ms() / small.pull_ms());
  report.row("S6", "incremental cost", "round trips large/small", large.round_trips_ms() / small.round_trips_ms());
}

}  // namespace casekeep::bench
