// Canonical CBOR into a json value, for values of any shape (a payload's
// ops): CborReader (cbor_reader.hpp) reads one item head at a time with the
// canonical rules, and this builds the tree without recursion, so the depth
// a hostile input can reach is bounded by kMaxDepth, not by the stack.
//
// Canonical means exactly what nlohmann's to_cbor writes for a float-free value
// (docs/protocol.md §2): every integer and length in its shortest head; byte
// and text strings, arrays and maps of definite length; map keys text, each
// bytewise greater than the one before; no tags, no floats, no simple values
// but false, true and null; nothing after the value. So to_cbor(decode(b)) == b
// for every b accepted, which the tests check against that round trip.
#include <optional>
#include <string>
#include <vector>

#include "casekeep/changeset.hpp"
#include "casekeep/error.hpp"
#include "cbor_reader.hpp"

namespace casekeep {
namespace {

// Deeper than anything casekeep writes (a note value nests 3 levels); bounds
// the stack a hostile input can make us build.
constexpr std::size_t kMaxDepth = 64;

struct Open {
  json* container;
  std::uint64_t left;  // entries (map) or items (array) still to come
  std::optional<MapKeys> keys;  // a map's: checks its keys' order
};

json scalar(const CborReader& r, const CborItem& item) {
  switch (item.type) {
    case CborType::uint: return json(item.value);
    case CborType::negint:
      // nlohmann holds -1 - value only down to INT64_MIN.
      if (item.value > static_cast<std::uint64_t>(INT64_MAX)) r.fail("is not in canonical encoding (an integer out of range)");
      return json(static_cast<std::int64_t>(-1) - static_cast<std::int64_t>(item.value));
    case CborType::bytes: return json::binary(Bytes(item.data, item.data + item.value));
    case CborType::text: return json(std::string(item.text()));
    case CborType::boolean: return json(item.truth);
    default: return json(nullptr);
  }
}

}  // namespace

json from_cbor_canonical(const std::uint8_t* data, std::size_t size, const char* what) {
  CborReader r(data, size, what);
  json root;
  std::vector<Open> stack;
  do {
    // Where the next value goes: the root, the end of an array, or under a map key.
    json* slot = &root;
    if (!stack.empty()) {
      Open& top = stack.back();
      --top.left;
      if (top.keys) {
        std::string key(top.keys->next());
        auto& entries = top.container->get_ref<json::object_t&>();
        // Keys come in order, so each entry goes at the end: no search of the map.
        slot = &entries.emplace_hint(entries.end(), std::move(key), nullptr)->second;
      } else {
        slot = &top.container->get_ref<json::array_t&>().emplace_back();
      }
    }
    CborItem item = r.next();
    if (item.type == CborType::array || item.type == CborType::map) {
      if (stack.size() >= kMaxDepth) r.fail("is nested deeper than " + std::to_string(kMaxDepth) + " levels");
      bool map = item.type == CborType::map;
      *slot = map ? json::object() : json::array();
      if (!map) slot->get_ref<json::array_t&>().reserve(static_cast<std::size_t>(item.value));
      stack.push_back(Open{slot, item.value, std::nullopt});
      if (map) stack.back().keys.emplace(r);
    } else {
      *slot = scalar(r, item);
    }
    while (!stack.empty() && stack.back().left == 0) stack.pop_back();
  } while (!stack.empty());
  r.finish();
  return root;
}

json from_cbor_canonical(const Bytes& bytes, const char* what) {
  return from_cbor_canonical(bytes.data(), bytes.size(), what);
}

}  // namespace casekeep
