// The issue-6 scenarios, one file each. S1b-S4 share one server and the
// clients A and B (SyncPair); S5, S6 and S7 each start their own server.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "casekeep/http_carrier.hpp"
#include "harness.hpp"
#include "report.hpp"

namespace casekeep::bench {

struct SyncPair {
  explicit SyncPair(const Config& config);  // a fresh server; A and B enrolled; an interview A shares with B
  ~SyncPair() { server.stop(); }             // SIGTERM: lets a profiler wrapped around the server write its data
  SyncPair(const SyncPair&) = delete;
  SyncPair& operator=(const SyncPair&) = delete;
  test::ServerProcess server;
  std::unique_ptr<HttpCarrier> http;
  Client a, b;
  std::string interview;
  std::vector<std::string> notes;  // ids of the notes A wrote
};

double ed25519_verifications_per_core();                                         // scenario_bound.cpp
void run_s1a(const Config& config, Report& report);                             // scenario_local.cpp
void run_s1b(const Config& config, SyncPair& pair, Report& report);             // scenario_local.cpp
void run_s2(const Config& config, SyncPair& pair, Report& report);              // scenario_push_pull.cpp
void run_s3(const Config& config, SyncPair& pair, Report& report, double bound);  // scenario_push_pull.cpp
void run_s4(SyncPair& pair, Report& report);                                     // scenario_conflicts.cpp
void run_s5(const Config& config, Report& report);                               // scenario_scale.cpp
void run_s6(const Config& config, Report& report);                               // scenario_incremental.cpp
void run_s7(const Config& config, Report& report);                               // scenario_concurrency.cpp

// S5's client processes (a fresh process each, so their peak RSS is theirs alone).
struct ScaleChild {
  std::string role;  // "push" or "pull"; empty: not a child
  std::string url, vault, code, member;
  std::size_t notes = 0;
};
int run_s5_child(const ScaleChild& child);  // prints one JSON line; scenario_scale.cpp

}  // namespace casekeep::bench
