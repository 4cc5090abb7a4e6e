// Changesets: the signed, hash-chained unit of change (docs/protocol.md §2).
// A changeset's bytes are produced once, signed, and never re-encoded: decode()
// keeps the exact bytes and refuses any encoding that is not canonical.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "casekeep/bytes.hpp"

namespace casekeep {

using json = nlohmann::json;

constexpr std::uint64_t kChangesetVersion = 1;
constexpr std::size_t kRecordIdSize = 16;
constexpr std::size_t kSpaceIdSize = 16;
constexpr std::size_t kFieldTagSize = 16;
constexpr std::size_t kMaxChangesetBytes = 4u * 1024u * 1024u;

// Signature type strings (DSSE PAE types). Listed once; docs/protocol.md mirrors them.
namespace sigtype {
inline constexpr const char* changeset = "casekeep/changeset/v1";
inline constexpr const char* device_cert = "casekeep/device-cert/v1";
inline constexpr const char* user_card = "casekeep/user-card/v1";
inline constexpr const char* note_signed = "casekeep/note-signed/v1";
inline constexpr const char* note_agreed = "casekeep/note-agreed/v1";
inline constexpr const char* note_disputed = "casekeep/note-disputed/v1";
}  // namespace sigtype

enum class OpKind : std::uint8_t { create = 1, set = 2, add = 3, tombstone = 4 };

// The clear part of one op: opaque ids only.
struct OpMeta {
  OpKind kind = OpKind::set;
  Bytes record;               // 16-byte record id
  Bytes field_tag;            // keyed hash of the field name; empty for create/tombstone
  std::vector<Bytes> parents; // op ids this op replaces (the heads its author knew)
};

// The clear membership entry carried by a membership changeset. Never a name.
struct MemberEntry {
  Bytes user;      // the member's user id (Ed25519 public key)
  std::string role;
  Bytes box_key;   // the member's X25519 public key
  Bytes card_sig;  // the member's own signature binding box_key to user (a user card)
  Bytes wrap;      // the space key of this generation, sealed to box_key
};

struct ChangesetBody {
  std::uint64_t v = kChangesetVersion;
  Bytes space;              // 16 bytes
  Bytes author;             // user id: the author's Ed25519 public key
  Bytes device;             // device id: the device's Ed25519 public key
  Bytes cert;               // the author's signature certifying `device` (device-cert/v1)
  std::uint64_t seq = 0;    // position in the (device, space) chain, from 1
  Bytes prev;               // id of changeset seq-1 of that chain; empty when seq == 1
  std::uint64_t hlc = 0;    // hybrid logical clock: (milliseconds << 16) | counter
  std::uint64_t generation = 1;  // which space key encrypts the payload
  Bytes genesis;            // 16-byte nonce; only in a space's first changeset
  std::vector<MemberEntry> members;
  std::vector<OpMeta> meta;
  Bytes payload;            // AEAD(space key, CBOR array of op values)
};

class Changeset {
 public:
  // Encode, sign with the device secret key, and hash. The only way to make one.
  static Changeset seal(ChangesetBody body, const SecretBytes& device_secret_key);
  // Parse exact bytes. Throws Error(malformed) on truncation, unknown or missing
  // fields, wrong types or a non-canonical encoding; does not check the signature.
  static Changeset decode(const Bytes& bytes);

  const ChangesetBody& body() const { return body_; }
  const Bytes& bytes() const { return bytes_; }  // the whole encoded changeset
  const Bytes& id() const { return id_; }        // BLAKE2b-256 of bytes()
  const Bytes& signature() const { return sig_; }
  const Bytes& body_bytes() const { return body_bytes_; }

  // Device signature over PAE(changeset/v1, body bytes) and the user's device cert.
  bool signature_valid() const noexcept;
  bool cert_valid() const noexcept;
  Bytes op_id(std::size_t index) const;  // BLAKE2b-256(id || u32be index)
  std::string short_id() const;          // first 12 hex digits, for messages

 private:
  ChangesetBody body_;
  Bytes body_bytes_, sig_, bytes_, id_;
};

// Canonical body encoding (exposed for the test vectors).
Bytes encode_body(const ChangesetBody& body);
// The bytes a user signs to certify a device, and to publish a box key.
Bytes device_cert_message(const Bytes& user, const Bytes& device);
Bytes user_card_message(const Bytes& user, const Bytes& box_key);
// AEAD associated data of a payload: binds it to its space, device and seq.
Bytes payload_ad(const Bytes& space, const Bytes& device, std::uint64_t seq);

// CBOR helpers used by every canonical encoding in casekeep.
Bytes to_cbor(const json& value);
// Throws Error(malformed) unless `bytes` is exactly the canonical encoding of a
// float-free value (floats have more than one encoding; casekeep uses none):
// what to_cbor writes, so to_cbor(from_cbor_canonical(b)) == b. `what` names
// the thing in the message.
json from_cbor_canonical(const Bytes& bytes, const char* what);
json from_cbor_canonical(const std::uint8_t* data, std::size_t size, const char* what);
bool contains_float(const json& value);
inline json bin(const Bytes& b) { return json::binary(b); }
// The bytes of a JSON byte string, as plain Bytes (throws json::type_error otherwise).
inline const Bytes& raw(const json& v) { return v.get_binary(); }

}  // namespace casekeep
