// Golden vectors for the canonical encoding (docs/protocol.md §6): a changeset
// built from fixed seeds, nonce and clock must encode to the checked-in bytes.
// To regenerate after a deliberate format change (a new version, never an edit
// of v1): CASEKEEP_WRITE_VECTORS=1 ./casekeep_tests "[vectors]"
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"

using namespace casekeep;

namespace {

SecretBytes filled(std::size_t n, std::uint8_t byte) {
  SecretBytes s(n);
  std::fill(s.data(), s.data() + n, byte);
  return s;
}

json build_vector() {
  crypto::init();
  auto user = crypto::SignKeyPair::from_seed(filled(32, 0x01));
  auto device = crypto::SignKeyPair::from_seed(filled(32, 0x02));
  SecretBytes space_key = filled(32, 0x03);
  SecretBytes tag_key = crypto::derive_subkey(space_key, 1, "ckfldtag");
  Bytes record_nonce(16, 0x04), nonce(24, 0x05);
  // A record id is the first 16 bytes of BLAKE2b-256(creator || record nonce).
  Bytes record = user.public_key;
  record.insert(record.end(), record_nonce.begin(), record_nonce.end());
  record = crypto::hash(record);
  record.resize(16);

  ChangesetBody b;
  b.space = Bytes(16, 0x06);
  b.author = user.public_key;
  b.device = device.public_key;
  b.cert = crypto::sign_typed(user.secret_key, sigtype::device_cert, device_cert_message(b.author, b.device));
  b.seq = 1;
  b.hlc = 1700000000000ULL << 16;
  b.meta.push_back({OpKind::create, record, {}, {}});
  b.meta.push_back({OpKind::set, record, crypto::keyed_hash(tag_key, "title"), {}});
  json values = json::array({{{"f", ""}, {"v", {{"type", "note"}, {"nonce", bin(record_nonce)}}}},
                             {{"f", "title"}, {"v", "Home visit"}}});
  Bytes plain = to_cbor(values);
  b.payload = crypto::aead_encrypt_with_nonce(space_key, plain, payload_ad(b.space, b.device, b.seq), nonce);
  Changeset cs = Changeset::seal(b, device.secret_key);

  return {{"description", "changeset v1: a note created with a title; seeds 0x01 (user), 0x02 (device); "
                          "space key 0x03*32; record nonce 0x04*16; payload nonce 0x05*24; space 0x06*16"},
          {"record_id", to_hex(record)},
          {"user_public_key", to_hex(user.public_key)},
          {"device_public_key", to_hex(device.public_key)},
          {"field_tag_title", to_hex(b.meta[1].field_tag)},
          {"payload_plaintext", to_hex(plain)},
          {"body", to_hex(cs.body_bytes())},
          {"sig", to_hex(cs.signature())},
          {"changeset", to_hex(cs.bytes())},
          {"id", to_hex(cs.id())},
          {"op_id_0", to_hex(cs.op_id(0))},
          {"pae_example", to_hex(crypto::pae(sigtype::note_signed, to_bytes("abc")))}};
}

}  // namespace

TEST_CASE("the changeset encoding matches the checked-in vectors", "[vectors]") {
  const std::string path = std::string(CASEKEEP_VECTORS_DIR) + "/changeset-v1.json";
  json actual = build_vector();
  if (std::getenv("CASEKEEP_WRITE_VECTORS")) std::ofstream(path) << actual.dump(2) << "\n";
  std::ifstream in(path);
  REQUIRE(in.good());
  json expected = json::parse(in);
  for (const auto& [key, value] : expected.items()) {
    INFO(key);
    CHECK(actual.at(key) == value);
  }
  // And the vector decodes and verifies as any received changeset would.
  Changeset cs = Changeset::decode(from_hex(expected["changeset"].get<std::string>()));
  CHECK(cs.signature_valid());
  CHECK(cs.cert_valid());
  CHECK(to_hex(cs.id()) == expected["id"]);
}
