// Byte buffers and the secret buffer that wipes itself.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace casekeep {

using Bytes = std::vector<std::uint8_t>;

// Holds key material; wiped with sodium_memzero when destroyed or cleared.
// Not copyable by accident: copies are explicit through clone().
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size);
  SecretBytes(const std::uint8_t* data, std::size_t size);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes clone() const { return SecretBytes(data(), size()); }
  void clear() noexcept;
  std::uint8_t* data() noexcept { return buf_.data(); }
  const std::uint8_t* data() const noexcept { return buf_.data(); }
  std::size_t size() const noexcept { return buf_.size(); }
  bool empty() const noexcept { return buf_.empty(); }

 private:
  std::vector<std::uint8_t> buf_;
};

Bytes to_bytes(std::string_view s);
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string to_hex(const Bytes& b) { return to_hex(b.data(), b.size()); }
// The first 12 hex digits, for messages.
inline std::string short_hex(const Bytes& b) { return to_hex(b.data(), std::min<std::size_t>(b.size(), 6)); }
// Throws Error(invalid_argument) when the text is not even-length hex.
Bytes from_hex(std::string_view hex);

}  // namespace casekeep
