// A reader of canonical CBOR, one item head at a time (libcbor's streaming
// decoder underneath), with casekeep's canonical rules checked as it goes
// (docs/protocol.md §2): every integer and length in its shortest head;
// strings, arrays and maps of definite length; no tags, no floats, no simple
// values but false, true and null. Byte and text strings are views into the
// input, so a caller that knows the shape it wants (Changeset::decode) reads
// straight into its own types, and one that does not (from_cbor_canonical)
// builds a json value. Map key order is the caller's to check (MapKeys).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace casekeep {

enum class CborType { uint, negint, bytes, text, array, map, boolean, null };

struct CborItem {
  CborType type = CborType::null;
  std::uint64_t value = 0;             // the integer (negint: -1 - value), length, or count of items
  const std::uint8_t* data = nullptr;  // a string's bytes (inside the input)
  bool truth = false;                  // a boolean's value

  std::string_view text() const { return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(value)}; }
};

class CborReader {
 public:
  // `what` names the input in messages: "The <what> is not valid CBOR ...".
  CborReader(const std::uint8_t* data, std::size_t size, const char* what)
      : at_(data), end_(data + size), what_(what) {}

  // The next item's head. Throws Error(malformed) on truncation or a
  // non-canonical head. For an array or map, `value` counts its items (a
  // map's entries) and each is read with further next() calls.
  CborItem next();
  // Throws unless the input is used up.
  void finish() const;
  [[noreturn]] void fail(const std::string& why) const;  // "The <what> <why>."

  // Set by the decoder's callbacks (cbor_reader.cpp); not for callers.
  void take(CborItem item) { item_ = item; }
  void refuse(const char* why) {
    if (!error_) error_ = why;
  }
  void shortest(std::uint64_t value);
  bool within(std::uint64_t length) const { return length <= static_cast<std::uint64_t>(end_ - at_); }

 private:
  const std::uint8_t* at_;
  const std::uint8_t* end_;
  const char* what_;
  CborItem item_;
  const char* error_ = nullptr;
};

// The keys of one map, in the order canonical CBOR demands: text, each
// bytewise greater than the one before.
class MapKeys {
 public:
  explicit MapKeys(CborReader& reader) : reader_(reader) {}
  std::string_view next();

 private:
  CborReader& reader_;
  std::string_view last_;
  bool first_ = true;
};

}  // namespace casekeep
