// The benchmark's output: rows of (scenario, measure, value, unit) printed as
// one table, or as JSON (--json) for bench/compare, with the machine they ran on.
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace casekeep::bench {

struct Row {
  std::string scenario;  // "S2"
  std::string title;     // "push to casekeep-server"
  std::string measure;   // "notes/s"
  double value = 0;
  std::string unit;
};

struct Machine {
  unsigned cores = 0;
  std::string cpu;      // model name from /proc/cpuinfo
  std::string loadavg;  // /proc/loadavg at start: others may be using the cores
  static Machine here();
};

class Report {
 public:
  void row(const std::string& scenario, const std::string& title, const std::string& measure, double value,
           const std::string& unit = "");
  void note(const std::string& line) { notes_.push_back(line); }  // how something was measured
  void print_table(std::ostream& out, const Machine& machine) const;
  void print_json(std::ostream& out, const Machine& machine) const;

 private:
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
};

}  // namespace casekeep::bench
