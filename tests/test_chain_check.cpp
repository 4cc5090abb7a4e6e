// check_device_signatures: one Ed25519 check per run of a chain, and the same
// refusals as checking every signature alone (docs/protocol.md §5.2).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "casekeep/chain_check.hpp"
#include "casekeep/crypto.hpp"

using namespace casekeep;

namespace {

struct Device {
  crypto::SignKeyPair user = crypto::SignKeyPair::generate();
  crypto::SignKeyPair key = crypto::SignKeyPair::generate();

  Changeset make(const Bytes& space, std::uint64_t seq, const Bytes& prev) const {
    ChangesetBody b;
    b.space = space;
    b.author = user.public_key;
    b.device = key.public_key;
    b.cert = crypto::sign_typed(user.secret_key, sigtype::device_cert, device_cert_message(b.author, b.device));
    b.seq = seq;
    b.prev = prev;
    b.hlc = seq << 16;
    b.meta.push_back({OpKind::create, Bytes(16, static_cast<std::uint8_t>(seq)), {}, {}});
    b.payload = Bytes(64, 0x66);
    return Changeset::seal(b, key.secret_key);
  }

  // seq 1..n of this device's chain in `space`.
  std::vector<Changeset> chain(const Bytes& space, std::size_t n) const {
    std::vector<Changeset> out;
    for (std::uint64_t seq = 1; seq <= n; ++seq) out.push_back(make(space, seq, out.empty() ? Bytes{} : out.back().id()));
    return out;
  }
};

// The same changeset with one bit of its signature flipped: a new id, a bad signature.
Changeset with_bad_signature(const Changeset& cs) {
  json env = json::from_cbor(cs.bytes());
  Bytes sig = raw(env["sig"]);
  sig[7] ^= 0x01;
  env["sig"] = bin(sig);
  return Changeset::decode(to_cbor(env));
}

std::vector<const Changeset*> pointers(const std::vector<Changeset>& v) {
  std::vector<const Changeset*> out;
  for (const Changeset& cs : v) out.push_back(&cs);
  return out;
}

const Bytes kSpaceA(16, 0xA1), kSpaceB(16, 0xB2);

}  // namespace

TEST_CASE("a contiguous run of one chain costs one signature check, in any order", "[chain_check]") {
  crypto::init();
  Device d;
  std::vector<Changeset> run = d.chain(kSpaceA, 6);
  std::shuffle(run.begin(), run.end(), std::mt19937(7));
  SignatureCheck check = check_device_signatures(pointers(run));
  CHECK(check.signatures_checked == 1);
  CHECK(std::all_of(check.valid.begin(), check.valid.end(), [](char v) { return v; }));
}

TEST_CASE("each chain, and each space of a device, is its own run", "[chain_check]") {
  crypto::init();
  Device d, e;
  std::vector<Changeset> all = d.chain(kSpaceA, 4);
  for (Changeset& cs : d.chain(kSpaceB, 3)) all.push_back(std::move(cs));
  for (Changeset& cs : e.chain(kSpaceA, 5)) all.push_back(std::move(cs));
  SignatureCheck check = check_device_signatures(pointers(all));
  CHECK(check.signatures_checked == 3);
  CHECK(std::count(check.valid.begin(), check.valid.end(), 1) == 12);
}

TEST_CASE("a gap in a run makes two runs", "[chain_check]") {
  crypto::init();
  Device d;
  std::vector<Changeset> run = d.chain(kSpaceA, 6);
  run.erase(run.begin() + 3);
  SignatureCheck check = check_device_signatures(pointers(run));
  CHECK(check.signatures_checked == 2);
  CHECK(std::count(check.valid.begin(), check.valid.end(), 1) == 5);
}

TEST_CASE("an altered signature is refused wherever it sits in the run, and only it", "[chain_check][negative]") {
  crypto::init();
  Device d;
  for (std::size_t bad = 0; bad < 5; ++bad) {
    std::vector<Changeset> run = d.chain(kSpaceA, 5);
    run[bad] = with_bad_signature(run[bad]);
    SignatureCheck check = check_device_signatures(pointers(run));
    INFO("altered: seq " << bad + 1);
    for (std::size_t i = 0; i < run.size(); ++i) CHECK(static_cast<bool>(check.valid[i]) == (i != bad));
  }
}

TEST_CASE("only the same device, in the same space, vouches for a predecessor", "[chain_check][negative]") {
  crypto::init();
  Device d, other;
  Changeset forged = with_bad_signature(d.make(kSpaceA, 1, {}));
  SECTION("another device names it as prev") {
    std::vector<Changeset> batch{forged, other.make(kSpaceA, 2, forged.id())};
    SignatureCheck check = check_device_signatures(pointers(batch));
    CHECK_FALSE(check.valid[0]);
    CHECK(check.valid[1]);
  }
  SECTION("the same device names it from another space") {
    std::vector<Changeset> batch{forged, d.make(kSpaceB, 2, forged.id())};
    CHECK_FALSE(check_device_signatures(pointers(batch)).valid[0]);
  }
  SECTION("the same device names it, but not at the next seq") {
    std::vector<Changeset> batch{forged, d.make(kSpaceA, 3, forged.id())};
    CHECK_FALSE(check_device_signatures(pointers(batch)).valid[0]);
  }
  SECTION("its own device signs a successor of it: the device has vouched for its bytes") {
    std::vector<Changeset> batch{forged, d.make(kSpaceA, 2, forged.id())};
    CHECK(check_device_signatures(pointers(batch)).valid[0]);
    CHECK_FALSE(forged.signature_valid());  // which a check of each alone (Vault::verify) still names
  }
}

TEST_CASE("entries that did not decode are never valid", "[chain_check][negative]") {
  crypto::init();
  Device d;
  std::vector<Changeset> run = d.chain(kSpaceA, 2);
  std::vector<const Changeset*> batch{&run[0], nullptr, &run[1]};
  SignatureCheck check = check_device_signatures(batch);
  CHECK(check.valid == std::vector<char>{1, 0, 1});
}
