#include "report.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

namespace casekeep::bench {

Machine Machine::here() {
  Machine m;
  m.cores = std::thread::hardware_concurrency();
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      m.cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::ifstream load("/proc/loadavg");
  std::getline(load, m.loadavg);
  return m;
}

void Report::row(const std::string& scenario, const std::string& title, const std::string& measure, double value,
                 const std::string& unit) {
  rows_.push_back({scenario, title, measure, value, unit});
  // Printed as they come (to stderr with --json), so a long run shows progress.
  std::clog << "  " << scenario << ' ' << title << ": " << measure << " = " << value << ' ' << unit << std::endl;
}

void Report::print_table(std::ostream& out, const Machine& machine) const {
  out << "\ncasekeep-bench on " << machine.cores << " cores, " << machine.cpu << " (load at start: " << machine.loadavg
      << ")\n\n";
  for (const Row& r : rows_) {
    out << std::left << std::setw(6) << r.scenario << std::setw(38) << r.title << std::setw(26) << r.measure
        << std::right << std::setw(14) << std::fixed << std::setprecision(r.value < 10 ? 3 : 0) << r.value << "  "
        << r.unit << '\n';
  }
  if (!notes_.empty()) out << '\n';
  for (const std::string& n : notes_) out << "* " << n << '\n';
}

void Report::print_json(std::ostream& out, const Machine& machine) const {
  nlohmann::json rows = nlohmann::json::array();
  for (const Row& r : rows_)
    rows.push_back({{"scenario", r.scenario}, {"title", r.title}, {"measure", r.measure}, {"value", r.value},
                    {"unit", r.unit}});
  nlohmann::json j = {{"system", "casekeep"},
                      {"machine", {{"cores", machine.cores}, {"cpu", machine.cpu}, {"loadavg", machine.loadavg}}},
                      {"rows", rows},
                      {"notes", notes_}};
  out << j.dump(2) << '\n';
}

}  // namespace casekeep::bench
