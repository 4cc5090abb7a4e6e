// The HTTP edge of casekeep-server: cpp-httplib in front of SyncService. It maps
// requests to wire::Request, enforces the body limit, optionally speaks TLS and
// serves a static web directory, and writes one access-log line per request
// (route template, status, sizes, latency, device prefix; never bodies).
#pragma once
#include <memory>
#include <string>

#include "service.hpp"

namespace httplib {
class Server;
}

namespace casekeep::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8787;        // 0 picks a free port
  std::string tls_cert;   // PEM files; TLS when both are set
  std::string tls_key;
  std::string web_dir;    // static files served at /, optional
};

class HttpServer {
 public:
  // Throws std::runtime_error when the TLS certificate or key cannot be loaded.
  HttpServer(SyncService& service, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the port. Throws std::runtime_error on failure.
  int bind();
  // Serves until stop() is called (from any thread).
  void run();
  void stop();
  std::string url() const;  // e.g. http://127.0.0.1:8787

 private:
  SyncService& service_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  int listen_socket_ = -1;  // to widen cpp-httplib's listen backlog once bound
  int port_ = 0;
};

}  // namespace casekeep::server
