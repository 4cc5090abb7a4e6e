// Prometheus text exposition of the server's counters (metrics.hpp).
#include "metrics.hpp"

#include <sstream>

namespace casekeep::server {

void Metrics::record_request(const std::string& route, int status, std::size_t bytes_in, std::size_t bytes_out,
                             double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  bytes_in_ += bytes_in;
  bytes_out_ += bytes_out;
  ++request_count_;
  request_seconds_ += seconds;
}

void Metrics::changeset_accepted() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++accepted_;
}

void Metrics::changeset_refused(const std::string& code) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++refused_[code];
}

std::string Metrics::prometheus_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP casekeep_requests_total Requests answered, by route and status.\n"
      << "# TYPE casekeep_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "casekeep_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  out << "# HELP casekeep_changesets_accepted_total Changesets newly stored (replays not counted).\n"
      << "# TYPE casekeep_changesets_accepted_total counter\n"
      << "casekeep_changesets_accepted_total " << accepted_ << "\n"
      << "# HELP casekeep_changesets_refused_total Changesets refused, by error code.\n"
      << "# TYPE casekeep_changesets_refused_total counter\n";
  for (const auto& [code, n] : refused_) out << "casekeep_changesets_refused_total{code=\"" << code << "\"} " << n << "\n";
  out << "# HELP casekeep_bytes_received_total Request body bytes received.\n"
      << "# TYPE casekeep_bytes_received_total counter\n"
      << "casekeep_bytes_received_total " << bytes_in_ << "\n"
      << "# HELP casekeep_bytes_sent_total Response body bytes sent.\n"
      << "# TYPE casekeep_bytes_sent_total counter\n"
      << "casekeep_bytes_sent_total " << bytes_out_ << "\n"
      << "# HELP casekeep_request_seconds Time spent answering requests.\n"
      << "# TYPE casekeep_request_seconds summary\n"
      << "casekeep_request_seconds_sum " << request_seconds_ << "\n"
      << "casekeep_request_seconds_count " << request_count_ << "\n";
  return out.str();
}

}  // namespace casekeep::server
