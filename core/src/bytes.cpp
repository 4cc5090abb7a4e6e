#include "casekeep/bytes.hpp"

#include <sodium.h>

#include "casekeep/error.hpp"

namespace casekeep {

SecretBytes::SecretBytes(std::size_t size) : buf_(size) {}
SecretBytes::SecretBytes(const std::uint8_t* data, std::size_t size) : buf_(data, data + size) {}
SecretBytes::~SecretBytes() { clear(); }
SecretBytes::SecretBytes(SecretBytes&& other) noexcept : buf_(std::move(other.buf_)) { other.buf_.clear(); }
SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    clear();
    buf_ = std::move(other.buf_);
    other.buf_.clear();
  }
  return *this;
}
void SecretBytes::clear() noexcept {
  if (!buf_.empty()) sodium_memzero(buf_.data(), buf_.size());
  buf_.clear();
}

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

Bytes from_hex(std::string_view hex) {
  Bytes out(hex.size() / 2);
  std::size_t len = 0;
  const char* end = nullptr;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != out.size()) {
    throw Error(ErrorCode::invalid_argument, "'" + std::string(hex) + "' is not a hexadecimal id.");
  }
  return out;
}

}  // namespace casekeep
