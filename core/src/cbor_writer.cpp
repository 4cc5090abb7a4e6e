#include "cbor_writer.hpp"

#include <cbor.h>

namespace casekeep {

// A head is at most 9 bytes: the major type and a 64-bit argument.
template <typename Encode>
void CborWriter::head(Encode encode, std::size_t value) {
  unsigned char buffer[9];
  std::size_t n = encode(value, buffer, sizeof buffer);
  out_.insert(out_.end(), buffer, buffer + n);
}

void CborWriter::uint(std::uint64_t value) {
  unsigned char buffer[9];
  std::size_t n = cbor_encode_uint(value, buffer, sizeof buffer);
  out_.insert(out_.end(), buffer, buffer + n);
}

void CborWriter::bytes(const std::uint8_t* data, std::size_t size) {
  head(cbor_encode_bytestring_start, size);
  out_.insert(out_.end(), data, data + size);
}

void CborWriter::text(std::string_view s) {
  head(cbor_encode_string_start, s.size());
  out_.insert(out_.end(), s.begin(), s.end());
}

void CborWriter::array(std::size_t items) { head(cbor_encode_array_start, items); }
void CborWriter::map(std::size_t entries) { head(cbor_encode_map_start, entries); }

}  // namespace casekeep
