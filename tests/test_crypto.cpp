// The libsodium wrappers: round trips, and every way a ciphertext or signature
// can be wrong must be refused.
#include <catch2/catch.hpp>

#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"

using namespace casekeep;

TEST_CASE("AEAD round-trips and refuses a wrong key, wrong AD or altered byte", "[crypto]") {
  crypto::init();
  SecretBytes key = crypto::random_key();
  Bytes plain = to_bytes("The practitioner saw the child on 3 March.");
  Bytes ad = to_bytes("table/record/1");
  Bytes boxed = crypto::aead_encrypt(key, plain, ad);
  SecretBytes opened = crypto::aead_decrypt(key, boxed, ad);
  CHECK(Bytes(opened.data(), opened.data() + opened.size()) == plain);

  CHECK_THROWS_AS(crypto::aead_decrypt(crypto::random_key(), boxed, ad), Error);
  CHECK_THROWS_AS(crypto::aead_decrypt(key, boxed, to_bytes("table/record/2")), Error);
  for (std::size_t i = 0; i < boxed.size(); i += 7) {
    Bytes altered = boxed;
    altered[i] ^= 0x01;
    CHECK_THROWS_AS(crypto::aead_decrypt(key, altered, ad), Error);
  }
  CHECK_THROWS_AS(crypto::aead_decrypt(key, Bytes(boxed.begin(), boxed.begin() + 10), ad), Error);
}

TEST_CASE("typed signatures bind their type", "[crypto]") {
  crypto::init();
  auto kp = crypto::SignKeyPair::generate();
  Bytes body = to_bytes("note bytes");
  Bytes sig = crypto::sign_typed(kp.secret_key, "casekeep/note-signed/v1", body);
  CHECK(crypto::verify_typed(kp.public_key, "casekeep/note-signed/v1", body, sig));
  CHECK_FALSE(crypto::verify_typed(kp.public_key, "casekeep/note-agreed/v1", body, sig));
  CHECK_FALSE(crypto::verify_typed(kp.public_key, "casekeep/note-signed/v1", to_bytes("note bytez"), sig));
  CHECK_FALSE(crypto::verify_typed(crypto::SignKeyPair::generate().public_key, "casekeep/note-signed/v1", body, sig));
}

TEST_CASE("PAE matches DSSE's definition", "[crypto]") {
  Bytes out = crypto::pae("t/v1", to_bytes("hello"));
  CHECK(std::string(out.begin(), out.end()) == "DSSEv1 4 t/v1 5 hello");
}

TEST_CASE("sealed boxes open only for their recipient", "[crypto]") {
  crypto::init();
  auto alice = crypto::BoxKeyPair::generate();
  auto bob = crypto::BoxKeyPair::generate();
  SecretBytes key = crypto::random_key();
  Bytes sealed = crypto::seal(alice.public_key, key);
  SecretBytes opened = crypto::seal_open(alice, sealed);
  CHECK(Bytes(opened.data(), opened.data() + 32) == Bytes(key.data(), key.data() + 32));
  CHECK_THROWS_AS(crypto::seal_open(bob, sealed), Error);
}

TEST_CASE("Argon2id derivation is deterministic per salt and parameters", "[crypto]") {
  crypto::init();
  Bytes salt = crypto::random_bytes(crypto::kSaltSize);
  auto p = crypto::PwhashParams::minimum();
  SecretBytes a = crypto::derive_from_passphrase("pass", salt, p);
  SecretBytes b = crypto::derive_from_passphrase("pass", salt, p);
  SecretBytes c = crypto::derive_from_passphrase("pasS", salt, p);
  CHECK(to_hex(a.data(), a.size()) == to_hex(b.data(), b.size()));
  CHECK(to_hex(a.data(), a.size()) != to_hex(c.data(), c.size()));
  CHECK_THROWS_AS(crypto::derive_from_passphrase("pass", Bytes(3), p), Error);
}

TEST_CASE("subkeys differ by id and context, and secrets wipe on clear", "[crypto]") {
  crypto::init();
  SecretBytes master = crypto::random_key();
  SecretBytes a = crypto::derive_subkey(master, 1, "ckident_");
  SecretBytes b = crypto::derive_subkey(master, 2, "ckident_");
  SecretBytes c = crypto::derive_subkey(master, 1, "ckrecord");
  CHECK(to_hex(a.data(), 32) != to_hex(b.data(), 32));
  CHECK(to_hex(a.data(), 32) != to_hex(c.data(), 32));
  a.clear();
  CHECK(a.empty());
}
