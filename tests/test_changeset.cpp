// Changeset encoding: exact round trip, and refusal of every truncation,
// every flipped byte, unknown fields and non-canonical encodings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"

using namespace casekeep;

namespace {

Changeset sample(std::uint64_t seq = 1) {
  crypto::init();
  static auto user = crypto::SignKeyPair::generate();
  static auto device = crypto::SignKeyPair::generate();
  ChangesetBody b;
  b.space = Bytes(16, 0x11);
  b.author = user.public_key;
  b.device = device.public_key;
  b.cert = crypto::sign_typed(user.secret_key, sigtype::device_cert, device_cert_message(b.author, b.device));
  b.seq = seq;
  if (seq > 1) b.prev = Bytes(32, 0x22);
  b.hlc = 123456789;
  b.meta.push_back({OpKind::create, Bytes(16, 0x33), {}, {}});
  b.meta.push_back({OpKind::set, Bytes(16, 0x33), Bytes(16, 0x44), {Bytes(32, 0x55)}});
  b.payload = Bytes(80, 0x66);
  return Changeset::seal(b, device.secret_key);
}

}  // namespace

TEST_CASE("a sealed changeset decodes to the same bytes, id and signature", "[changeset]") {
  Changeset cs = sample(2);
  Changeset back = Changeset::decode(cs.bytes());
  CHECK(back.id() == cs.id());
  CHECK(back.bytes() == cs.bytes());
  CHECK(back.signature_valid());
  CHECK(back.cert_valid());
  CHECK(back.body().meta.size() == 2);
  CHECK(back.body().meta[1].parents == std::vector<Bytes>{Bytes(32, 0x55)});
  CHECK(cs.op_id(0) != cs.op_id(1));
}

TEST_CASE("every truncation of a changeset is refused", "[changeset][negative]") {
  Changeset cs = sample();
  for (std::size_t n = 0; n < cs.bytes().size(); ++n) {
    Bytes cut(cs.bytes().begin(), cs.bytes().begin() + static_cast<long>(n));
    CHECK_THROWS_AS(Changeset::decode(cut), Error);
  }
}

TEST_CASE("every flipped byte is refused by decode or by the signature", "[changeset][negative]") {
  Changeset cs = sample();
  for (std::size_t i = 0; i < cs.bytes().size(); ++i) {
    Bytes altered = cs.bytes();
    altered[i] ^= 0x01;
    bool refused = false;
    try {
      Changeset c = Changeset::decode(altered);
      refused = !c.signature_valid() || !c.cert_valid();
    } catch (const Error&) {
      refused = true;
    }
    INFO("byte " << i);
    CHECK(refused);
  }
}

TEST_CASE("unknown fields and non-canonical encodings are refused", "[changeset][negative]") {
  Changeset cs = sample();
  json env = json::from_cbor(cs.bytes());
  json extra = env;
  extra["x"] = 1;
  CHECK_THROWS_WITH(Changeset::decode(json::to_cbor(extra)), Catch::Contains("unknown field"));

  // The same integer 1 for "v" in a 2-byte form: valid CBOR, not canonical.
  json body = json::from_cbor(raw(env["body"]));
  Bytes body_bytes = json::to_cbor(body);
  Bytes longer = body_bytes;
  const Bytes v_is_1 = {0x61, 'v', 0x01};  // text "v" then the integer 1
  auto pos = std::search(longer.begin(), longer.end(), v_is_1.begin(), v_is_1.end());
  REQUIRE(pos != longer.end());
  longer.insert(pos + 2, 0x18);  // 0x18 0x01 is "1" in one extra byte
  json env2 = {{"body", bin(longer)}, {"sig", env["sig"]}};
  CHECK_THROWS_WITH(Changeset::decode(json::to_cbor(env2)), Catch::Contains("canonical"));

  CHECK_THROWS_AS(Changeset::decode(to_bytes("{\"body\":1}")), Error);
  CHECK_THROWS_AS(Changeset::decode(Bytes(kMaxChangesetBytes + 1, 0xa0)), Error);
}

namespace {

// A changeset with every optional part: a genesis, two member entries, ops
// of each kind with and without parents.
Changeset rich() {
  crypto::init();
  auto user = crypto::SignKeyPair::generate();
  auto device = crypto::SignKeyPair::generate();
  ChangesetBody b;
  b.space = Bytes(16, 0x11);
  b.author = user.public_key;
  b.device = device.public_key;
  b.cert = Bytes(64, 0x12);
  b.seq = 7;
  b.prev = Bytes(32, 0x22);
  b.hlc = (std::uint64_t{1} << 40) + 5;
  b.generation = 3;
  b.genesis = Bytes(16, 0x13);
  b.members.push_back({user.public_key, "imr_author", Bytes(32, 0x14), Bytes(64, 0x15), Bytes(90, 0x16)});
  b.members.push_back({Bytes(32, 0x17), "practitioner", Bytes(32, 0x18), Bytes(64, 0x19), Bytes(300, 0x1A)});
  b.meta.push_back({OpKind::create, Bytes(16, 0x33), {}, {}});
  b.meta.push_back({OpKind::set, Bytes(16, 0x33), Bytes(16, 0x44), {Bytes(32, 0x55), Bytes(32, 0x56)}});
  b.meta.push_back({OpKind::add, Bytes(16, 0x34), Bytes(16, 0x45), {}});
  b.meta.push_back({OpKind::tombstone, Bytes(16, 0x35), {}, {Bytes(32, 0x57)}});
  b.payload = Bytes(700, 0x66);
  return Changeset::seal(b, device.secret_key);
}

// The body as nlohmann's to_cbor writes it, field by field from the
// protocol (docs/protocol.md §2): the reference CborWriter must match.
Bytes reference_body(const ChangesetBody& b) {
  json meta = json::array(), members = json::array();
  for (const auto& m : b.meta) {
    json parents = json::array();
    for (const auto& p : m.parents) parents.push_back(bin(p));
    meta.push_back({{"k", static_cast<unsigned>(m.kind)}, {"r", bin(m.record)}, {"t", bin(m.field_tag)}, {"p", parents}});
  }
  for (const auto& m : b.members)
    members.push_back({{"user", bin(m.user)}, {"role", m.role}, {"box", bin(m.box_key)}, {"card", bin(m.card_sig)},
                       {"wrap", bin(m.wrap)}});
  json j = {{"v", b.v},     {"space", bin(b.space)}, {"author", bin(b.author)}, {"device", bin(b.device)},
            {"cert", bin(b.cert)}, {"seq", b.seq}, {"prev", bin(b.prev)}, {"hlc", b.hlc}, {"gen", b.generation},
            {"meta", meta},   {"payload", bin(b.payload)}};
  if (!b.genesis.empty()) j["genesis"] = bin(b.genesis);
  if (!b.members.empty()) j["members"] = members;
  return json::to_cbor(j);
}

// The reference encoding of the decoded parts: equal to the input exactly
// when the decoder took nothing but the one canonical encoding.
Bytes reencoded(const Changeset& c) {
  return json::to_cbor(json{{"body", bin(reference_body(c.body()))}, {"sig", bin(c.signature())}});
}

Bytes mutated(Bytes b, std::mt19937& rng) {
  auto at = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  auto byte = [&] { return static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0, 255)(rng)); };
  switch (at(4)) {
    case 0: b[at(b.size())] ^= static_cast<std::uint8_t>(1u << at(8)); break;
    case 1: b[at(b.size())] = byte(); break;
    case 2: b.insert(b.begin() + static_cast<long>(at(b.size() + 1)), byte()); break;
    default: b.erase(b.begin() + static_cast<long>(at(b.size()))); break;
  }
  return b;
}

}  // namespace

TEST_CASE("seal() writes what to_cbor writes, and decode() gives back its parts, optional ones included", "[changeset]") {
  Changeset cs = rich();
  CHECK(cs.body_bytes() == reference_body(cs.body()));
  CHECK(sample(2).body_bytes() == reference_body(sample(2).body()));
  Changeset back = Changeset::decode(cs.bytes());
  CHECK(reencoded(back) == cs.bytes());
  CHECK(back.body().members.size() == 2);
  CHECK(back.body().members[1].wrap == Bytes(300, 0x1A));
  CHECK(back.body().meta[3].kind == OpKind::tombstone);
  CHECK(back.body().meta[1].parents.size() == 2);
  CHECK(back.body().genesis == Bytes(16, 0x13));
}

TEST_CASE("decode accepts a mutated changeset only when it is the canonical encoding of its parts", "[changeset][negative]") {
  // Mutations of the envelope, and of the body re-wrapped in a valid envelope
  // (so they reach the body's own checks). Whatever decodes must re-encode
  // to the very bytes given: no second encoding, no field dropped or added.
  std::mt19937 rng(20261202);
  std::size_t accepted = 0, refused = 0;
  for (const Changeset& cs : {sample(1), sample(2), rich()}) {
    for (int round = 0; round < 3000; ++round) {
      Bytes input;
      if (round % 2 == 0) {
        input = mutated(cs.bytes(), rng);
      } else {
        Bytes body = mutated(cs.body_bytes(), rng);
        if (round % 4 == 1) body = mutated(body, rng);
        input = json::to_cbor(json{{"body", bin(body)}, {"sig", bin(cs.signature())}});
      }
      try {
        Changeset c = Changeset::decode(input);
        ++accepted;
        INFO("round " << round);
        CHECK(reencoded(c) == input);
      } catch (const Error& e) {
        ++refused;
        CHECK(e.code() == ErrorCode::malformed);
      }
    }
  }
  CHECK(refused > 4000);  // most mutations break the encoding...
  CHECK(accepted > 50);   // ...but flips inside byte strings keep it valid
}

TEST_CASE("decode names what is wrong: a missing, unknown or mistyped field", "[changeset][negative]") {
  json body = json::from_cbor(sample(1).body_bytes());
  auto decode_body = [&](const json& b) {
    return Changeset::decode(json::to_cbor(json{{"body", bin(json::to_cbor(b))}, {"sig", bin(Bytes(64, 0))}}));
  };
  json missing = body;
  missing.erase("seq");
  CHECK_THROWS_WITH(decode_body(missing), "The changeset is malformed: the changeset body lacks 'seq'.");
  json unknown = body;
  unknown["zzz"] = 1;
  CHECK_THROWS_WITH(decode_body(unknown), "The changeset is malformed: the changeset body has an unknown field 'zzz'.");
  json mistyped = body;
  mistyped["hlc"] = "soon";
  CHECK_THROWS_WITH(decode_body(mistyped), "The changeset is malformed: 'hlc' is not an unsigned integer.");
  json bad_op = body;
  bad_op["meta"][0]["k"] = 9;
  CHECK_THROWS_WITH(decode_body(bad_op), "The changeset is malformed: an op has an unknown kind.");
  json empty_members = body;
  empty_members["members"] = json::array();
  CHECK_THROWS_WITH(decode_body(empty_members), Catch::Contains("'members' is not a non-empty list"));
}
