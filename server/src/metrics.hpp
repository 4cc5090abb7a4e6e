// Counters of the sync server, rendered as Prometheus text for /metrics.
// Labels come from fixed sets (route templates, status numbers, error codes),
// never from user input, so no request can grow the set of series.
// Thread-safe: every method takes the one mutex.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace casekeep::server {

class Metrics {
 public:
  void record_request(const std::string& route, int status, std::size_t bytes_in, std::size_t bytes_out,
                      double seconds);
  void changeset_accepted();
  void changeset_refused(const std::string& code);
  std::string prometheus_text() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> refused_;
  std::uint64_t accepted_ = 0, bytes_in_ = 0, bytes_out_ = 0, request_count_ = 0;
  double request_seconds_ = 0;
};

}  // namespace casekeep::server
