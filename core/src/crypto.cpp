// libsodium wrappers. Sizes come from libsodium's named constants; a mismatch is
// a programming error reported as Error(crypto), never undefined behaviour.
#include "casekeep/crypto.hpp"

#include <sodium.h>

#include <cstring>
#include <string>

#include "casekeep/error.hpp"

namespace casekeep::crypto {
namespace {

void require_size(std::size_t got, std::size_t want, const char* what) {
  if (got != want)
    throw Error(ErrorCode::crypto, std::string(what) + " has " + std::to_string(got) + " bytes, expected " +
                                       std::to_string(want) + ".");
}

}  // namespace

void init() {
  if (sodium_init() < 0) throw Error(ErrorCode::crypto, "libsodium could not be initialised.");
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  randombytes_buf(out.data(), n);
  return out;
}

SecretBytes random_key() {
  SecretBytes k(kKeySize);
  randombytes_buf(k.data(), k.size());
  return k;
}

Bytes hash(const std::uint8_t* data, std::size_t size, std::size_t out_size) {
  Bytes out(out_size);
  crypto_generichash(out.data(), out.size(), data, size, nullptr, 0);
  return out;
}

Bytes keyed_hash(const SecretBytes& key, std::string_view message, std::size_t out_size) {
  Bytes out(out_size);
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), key.data(), key.size());
  return out;
}

PwhashParams PwhashParams::browser_friendly() {
  // 19 MiB and 3 passes (OWASP's Argon2id minimum): fits a tablet's browser tab,
  // where libsodium's 64 MiB "interactive" limit fails to allocate.
  return {3, 19u * 1024u * 1024u};
}
PwhashParams PwhashParams::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

SecretBytes derive_from_passphrase(std::string_view passphrase, const Bytes& salt, const PwhashParams& p) {
  require_size(salt.size(), crypto_pwhash_SALTBYTES, "salt");
  SecretBytes key(kKeySize);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(), p.opslimit,
                    static_cast<std::size_t>(p.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw Error(ErrorCode::crypto, "Argon2id ran out of memory deriving the passphrase key.");
  return key;
}

SecretBytes derive_subkey(const SecretBytes& master, std::uint64_t id, const char context[8]) {
  require_size(master.size(), crypto_kdf_KEYBYTES, "master key");
  SecretBytes sub(kKeySize);
  crypto_kdf_derive_from_key(sub.data(), sub.size(), id, context, master.data());
  return sub;
}

namespace {
Bytes aead_seal(const SecretBytes& key, const std::uint8_t* plain, std::size_t size, const Bytes& ad,
                const Bytes& nonce) {
  require_size(key.size(), crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "AEAD key");
  require_size(nonce.size(), crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "AEAD nonce");
  Bytes out(nonce.size() + size + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  std::memcpy(out.data(), nonce.data(), nonce.size());
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + nonce.size(), &clen, plain, size, ad.data(), ad.size(),
                                             nullptr, nonce.data(), key.data());
  out.resize(nonce.size() + static_cast<std::size_t>(clen));
  return out;
}
}  // namespace

Bytes aead_encrypt_with_nonce(const SecretBytes& key, const Bytes& plain, const Bytes& ad, const Bytes& nonce) {
  return aead_seal(key, plain.data(), plain.size(), ad, nonce);
}

Bytes aead_encrypt(const SecretBytes& key, const std::uint8_t* plain, std::size_t size, const Bytes& ad) {
  return aead_seal(key, plain, size, ad, random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES));
}

SecretBytes aead_decrypt(const SecretBytes& key, const Bytes& boxed, const Bytes& ad) {
  require_size(key.size(), crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "AEAD key");
  constexpr std::size_t npub = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr std::size_t tag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (boxed.size() < npub + tag) throw Error(ErrorCode::decrypt_failed, "A ciphertext is truncated.");
  SecretBytes plain(boxed.size() - npub - tag);
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plen, nullptr, boxed.data() + npub,
                                                 boxed.size() - npub, ad.data(), ad.size(), boxed.data(),
                                                 key.data()) != 0)
    throw Error(ErrorCode::decrypt_failed, "A ciphertext failed authentication: wrong key or altered data.");
  return plain;
}

SignKeyPair SignKeyPair::generate() {
  SignKeyPair kp{Bytes(crypto_sign_PUBLICKEYBYTES), SecretBytes(crypto_sign_SECRETKEYBYTES)};
  crypto_sign_keypair(kp.public_key.data(), kp.secret_key.data());
  return kp;
}

SignKeyPair SignKeyPair::from_seed(const SecretBytes& seed) {
  require_size(seed.size(), crypto_sign_SEEDBYTES, "signing seed");
  SignKeyPair kp{Bytes(crypto_sign_PUBLICKEYBYTES), SecretBytes(crypto_sign_SECRETKEYBYTES)};
  crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(), seed.data());
  return kp;
}

Bytes sign(const SecretBytes& secret_key, const Bytes& message) {
  require_size(secret_key.size(), crypto_sign_SECRETKEYBYTES, "signing key");
  Bytes sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_key.data());
  return sig;
}

bool verify(const Bytes& public_key, const Bytes& message, const Bytes& signature) noexcept {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) == 0;
}

BoxKeyPair BoxKeyPair::generate() {
  BoxKeyPair kp{Bytes(crypto_box_PUBLICKEYBYTES), SecretBytes(crypto_box_SECRETKEYBYTES)};
  crypto_box_keypair(kp.public_key.data(), kp.secret_key.data());
  return kp;
}

Bytes seal(const Bytes& recipient_public_key, const SecretBytes& plain) {
  require_size(recipient_public_key.size(), crypto_box_PUBLICKEYBYTES, "box public key");
  Bytes out(plain.size() + crypto_box_SEALBYTES);
  crypto_box_seal(out.data(), plain.data(), plain.size(), recipient_public_key.data());
  return out;
}

SecretBytes seal_open(const BoxKeyPair& keys, const Bytes& sealed) {
  if (sealed.size() < crypto_box_SEALBYTES) throw Error(ErrorCode::decrypt_failed, "A sealed key is truncated.");
  SecretBytes plain(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), keys.public_key.data(),
                           keys.secret_key.data()) != 0)
    throw Error(ErrorCode::decrypt_failed, "A sealed key could not be opened with this user's key.");
  return plain;
}

Bytes pae(std::string_view type, const Bytes& body) {
  std::string head = "DSSEv1 " + std::to_string(type.size()) + " " + std::string(type) + " " +
                     std::to_string(body.size()) + " ";
  Bytes out(head.begin(), head.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes sign_typed(const SecretBytes& secret_key, std::string_view type, const Bytes& body) {
  return sign(secret_key, pae(type, body));
}

bool verify_typed(const Bytes& public_key, std::string_view type, const Bytes& body, const Bytes& signature) noexcept {
  try {
    return verify(public_key, pae(type, body), signature);
  } catch (...) {
    return false;
  }
}

}  // namespace casekeep::crypto
