// A record row's plaintext (the CBOR of a RecordState, encrypted at rest) is
// a stored format: vaults written by earlier builds must read the same, so
// its bytes are pinned here, and every state must read back as itself.
#include <catch2/catch.hpp>

#include "casekeep/bytes.hpp"
#include "record_state.hpp"

using namespace casekeep;

namespace {

Op op(OpKind kind, std::uint8_t id, const Bytes& space, const std::string& field, json value,
      std::vector<Bytes> parents = {}) {
  Op o;
  o.id = Bytes(32, id);
  o.kind = kind;
  o.space = space;
  o.record = Bytes(16, 0xEE);
  o.field = field;
  o.value = std::move(value);
  o.parents = std::move(parents);
  o.hlc = 1000 + id;
  o.author = Bytes(32, 0xA0);
  return o;
}

// Every part a row can hold: a create, a field in conflict and one superseded,
// an add-only set, a tombstone, and ops from a second space.
RecordState sample() {
  const Bytes home(16, 0x01), other(16, 0x02);
  RecordState s;
  s.id = Bytes(16, 0xEE);
  s.apply(op(OpKind::create, 1, home, "", json{{"type", "note"}, {"nonce", bin(Bytes(16, 0x05))}}));
  s.apply(op(OpKind::set, 2, home, "title", "First"));
  s.apply(op(OpKind::set, 3, home, "title", "Second", {Bytes(32, 2)}));
  s.apply(op(OpKind::set, 4, home, "title", "Rival", {Bytes(32, 2)}));
  s.apply(op(OpKind::set, 5, home, "count", 42));
  s.apply(op(OpKind::add, 6, home, "signatures", json{{"kind", "signed"}, {"sig", bin(Bytes(64, 0x07))}}));
  s.apply(op(OpKind::tombstone, 7, home, "", "Entered in error"));
  s.apply(op(OpKind::set, 8, other, "title", "Elsewhere"));
  return s;
}

}  // namespace

TEST_CASE("a record row's bytes are those of earlier builds", "[storage][vectors]") {
  RecordState s = sample();
  // Written by the json-tree encoder this replaced (to_cbor of the state as a map).
  const char* earlier =
      "a56862795f737061636582a268636f6e74656e7473a3666669656c6473a265636f756e74a265686561647381a4666175"
      "74686f725820a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a063686c631903ed626f70"
      "582005050505050505050505050505050505050505050505050505050505050505056576616c7565182a6a7375706572"
      "736564656480657469746c65a265686561647382a466617574686f725820a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
      "a0a0a0a0a0a0a0a0a0a0a0a0a0a063686c631903eb626f70582003030303030303030303030303030303030303030303"
      "030303030303030303036576616c7565665365636f6e64a466617574686f725820a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
      "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a063686c631903ec626f70582004040404040404040404040404040404040404"
      "040404040404040404040404046576616c756565526976616c6a73757065727365646564815820020202020202020202"
      "02020202020202020202020202020202020202020202026473657473a16a7369676e61747572657381a466617574686f"
      "725820a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a063686c631903ee626f70582006"
      "060606060606060606060606060606060606060606060606060606060606066576616c7565a2646b696e64667369676e"
      "656463736967584007070707070707070707070707070707070707070707070707070707070707070707070707070707"
      "0707070707070707070707070707070707070707070707076a746f6d6273746f6e657381a466617574686f725820a0a0"
      "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a063686c631903ef626f705820070707070707"
      "07070707070707070707070707070707070707070707070707076576616c756570456e746572656420696e206572726f"
      "726573706163655001010101010101010101010101010101a268636f6e74656e7473a3666669656c6473a1657469746c"
      "65a265686561647381a466617574686f725820a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
      "a0a0a063686c631903f0626f705820080808080808080808080808080808080808080808080808080808080808080865"
      "76616c756569456c736577686572656a73757065727365646564806473657473a06a746f6d6273746f6e657380657370"
      "61636550020202020202020202020202020202026763726561746564a466617574686f725820a0a0a0a0a0a0a0a0a0a0"
      "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a063686c631903e9626f7058200101010101010101010101010101"
      "0101010101010101010101010101010101016576616c7565a2656e6f6e63655005050505050505050505050505050505"
      "6474797065646e6f746562696450eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee657370616365500101010101010101010101"
      "01010101016474797065646e6f7465";
  CHECK(to_hex(s.encode()) == earlier);
}

TEST_CASE("a record row reads back as the state it was written from", "[storage]") {
  RecordState s = sample();
  Bytes row = s.encode();
  CHECK(RecordState::decode(row.data(), row.size()) == s);
  CHECK(RecordState::decode(row.data(), row.size()).encode() == row);
}
