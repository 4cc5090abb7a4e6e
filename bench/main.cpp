// casekeep-bench: measures, never asserts. Runs the issue-6 scenarios S1-S7
// against the real casekeep-server on 127.0.0.1 and prints one table (or JSON
// with --json, for bench/compare). Each scenario lives in its own file.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <set>

#include "casekeep/crypto.hpp"
#include "scenarios.hpp"

using namespace casekeep;
using namespace casekeep::bench;

int main(int argc, char** argv) {
  CLI::App app{"casekeep-bench: the issue-6 workload, measured"};
  Config config;
  config.server_bin = CASEKEEP_SERVER_BIN;
  std::string scenarios = "S1,S2,S3,S4,S5,S6,S7";
  bool json = false;
  app.add_option("--notes", config.notes, "N of S1-S4");
  app.add_option("--s5-notes", config.s5_notes, "N of S5 (scale)");
  app.add_option("--s6-small", config.s6_small, "S6: changesets the server holds first");
  app.add_option("--s6-large", config.s6_large, "S6: changesets the server holds second");
  app.add_option("--s6-new", config.s6_new, "S6: new changesets the client pulls");
  app.add_option("--s7-clients", config.s7_clients, "S7: clients pushing at once");
  app.add_option("--s7-notes", config.s7_notes, "S7: notes each client pushes");
  app.add_option("--scenarios", scenarios, "Comma-separated subset of S1,...,S7 (S1-S4 share one server and run together; S1a alone for profiling)");
  app.add_option("--server", config.server_bin, "Path of casekeep-server");
  app.add_flag("--json", json, "Print JSON (for bench/compare) instead of the table; progress goes to stderr");
  ScaleChild child;  // S5's client processes: not for people
  app.add_option("--s5-role", child.role)->group("");
  app.add_option("--s5-url", child.url)->group("");
  app.add_option("--s5-vault", child.vault)->group("");
  app.add_option("--s5-code", child.code)->group("");
  app.add_option("--s5-member", child.member)->group("");
  CLI11_PARSE(app, argc, argv);

  crypto::init();
  if (!child.role.empty()) {
    child.notes = config.s5_notes;
    return run_s5_child(child);
  }
  std::set<std::string> wanted;
  for (std::size_t at = 0; at <= scenarios.size();) {
    std::size_t comma = std::min(scenarios.find(',', at), scenarios.size());
    wanted.insert(scenarios.substr(at, comma - at));
    at = comma + 1;
  }
  auto want = [&](const char* s) { return wanted.count(s) > 0; };
  config.self_exe = std::filesystem::read_symlink("/proc/self/exe").string();
  config.work_dir = std::filesystem::temp_directory_path() / ("casekeep-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(config.work_dir);
  const Machine machine = Machine::here();
  std::clog << "casekeep-bench: N = " << config.notes << " notes on " << machine.cores << " cores\n";

  Report report;
  int status = 0;
  try {
    double per_core = ed25519_verifications_per_core();
    report.row("bound", "Ed25519 verify", "per core /s", per_core);
    report.row("bound", "Ed25519 verify", "all cores /s", per_core * machine.cores);
    if (want("S1") || want("S1a")) run_s1a(config, report);  // S1a alone: for profiling
    if (want("S1") || want("S2") || want("S3") || want("S4")) {
      SyncPair pair(config);
      run_s1b(config, pair, report);
      run_s2(config, pair, report);
      run_s3(config, pair, report, per_core * machine.cores);
      run_s4(pair, report);
    }
    if (want("S5")) run_s5(config, report);
    if (want("S6")) run_s6(config, report);
    if (want("S7")) run_s7(config, report);
  } catch (const std::exception& e) {
    std::cerr << "casekeep-bench: " << e.what() << '\n';
    status = 1;
  }
  if (json) report.print_json(std::cout, machine);
  else report.print_table(std::cout, machine);
  std::filesystem::remove_all(config.work_dir);
  return status;
}
