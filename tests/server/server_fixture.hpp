// Fixtures of the server tests: a SyncService over a store in a temp dir with a
// fake clock, clients that are real vaults enrolled through the API, and raw
// identities (bare key pairs) for building changesets no honest vault would.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "admin.hpp"
#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/rules.hpp"
#include "casekeep/wire.hpp"
#include "service.hpp"
#include "support.hpp"

namespace casekeep::test {

using wire::json;

inline server::Limits no_rate_limit() {
  server::Limits l;
  l.rate_per_second = 0;
  return l;
}

inline json parsed(const wire::Response& r) { return json::parse(r.body); }
inline std::string error_code(const wire::Response& r) { return parsed(r)["error"]["code"].get<std::string>(); }
inline std::string b64hex(const std::string& hex) { return wire::base64(from_hex(hex)); }

// A server in memory: the store lives in a temp dir, time moves when told.
struct TestServer {
  explicit TestServer(server::Limits limits = no_rate_limit())
      : store(dir.path() / "data"), service(store, clock, limits) {}

  wire::Response call(const std::string& method, const std::string& path, const std::string& body = "",
                      const std::string& token = "") {
    return service.handle({method, path, body, token});
  }
  wire::Response post(const std::string& path, const json& body, const std::string& token = "") {
    return call("POST", path, body.dump(), token);
  }
  std::string code_for(const std::string& name, const std::string& role = "") {
    return server::add_user(store, clock, name, role);
  }

  TempDir dir;
  FakeClock clock;
  server::Store store;
  server::SyncService service;
};

inline json enroll_body(const Vault& v, const std::string& code) {
  UserCard card = v.user_card();
  return {{"code", code},           {"user", b64hex(card.user)},       {"box", b64hex(card.box_key)},
          {"card", b64hex(card.sig)}, {"device", b64hex(v.device_id())}, {"cert", b64hex(v.device_certificate())}};
}

// Challenge, sign, log in; returns the token.
inline std::string login(TestServer& s, const Vault& v) {
  auto c = s.post("/v1/login/challenge", {{"device", b64hex(v.device_id())}});
  REQUIRE(c.status == 200);
  Bytes challenge = wire::unbase64(parsed(c)["challenge"].get<std::string>());
  Bytes sig = v.sign_with_device(wire::kLoginSigType, challenge);
  auto r = s.post("/v1/login", {{"device", b64hex(v.device_id())}, {"challenge", wire::base64(challenge)},
                                {"sig", wire::base64(sig)}});
  REQUIRE(r.status == 200);
  return parsed(r)["token"].get<std::string>();
}

// A vault enrolled on the server and logged in.
struct Client {
  Client(TestServer& s, const std::string& name, const std::string& role = "lead_reviewer")
      : vault(new_vault(s.dir, name)) {
    auto r = s.post("/v1/enroll", enroll_body(*vault, s.code_for(name, role)));
    REQUIRE(r.status == 200);
    token = login(s, *vault);
  }
  std::vector<Bytes> outbox() const { return vault->outbox(100000); }

  std::unique_ptr<Vault> vault;
  std::string token;
};

inline json push_body(const std::vector<Bytes>& changesets) {
  json list = json::array();
  for (const Bytes& c : changesets) list.push_back(wire::base64(c));
  return {{"changesets", list}};
}

inline wire::Response push(TestServer& s, const std::string& token, const std::vector<Bytes>& changesets) {
  return s.post("/v1/push", push_body(changesets), token);
}

// Push and require every one accepted; returns the server seqs.
inline std::vector<std::uint64_t> push_ok(TestServer& s, const Client& c, const std::vector<Bytes>& changesets) {
  auto r = push(s, c.token, changesets);
  INFO(r.body);
  REQUIRE(r.status == 200);
  std::vector<std::uint64_t> seqs;
  json j = parsed(r);
  for (const auto& a : j["accepted"]) seqs.push_back(a["seq"].get<std::uint64_t>());
  REQUIRE(seqs.size() == changesets.size());
  return seqs;
}

inline Bytes id_of(const Bytes& changeset) { return crypto::hash(changeset); }

// Bare keys enrolled through the API: lets a test sign any changeset it likes.
struct RawIdentity {
  RawIdentity(TestServer& s, const std::string& name)
      : user(crypto::SignKeyPair::generate()), box(crypto::BoxKeyPair::generate()), device(crypto::SignKeyPair::generate()) {
    json body = {{"code", s.code_for(name)},
                 {"user", wire::base64(user.public_key)},
                 {"box", wire::base64(box.public_key)},
                 {"card", wire::base64(card())},
                 {"device", wire::base64(device.public_key)},
                 {"cert", wire::base64(cert())}};
    REQUIRE(s.post("/v1/enroll", body).status == 200);
    auto c = s.post("/v1/login/challenge", {{"device", wire::base64(device.public_key)}});
    Bytes challenge = wire::unbase64(parsed(c)["challenge"].get<std::string>());
    auto r = s.post("/v1/login", {{"device", wire::base64(device.public_key)},
                                  {"challenge", wire::base64(challenge)},
                                  {"sig", wire::base64(crypto::sign_typed(device.secret_key, wire::kLoginSigType, challenge))}});
    REQUIRE(r.status == 200);
    token = parsed(r)["token"].get<std::string>();
  }
  Bytes card() const { return crypto::sign_typed(user.secret_key, sigtype::user_card, user_card_message(user.public_key, box.public_key)); }
  Bytes cert() const { return crypto::sign_typed(user.secret_key, sigtype::device_cert, device_cert_message(user.public_key, device.public_key)); }
  MemberEntry member(const std::string& role) const { return {user.public_key, role, box.public_key, card(), Bytes(80, 7)}; }

  // A body of this identity's next changeset in `space`; the payload is opaque to the server.
  ChangesetBody body(const Bytes& space, std::uint64_t seq, const Bytes& prev) const {
    ChangesetBody b;
    b.space = space;
    b.author = user.public_key;
    b.device = device.public_key;
    b.cert = cert();
    b.seq = seq;
    b.prev = prev;
    b.hlc = (1'700'000'000'000ULL << 16) + seq;
    b.payload = Bytes(40, 1);
    return b;
  }
  Changeset seal(ChangesetBody b) const { return Changeset::seal(std::move(b), device.secret_key); }
  // A genesis changeset founding a new space with this identity as its creator.
  Changeset genesis() const {
    Bytes nonce = crypto::random_bytes(16);
    ChangesetBody b = body(space_id_for(user.public_key, nonce), 1, {});
    b.genesis = nonce;
    b.members = {member("lead_reviewer")};
    return seal(b);
  }

  crypto::SignKeyPair user;
  crypto::BoxKeyPair box;
  crypto::SignKeyPair device;
  std::string token;
};

}  // namespace casekeep::test
