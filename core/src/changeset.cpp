// Canonical CBOR encoding of changesets (nlohmann/json's encoder: map keys in
// bytewise order, integers in their shortest form, byte strings untagged).
// decode() accepts only that encoding (from_cbor_canonical, cbor_canonical.cpp),
// so a changeset has exactly one encoding and therefore exactly one id.
#include "casekeep/changeset.hpp"

#include <algorithm>
#include <initializer_list>

#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"

namespace casekeep {
namespace {

[[noreturn]] void malformed(const std::string& why) {
  throw Error(ErrorCode::malformed, "The changeset is malformed: " + why + ".");
}

using Keys = std::initializer_list<const char*>;

bool listed(const std::string& key, Keys keys) {
  return std::any_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; });
}

// Demand exactly the `required` keys plus any of `optional`, nothing else.
// (Plain lists: a decode checks a dozen keys, and building sets of them was
// a measurable part of decoding.)
void check_keys(const json& obj, Keys required, Keys optional, const char* what) {
  if (!obj.is_object()) malformed(std::string(what) + " is not a map");
  for (const char* key : required)
    if (!obj.contains(key)) malformed(std::string(what) + " lacks '" + key + "'");
  if (obj.size() == required.size()) return;  // keys are unique: nothing else is there
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!listed(it.key(), required) && !listed(it.key(), optional))
      malformed(std::string(what) + " has an unknown field '" + it.key() + "'");
}

std::uint64_t as_uint(const json& value, const char* field) {
  if (!value.is_number_unsigned()) malformed(std::string("'") + field + "' is not an unsigned integer");
  return value.get<std::uint64_t>();
}

const std::string& as_text(const json& value, const char* field) {
  if (!value.is_string()) malformed(std::string("'") + field + "' is not text");
  return value.get_ref<const std::string&>();
}

Bytes sized(const json& value, const char* field, std::size_t size) {
  const Bytes& b = as_bytes(value, field);
  if (b.size() != size) malformed(std::string("'") + field + "' has the wrong length");
  return b;
}

json encode_meta(const OpMeta& m) {
  json parents = json::array();
  for (const auto& p : m.parents) parents.push_back(bin(p));
  return {{"k", static_cast<unsigned>(m.kind)}, {"r", bin(m.record)}, {"t", bin(m.field_tag)}, {"p", parents}};
}

OpMeta decode_meta(const json& j) {
  check_keys(j, {"k", "r", "t", "p"}, {}, "an op");
  OpMeta m;
  auto kind = as_uint(j["k"], "k");
  if (kind < 1 || kind > 4) malformed("an op has an unknown kind");
  m.kind = static_cast<OpKind>(kind);
  m.record = sized(j["r"], "r", kRecordIdSize);
  m.field_tag = as_bytes(j["t"], "t");
  bool tagged = m.kind == OpKind::set || m.kind == OpKind::add;
  if (m.field_tag.size() != (tagged ? kFieldTagSize : 0)) malformed("an op's field tag has the wrong length");
  if (!j["p"].is_array()) malformed("an op's parents are not a list");
  for (const auto& p : j["p"]) m.parents.push_back(sized(p, "p", crypto::kHashSize));
  return m;
}

json encode_member(const MemberEntry& m) {
  return {{"user", bin(m.user)}, {"role", m.role}, {"box", bin(m.box_key)}, {"card", bin(m.card_sig)},
          {"wrap", bin(m.wrap)}};
}

MemberEntry decode_member(const json& j) {
  check_keys(j, {"user", "role", "box", "card", "wrap"}, {}, "a member entry");
  return MemberEntry{sized(j["user"], "user", crypto::kSignPublicSize), as_text(j["role"], "role"),
                     sized(j["box"], "box", crypto::kBoxPublicSize),
                     sized(j["card"], "card", crypto::kSignatureSize), as_bytes(j["wrap"], "wrap")};
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

const Bytes& as_bytes(const json& value, const char* field) {
  if (!value.is_binary() || value.get_binary().has_subtype())
    malformed(std::string("'") + field + "' is not a byte string");
  return value.get_binary();
}

Bytes encode_body(const ChangesetBody& b) {
  json meta = json::array(), members = json::array();
  for (const auto& m : b.meta) meta.push_back(encode_meta(m));
  for (const auto& m : b.members) members.push_back(encode_member(m));
  json j = {{"v", b.v},          {"space", bin(b.space)}, {"author", bin(b.author)}, {"device", bin(b.device)},
            {"cert", bin(b.cert)}, {"seq", b.seq},         {"prev", bin(b.prev)},     {"hlc", b.hlc},
            {"gen", b.generation}};
  // Moved in, not listed above: a braced list would copy the ops and the payload.
  j["meta"] = std::move(meta);
  j["payload"] = bin(b.payload);
  if (!b.genesis.empty()) j["genesis"] = bin(b.genesis);
  if (!b.members.empty()) j["members"] = std::move(members);
  return to_cbor(j);
}

Changeset Changeset::seal(ChangesetBody body, const SecretBytes& device_secret_key) {
  Changeset cs;
  cs.body_bytes_ = encode_body(body);
  cs.sig_ = crypto::sign_typed(device_secret_key, sigtype::changeset, cs.body_bytes_);
  cs.bytes_ = to_cbor(json{{"body", bin(cs.body_bytes_)}, {"sig", bin(cs.sig_)}});
  cs.id_ = crypto::hash(cs.bytes_);
  cs.body_ = std::move(body);
  return cs;
}

Changeset Changeset::decode(const Bytes& bytes) {
  if (bytes.size() > kMaxChangesetBytes) malformed("it is larger than the 4 MiB limit");
  Changeset cs;
  json env = from_cbor_canonical(bytes, "changeset");
  check_keys(env, {"body", "sig"}, {}, "the changeset");
  cs.body_bytes_ = as_bytes(env["body"], "body");
  cs.sig_ = sized(env["sig"], "sig", crypto::kSignatureSize);
  json j = from_cbor_canonical(cs.body_bytes_, "changeset body");
  check_keys(j, {"v", "space", "author", "device", "cert", "seq", "prev", "hlc", "gen", "meta", "payload"},
             {"genesis", "members"}, "the changeset body");
  ChangesetBody& b = cs.body_;
  b.v = as_uint(j["v"], "v");
  if (b.v != kChangesetVersion) malformed("version " + std::to_string(b.v) + " is not supported");
  b.space = sized(j["space"], "space", kSpaceIdSize);
  b.author = sized(j["author"], "author", crypto::kSignPublicSize);
  b.device = sized(j["device"], "device", crypto::kSignPublicSize);
  b.cert = sized(j["cert"], "cert", crypto::kSignatureSize);
  b.seq = as_uint(j["seq"], "seq");
  if (b.seq == 0) malformed("seq starts at 1");
  b.prev = as_bytes(j["prev"], "prev");
  if (b.prev.size() != (b.seq == 1 ? 0 : crypto::kHashSize)) malformed("'prev' does not match 'seq'");
  b.hlc = as_uint(j["hlc"], "hlc");
  b.generation = as_uint(j["gen"], "gen");
  if (b.generation == 0) malformed("generations start at 1");
  if (j.contains("genesis")) b.genesis = sized(j["genesis"], "genesis", kSpaceIdSize);
  if (j.contains("members")) {
    if (!j["members"].is_array() || j["members"].empty()) malformed("'members' is not a non-empty list");
    for (const auto& m : j["members"]) b.members.push_back(decode_member(m));
  }
  if (!j["meta"].is_array()) malformed("'meta' is not a list");
  for (const auto& m : j["meta"]) b.meta.push_back(decode_meta(m));
  b.payload = as_bytes(j["payload"], "payload");
  cs.bytes_ = bytes;
  cs.id_ = crypto::hash(bytes);
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

std::string Changeset::short_id() const { return to_hex(id_).substr(0, 12); }

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
