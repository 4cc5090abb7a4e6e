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

HttpCarrier::HttpCarrier(const std::string& base_url, const std::string& ca_file) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0)
    throw Error(ErrorCode::invalid_argument, "The server address '" + base_url + "' must start with http:// or https://.");
  client_ = std::make_unique<Client>(base_url);
  if (!client_->http.is_valid()) throw Error(ErrorCode::invalid_argument, "The server address '" + base_url + "' is not valid.");
  client_->http.set_connection_timeout(5, 0);
  client_->http.set_read_timeout(60, 0);
  client_->http.set_write_timeout(60, 0);
  client_->http.enable_server_certificate_verification(true);
  if (!ca_file.empty()) client_->http.set_ca_cert_path(ca_file.c_str());
}

HttpCarrier::~HttpCarrier() = default;

wire::Response HttpCarrier::send(const wire::Request& request) {
  httplib::Headers headers;
  if (!request.token.empty()) headers.emplace("Authorization", "Bearer " + request.token);
  if (!request.accept.empty()) headers.emplace("Accept", request.accept);
  httplib::Result result = request.method == "GET"
                               ? client_->http.Get(request.path.c_str(), headers)
                               : client_->http.Post(request.path.c_str(), headers, request.body,
                                                    request.content_type.c_str());
  if (!result) return {0, "", ""};
  return {result->status, result->body, result->get_header_value("Content-Type")};
}

}  // namespace casekeep
