// The native carrier: moves wire requests over HTTP or HTTPS with cpp-httplib.
// The only networking code of the native client; the engine never sees it.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "casekeep/sync_engine.hpp"

namespace casekeep {

class HttpCarrier final : public Carrier {
 public:
  // `base_url` like "http://127.0.0.1:8787" or "https://casekeep.example.nhs.uk".
  // For https the server's certificate is verified, against `ca_file` when given,
  // else the system's trust store. Throws Error(invalid_argument) on a bad URL.
  explicit HttpCarrier(const std::string& base_url, const std::string& ca_file = "");
  ~HttpCarrier() override;
  // Safe to call from several threads at once: each request in flight has a
  // connection of its own, kept open for the next.
  wire::Response send(const wire::Request& request) override;
  bool concurrent() const override { return true; }

 private:
  struct Client;
  std::unique_ptr<Client> connect() const;
  std::string base_url_;
  std::string ca_file_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Client>> idle_;  // open connections no request is using
};

}  // namespace casekeep
