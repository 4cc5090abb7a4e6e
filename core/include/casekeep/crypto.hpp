// Thin wrappers over libsodium: the only cryptography casekeep uses.
// No primitive of our own. Every function throws casekeep::Error on failure.
#pragma once
#include <cstdint>
#include <string_view>

#include "casekeep/bytes.hpp"

namespace casekeep::crypto {

constexpr std::size_t kKeySize = 32;        // AEAD, KDF and space keys
constexpr std::size_t kHashSize = 32;       // BLAKE2b-256 ids
constexpr std::size_t kSignPublicSize = 32;
constexpr std::size_t kSignatureSize = 64;
constexpr std::size_t kBoxPublicSize = 32;
constexpr std::size_t kSaltSize = 16;

// Call once before anything else; safe to call again.
void init();

Bytes random_bytes(std::size_t n);
SecretBytes random_key();

// BLAKE2b with a 32-byte (or `size`) output, optionally keyed.
Bytes hash(const std::uint8_t* data, std::size_t size, std::size_t out_size = kHashSize);
inline Bytes hash(const Bytes& b, std::size_t out_size = kHashSize) { return hash(b.data(), b.size(), out_size); }
Bytes keyed_hash(const SecretBytes& key, std::string_view message, std::size_t out_size = 16);

// Argon2id. Parameters are stored beside the salt so any replica can rederive.
struct PwhashParams {
  std::uint64_t opslimit;
  std::uint64_t memlimit;  // bytes
  static PwhashParams browser_friendly();  // the default: works in a browser tab
  static PwhashParams minimum();           // for tests only
};
SecretBytes derive_from_passphrase(std::string_view passphrase, const Bytes& salt, const PwhashParams& p);

// Subkey `id` of a 32-byte master key for a purpose named by an 8-character context.
SecretBytes derive_subkey(const SecretBytes& master, std::uint64_t id, const char context[8]);

// XChaCha20-Poly1305. Output is nonce || ciphertext || tag; the nonce is random.
Bytes aead_encrypt(const SecretBytes& key, const std::uint8_t* plain, std::size_t size, const Bytes& ad);
inline Bytes aead_encrypt(const SecretBytes& key, const Bytes& plain, const Bytes& ad) {
  return aead_encrypt(key, plain.data(), plain.size(), ad);
}
inline Bytes aead_encrypt(const SecretBytes& key, const SecretBytes& plain, const Bytes& ad) {
  return aead_encrypt(key, plain.data(), plain.size(), ad);
}
// Same, with a caller-chosen nonce: used only to produce deterministic test vectors.
Bytes aead_encrypt_with_nonce(const SecretBytes& key, const Bytes& plain, const Bytes& ad, const Bytes& nonce);
// Throws Error(decrypt_failed) when the key, ad or ciphertext is wrong.
SecretBytes aead_decrypt(const SecretBytes& key, const Bytes& boxed, const Bytes& ad);

struct SignKeyPair {
  Bytes public_key;
  SecretBytes secret_key;
  static SignKeyPair generate();
  static SignKeyPair from_seed(const SecretBytes& seed);  // deterministic, for vectors
};
Bytes sign(const SecretBytes& secret_key, const Bytes& message);
bool verify(const Bytes& public_key, const Bytes& message, const Bytes& signature) noexcept;

struct BoxKeyPair {
  Bytes public_key;
  SecretBytes secret_key;
  static BoxKeyPair generate();
};
Bytes seal(const Bytes& recipient_public_key, const SecretBytes& plain);
// Throws Error(decrypt_failed) when the box was not sealed to this key pair.
SecretBytes seal_open(const BoxKeyPair& keys, const Bytes& sealed);

// DSSE pre-authentication encoding: "DSSEv1 <len(type)> <type> <len(body)> <body>".
// Every casekeep signature is over PAE(type, body) so one signature can never be
// mistaken for another kind.
Bytes pae(std::string_view type, const Bytes& body);
Bytes sign_typed(const SecretBytes& secret_key, std::string_view type, const Bytes& body);
bool verify_typed(const Bytes& public_key, std::string_view type, const Bytes& body, const Bytes& signature) noexcept;

}  // namespace casekeep::crypto
