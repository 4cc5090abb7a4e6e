#include "casekeep/wire.hpp"

#include <sodium.h>

#include "casekeep/error.hpp"

namespace casekeep::wire {

std::string base64(const Bytes& bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

Bytes unbase64(const std::string& text) {
  Bytes out(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    throw Error(ErrorCode::malformed, "A value that should be base64 is not.");
  out.resize(len);
  return out;
}

Response error_response(int status, const std::string& code, const std::string& message, json extra) {
  extra["error"] = {{"code", code}, {"message", message}};
  return {status, extra.dump()};
}

Response json_response(int status, const json& body) { return {status, body.dump()}; }

}  // namespace casekeep::wire
