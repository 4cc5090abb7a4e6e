// base64 for native builds through OpenSSL (already linked for TLS).
// libsodium's coder is constant-time, which these public bytes do not need,
// and it was a third of the server's instructions in a push and pull.
#include <openssl/evp.h>

#include "casekeep/error.hpp"
#include "casekeep/wire.hpp"

namespace casekeep::wire {

std::string base64(const Bytes& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Bytes unbase64(const std::string& text) {
  auto refuse = [] { return Error(ErrorCode::malformed, "A value that should be base64 is not."); };
  // EVP_DecodeBlock is lenient (it skips surrounding whitespace, decodes '='
  // anywhere and counts padding as zero bytes): take its answer only when
  // encoding it again gives back exactly the text, as the strict coder would.
  if (text.size() % 4 != 0) throw refuse();
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  if (padding > 2) throw refuse();
  Bytes out(text.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) throw refuse();
  out.resize(static_cast<std::size_t>(n) - padding);
  if (base64(out) != text) throw refuse();
  return out;
}

}  // namespace casekeep::wire
