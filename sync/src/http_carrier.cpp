// cpp-httplib under the Carrier interface. Timeouts keep a dead server from
// hanging a sync; a failed exchange is status 0, which the engine reports as
// "could not be reached" without losing anything.
#include "casekeep/http_carrier.hpp"

#include <httplib.h>

#include "casekeep/error.hpp"

namespace casekeep {

struct HttpCarrier::Client {
  httplib::Client http;
  explicit Client(const std::string& url) : http(url) {}
};

HttpCarrier::HttpCarrier(const std::string& base_url, const std::string& ca_file) : base_url_(base_url), ca_file_(ca_file) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0)
    throw Error(ErrorCode::invalid_argument, "The server address '" + base_url + "' must start with http:// or https://.");
  idle_.push_back(connect());  // checks the address now, not at the first send
}

HttpCarrier::~HttpCarrier() = default;

std::unique_ptr<HttpCarrier::Client> HttpCarrier::connect() const {
  auto client = std::make_unique<Client>(base_url_);
  if (!client->http.is_valid()) throw Error(ErrorCode::invalid_argument, "The server address '" + base_url_ + "' is not valid.");
  client->http.set_connection_timeout(5, 0);
  client->http.set_read_timeout(60, 0);
  client->http.set_write_timeout(60, 0);
  client->http.enable_server_certificate_verification(true);
  if (!ca_file_.empty()) client->http.set_ca_cert_path(ca_file_.c_str());
  return client;
}

wire::Response HttpCarrier::send(const wire::Request& request) {
  // A connection of its own for each request in flight: httplib's client
  // sends one request at a time, and a push's next batch travels beside the
  // one before (drive()).
  std::unique_ptr<Client> client;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      client = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!client) client = connect();
  httplib::Headers headers;
  if (!request.token.empty()) headers.emplace("Authorization", "Bearer " + request.token);
  if (!request.accept.empty()) headers.emplace("Accept", request.accept);
  httplib::Result result = request.method == "GET"
                               ? client->http.Get(request.path.c_str(), headers)
                               : client->http.Post(request.path.c_str(), headers, request.body,
                                                   request.content_type.c_str());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(client));
  }
  if (!result) return {0, "", ""};
  return {result->status, result->body, result->get_header_value("Content-Type")};
}

}  // namespace casekeep
