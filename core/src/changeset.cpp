// Canonical CBOR encoding of changesets (what nlohmann/json's to_cbor writes:
// map keys in bytewise order, integers in their shortest form, byte strings
// untagged), written by CborWriter.
// decode() (changeset_decode.cpp) accepts only that encoding, so a changeset
// has exactly one encoding and therefore exactly one id.
#include "casekeep/changeset.hpp"

#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "cbor_writer.hpp"

namespace casekeep {
namespace {

void write_meta(CborWriter& w, const OpMeta& m) {
  w.map(4);
  w.entry("k", static_cast<std::uint64_t>(m.kind));
  w.text("p");
  w.array(m.parents.size());
  for (const auto& p : m.parents) w.bytes(p);
  w.entry("r", m.record);
  w.entry("t", m.field_tag);
}

void write_member(CborWriter& w, const MemberEntry& m) {
  w.map(5);
  w.entry("box", m.box_key);
  w.entry("card", m.card_sig);
  w.entry("role", m.role);
  w.entry("user", m.user);
  w.entry("wrap", m.wrap);
}

void put_u64be(Bytes& out, std::uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

Bytes to_cbor(const json& value) { return json::to_cbor(value); }

bool contains_float(const json& value) {
  if (value.is_number_float()) return true;
  if (value.is_structured())
    for (const auto& item : value)
      if (contains_float(item)) return true;
  return false;
}

Bytes encode_body(const ChangesetBody& b) {
  // Keys in bytewise order, optional ones only when present: what to_cbor
  // writes for the same map (the golden vectors pin it).
  CborWriter w(b.payload.size() + 64 * b.meta.size() + 400);
  w.map(11 + (b.genesis.empty() ? 0 : 1) + (b.members.empty() ? 0 : 1));
  w.entry("author", b.author);
  w.entry("cert", b.cert);
  w.entry("device", b.device);
  w.entry("gen", b.generation);
  if (!b.genesis.empty()) w.entry("genesis", b.genesis);
  w.entry("hlc", b.hlc);
  if (!b.members.empty()) {
    w.text("members");
    w.array(b.members.size());
    for (const auto& m : b.members) write_member(w, m);
  }
  w.text("meta");
  w.array(b.meta.size());
  for (const auto& m : b.meta) write_meta(w, m);
  w.entry("payload", b.payload);
  w.entry("prev", b.prev);
  w.entry("seq", b.seq);
  w.entry("space", b.space);
  w.entry("v", b.v);
  return w.take();
}

Changeset Changeset::seal(ChangesetBody body, const SecretBytes& device_secret_key) {
  Changeset cs;
  cs.body_bytes_ = encode_body(body);
  cs.sig_ = crypto::sign_typed(device_secret_key, sigtype::changeset, cs.body_bytes_);
  CborWriter w(cs.body_bytes_.size() + 100);
  w.map(2);
  w.entry("body", cs.body_bytes_);
  w.entry("sig", cs.sig_);
  cs.bytes_ = w.take();
  cs.id_ = crypto::hash(cs.bytes_);
  cs.body_ = std::move(body);
  return cs;
}

bool Changeset::signature_valid() const noexcept {
  return crypto::verify_typed(body_.device, sigtype::changeset, body_bytes_, sig_);
}

bool Changeset::cert_valid() const noexcept {
  return crypto::verify_typed(body_.author, sigtype::device_cert, device_cert_message(body_.author, body_.device),
                              body_.cert);
}

Bytes Changeset::op_id(std::size_t index) const {
  Bytes in = id_;
  put_u64be(in, index, 4);
  return crypto::hash(in);
}

std::string Changeset::short_id() const { return short_hex(id_); }

Bytes device_cert_message(const Bytes& user, const Bytes& device) {
  return to_cbor(json{{"user", bin(user)}, {"device", bin(device)}});
}

Bytes user_card_message(const Bytes& user, const Bytes& box_key) {
  return to_cbor(json{{"user", bin(user)}, {"box", bin(box_key)}});
}

Bytes payload_ad(const Bytes& space, const Bytes& device, std::uint64_t seq) {
  Bytes ad = to_bytes("casekeep/payload/v1");
  ad.insert(ad.end(), space.begin(), space.end());
  ad.insert(ad.end(), device.begin(), device.end());
  put_u64be(ad, seq, 8);
  return ad;
}

}  // namespace casekeep
