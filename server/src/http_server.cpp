// cpp-httplib edge of casekeep-server (http_server.hpp). Everything the API
// decides is decided by SyncService; this file only carries requests and logs.
#include "http_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <chrono>
#include <stdexcept>

namespace casekeep::server {
namespace {

std::string bearer_token(const httplib::Request& req) {
  const std::string value = req.get_header_value("Authorization");
  const std::string scheme = "Bearer ";
  return value.compare(0, scheme.size(), scheme) == 0 ? value.substr(scheme.size()) : std::string();
}

void log_access(const std::string& method, const std::string& route, int status, std::size_t in, std::size_t out,
                double seconds, const std::string& device) {
  spdlog::info("access method={} route={} status={} in={} out={} ms={:.1f} device={}", method, route, status, in, out,
               seconds * 1000.0, device.empty() ? "-" : device);
}

}  // namespace

HttpServer::HttpServer(SyncService& service, HttpOptions options) : service_(service), options_(std::move(options)) {
  if (!options_.tls_cert.empty() || !options_.tls_key.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!tls->is_valid())
      throw std::runtime_error("Cannot load the TLS certificate " + options_.tls_cert + " and key " + options_.tls_key + ".");
    server_ = std::move(tls);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *server_;
  s.set_payload_max_length(service_.limits().max_body_bytes);
  // cpp-httplib's default options, and the socket kept: bind() listens on it
  // again with a wider backlog.
  s.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;
  });

  auto api = [this](const httplib::Request& req, httplib::Response& res) {
    auto started = std::chrono::steady_clock::now();
    RequestInfo info;
    wire::Request request{req.method, req.target, req.body, bearer_token(req)};
    request.content_type = req.get_header_value("Content-Type");
    request.accept = req.get_header_value("Accept");
    wire::Response out = service_.handle(request, info);
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    log_access(req.method, info.route, out.status, req.body.size(), out.body.size(), took.count(), info.device);
    if (!info.error.empty()) spdlog::error("internal error on {}: {}", info.route, info.error);
  };
  s.Get(".*", api);
  s.Post(".*", api);
  // Other methods reach SyncService too, which answers them with a JSON 404.
  s.Put(".*", api);
  s.Delete(".*", api);
  s.Patch(".*", api);

  // Answers httplib gives without reaching SyncService (a body over the limit,
  // a method no route has) still get the contract's JSON error body.
  s.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    wire::Response out;
    if (res.status == 413)
      out = wire::error_response(413, "too_large", "The request body is larger than the 8 MiB limit.");
    else if (res.status == 404 || res.status == 405)
      out = wire::error_response(404, "not_found", "There is no route " + req.method + " " + req.path + ".");
    else
      out = wire::error_response(res.status, "bad_request", "The request could not be read.");
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
    std::string route = SyncService::route_of(req.path);
    service_.metrics().record_request(route, out.status, req.body.size(), out.body.size(), 0.0);
    log_access(req.method, route, out.status, req.body.size(), out.body.size(), 0.0, "");
    return httplib::Server::HandlerResponse::Handled;
  }));

  if (!options_.web_dir.empty() && !s.set_mount_point("/", options_.web_dir))
    spdlog::warn("The web directory {} does not exist; serving the API only.", options_.web_dir);
  // The web app: ES modules, WebAssembly and a manifest need their own types;
  // every static file is revalidated (the service worker keeps the offline
  // copy) and may load scripts and wasm from this origin only.
  s.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  s.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
  s.set_file_extension_and_mimetype_mapping("webmanifest", "application/manifest+json");
  s.set_file_request_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                   "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'");
  });
}

HttpServer::~HttpServer() = default;

int HttpServer::bind() {
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
    if (port_ < 0) port_ = 0;
  } else if (server_->bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0)
    throw std::runtime_error("Cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                             " (in use, or not an address of this machine).");
  // The library listens with a backlog of 5: fifty clients connecting at once
  // overflowed it, and some gave up after their 5 s connection timeout.
  if (listen_socket_ >= 0) ::listen(listen_socket_, SOMAXCONN);
  return port_;
}

void HttpServer::run() { server_->listen_after_bind(); }

void HttpServer::stop() { server_->stop(); }

std::string HttpServer::url() const {
  bool tls = !options_.tls_cert.empty();
  bool v6 = options_.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + options_.host + "]" : options_.host;
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(port_);
}

}  // namespace casekeep::server
