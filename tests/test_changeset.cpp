// Changeset encoding: exact round trip, and refusal of every truncation,
// every flipped byte, unknown fields and non-canonical encodings.
#include <catch2/catch.hpp>

#include <algorithm>

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
