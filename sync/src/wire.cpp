#include "casekeep/wire.hpp"

#include "casekeep/error.hpp"

namespace casekeep::wire {

Response error_response(int status, const std::string& code, const std::string& message, json extra) {
  extra["error"] = {{"code", code}, {"message", message}};
  return {status, extra.dump()};
}

Response json_response(int status, const json& body) { return {status, body.dump()}; }

}  // namespace casekeep::wire
