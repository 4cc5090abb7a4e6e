// A writer of canonical CBOR into one buffer: each head in its shortest form
// (libcbor's encoders), strings copied once. The caller writes a map's keys
// in bytewise order, as to_cbor does, so both write the same bytes for the
// same value (tests/test_changeset.cpp compares them). Used where the shape
// is fixed and on a hot path: a bulk write's changeset bodies hold tens of
// thousands of op entries, which as a json tree cost a map per entry.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "casekeep/bytes.hpp"
#include "casekeep/changeset.hpp"

namespace casekeep {

class CborWriter {
 public:
  explicit CborWriter(std::size_t reserve = 0) { out_.reserve(reserve); }

  void uint(std::uint64_t value);
  void bytes(const std::uint8_t* data, std::size_t size);
  void bytes(const Bytes& b) { bytes(b.data(), b.size()); }
  void text(std::string_view s);
  void array(std::size_t items);
  void map(std::size_t entries);
  // A map entry: its text key, then the value.
  void entry(std::string_view key, const Bytes& value) {
    text(key);
    bytes(value);
  }
  void entry(std::string_view key, std::uint64_t value) {
    text(key);
    uint(value);
  }
  void entry(std::string_view key, const std::string& value) {
    text(key);
    text(value);
  }
  // Any json value, by nlohmann's encoder (the same canonical form).
  void value(const json& v) { json::to_cbor(v, out_); }

  Bytes take() { return std::move(out_); }

 private:
  template <typename Encode>
  void head(Encode encode, std::size_t value);

  Bytes out_;
};

}  // namespace casekeep
