// S5 scale: S2 + S3 with N = --s5-notes on a fresh server, and the peak RSS of
// the server and of each client. Each client runs in a fresh process of this
// binary (so its VmHWM is its own), and reports its /proc/self/status VmHWM in
// one JSON line; the server's VmHWM is read from /proc/<pid>/status while it
// still runs, after both clients are done.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "scenarios.hpp"

namespace casekeep::bench {
namespace {

nlohmann::json run_child(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, p)) out.append(buffer, n);
  if (pclose(p) != 0) throw std::runtime_error("S5 client failed: " + command);
  return nlohmann::json::parse(out.substr(out.rfind('{')));
}

}  // namespace

int run_s5_child(const ScaleChild& child) {
  HttpCarrier http(child.url);
  MeteredCarrier wire(http);
  nlohmann::json out;
  if (child.role == "push") {
    Client a;
    a.vault = Vault::create(child.vault, "pw", "S5 A", fast_kdf());
    a.engine = std::make_unique<SyncEngine>(*a.vault);
    a.engine->on_enroll_response(http.send(a.engine->enroll_request(child.code)));
    UserCard b = a.engine->on_user_response(
        send_authorized(*a.engine, http, [&] { return a.engine->user_request(child.member); }));
    std::string interview = shared_interview(*a.vault, {});
    a.vault->add_member(interview, b, "note_taker", child.member);
    auto start = Stopwatch::now();
    write_notes(*a.vault, interview, 0, child.notes);
    out["write_s"] = seconds_since(start);
    start = Stopwatch::now();
    out["changesets"] = push_all(*a.engine, wire);
    out["wall_s"] = seconds_since(start);
  } else {
    Client b = reopened_client(child.vault);
    auto start = Stopwatch::now();
    out["changesets"] = pull_all(*b.engine, wire);
    out["wall_s"] = seconds_since(start);
  }
  out["bytes"] = wire.bytes;
  out["peak_rss_kb"] = peak_rss_kb(getpid());
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

void run_s5(const Config& config, Report& report) {
  const auto dir = config.work_dir / "s5";
  test::ServerProcess server((dir / "server").string(), config.server_bin);
  server.start();
  {
    HttpCarrier http(server.url());
    enrolled_client(server, http, dir / "b.db", "S5 B");  // enrolled, then closed: the pull process opens it
  }
  std::string common = config.self_exe + " --s5-url " + server.url() + " --s5-notes " + std::to_string(config.s5_notes);
  nlohmann::json push = run_child(common + " --s5-role push --s5-vault " + (dir / "a.db").string() +
                                  " --s5-member 'S5 B' --s5-code " + server.add_user("S5 A"));
  nlohmann::json pull = run_child(common + " --s5-role pull --s5-vault " + (dir / "b.db").string());
  long server_kb = peak_rss_kb(server.pid());

  const double n = static_cast<double>(config.s5_notes);
  const double push_s = push.at("wall_s"), pull_s = pull.at("wall_s");
  const std::string title = "scale, N = " + std::to_string(config.s5_notes);
  report.row("S5", title, "client A write (1000/txn)", push.at("write_s"), "s");
  report.row("S5", title, "push wall", push_s, "s");
  report.row("S5", title, "push notes/s", n / push_s);
  report.row("S5", title, "pull wall", pull_s, "s");
  report.row("S5", title, "pull notes/s", n / pull_s);
  report.row("S5", title, "push + pull wall", push_s + pull_s, "s");
  report.row("S5", title, "server peak RSS", static_cast<double>(server_kb) / 1024, "MB");
  report.row("S5", title, "client A peak RSS", push.at("peak_rss_kb").get<double>() / 1024, "MB");
  report.row("S5", title, "client B peak RSS", pull.at("peak_rss_kb").get<double>() / 1024, "MB");
  report.note("S5 peak RSS: VmHWM from /proc/<pid>/status; the server's read from outside after both clients "
              "finished, each client's (a fresh process of casekeep-bench) read by itself at its end.");
}

}  // namespace casekeep::bench
