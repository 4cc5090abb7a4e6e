// base64 for the WebAssembly build, where libsodium is the crypto library
// already linked (native builds use OpenSSL's faster coder: base64_openssl.cpp).
#include <sodium.h>

#include "casekeep/error.hpp"
#include "casekeep/wire.hpp"

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

}  // namespace casekeep::wire
