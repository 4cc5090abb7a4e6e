// Enrolment, login, tokens, the directory, the rate limit and strict bodies.
#include "server_fixture.hpp"

using namespace casekeep;
using namespace casekeep::test;

TEST_CASE("enrolment binds a user key and device once per code", "[server][enrol]") {
  TestServer s;
  auto alice = new_vault(s.dir, "alice");
  std::string code = s.code_for("Alice Smith", "lead_reviewer");

  SECTION("a good card and certificate enrol the device") {
    auto r = s.post("/v1/enroll", enroll_body(*alice, code));
    REQUIRE(r.status == 200);
    CHECK(parsed(r)["user"] == alice->user_id());
    CHECK(parsed(r)["name"] == "Alice Smith");
    CHECK(server::user_list_text(s.store).find(alice->user_id()) != std::string::npos);

    // The code is consumed: using it again is refused and writes nothing.
    std::string before = s.store.digest();
    auto again = s.post("/v1/enroll", enroll_body(*alice, code));
    CHECK(again.status == 404);
    CHECK(error_code(again) == "not_found");
    CHECK(s.store.digest() == before);
  }

  SECTION("a card that does not verify is refused and the code stays usable") {
    json body = enroll_body(*alice, code);
    Bytes card = from_hex(alice->user_card().sig);
    card[5] ^= 1;
    body["card"] = wire::base64(card);
    std::string before = s.store.digest();
    auto r = s.post("/v1/enroll", body);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "bad_signature");
    CHECK(s.store.digest() == before);
    CHECK(s.post("/v1/enroll", enroll_body(*alice, code)).status == 200);
  }

  SECTION("a certificate of another device is refused") {
    auto other = new_vault(s.dir, "other");
    json body = enroll_body(*alice, code);
    body["cert"] = b64hex(other->device_certificate());
    auto r = s.post("/v1/enroll", body);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "bad_signature");
  }

  SECTION("an unknown code is not found") {
    auto r = s.post("/v1/enroll", enroll_body(*alice, "00112233445566778899aabbccddeeff"));
    CHECK(r.status == 404);
    CHECK(error_code(r) == "not_found");
  }

  SECTION("a later code for the same name needs the same user key") {
    REQUIRE(s.post("/v1/enroll", enroll_body(*alice, code)).status == 200);
    auto mallory = new_vault(s.dir, "mallory");
    auto r = s.post("/v1/enroll", enroll_body(*mallory, s.code_for("Alice Smith")));
    CHECK(r.status == 403);
    CHECK(error_code(r) == "forbidden");
    // The same identity on a second device (a copy of the vault) may enrol again.
    CHECK(s.post("/v1/enroll", enroll_body(*alice, s.code_for("Alice Smith"))).status == 200);
  }

  SECTION("a user key enrolled under one name cannot take another") {
    REQUIRE(s.post("/v1/enroll", enroll_body(*alice, code)).status == 200);
    auto r = s.post("/v1/enroll", enroll_body(*alice, s.code_for("Bob")));
    CHECK(r.status == 403);
  }
}

TEST_CASE("login answers a signed challenge with a short-lived token", "[server][login]") {
  TestServer s;
  Client alice(s, "alice");
  Bytes device = from_hex(alice.vault->device_id());
  auto challenge = [&] {
    auto c = s.post("/v1/login/challenge", {{"device", wire::base64(device)}});
    REQUIRE(c.status == 200);
    CHECK(parsed(c)["expires_in"] == 60);
    return wire::unbase64(parsed(c)["challenge"].get<std::string>());
  };
  auto login_with = [&](const Bytes& ch, const Bytes& sig) {
    return s.post("/v1/login", {{"device", wire::base64(device)}, {"challenge", wire::base64(ch)}, {"sig", wire::base64(sig)}});
  };

  SECTION("a good signature gets a token that works until it expires") {
    Bytes ch = challenge();
    auto r = login_with(ch, alice.vault->sign_with_device(wire::kLoginSigType, ch));
    REQUIRE(r.status == 200);
    CHECK(parsed(r)["expires_in"] == 900);
    std::string token = parsed(r)["token"];
    CHECK(s.post("/v1/pull", json::object(), token).status == 200);
    s.clock.advance(899'000);
    CHECK(s.post("/v1/pull", json::object(), token).status == 200);
    s.clock.advance(2'000);
    auto late = s.post("/v1/pull", json::object(), token);
    CHECK(late.status == 401);
    CHECK(error_code(late) == "unauthorized");
  }

  SECTION("a wrong signature is refused and writes nothing") {
    Bytes ch = challenge();
    Bytes other = crypto::random_bytes(32);
    std::string before = s.store.digest();
    auto r = login_with(ch, alice.vault->sign_with_device(wire::kLoginSigType, other));
    CHECK(r.status == 401);
    CHECK(s.store.digest() == before);
    // A signature of another type over the right challenge is refused too.
    CHECK(login_with(ch, alice.vault->sign_with_device("casekeep/other/v1", ch)).status == 401);
  }

  SECTION("a challenge is used at most once") {
    Bytes ch = challenge();
    Bytes sig = alice.vault->sign_with_device(wire::kLoginSigType, ch);
    CHECK(login_with(ch, sig).status == 200);
    auto replay = login_with(ch, sig);
    CHECK(replay.status == 401);
    CHECK(error_code(replay) == "unauthorized");
  }

  SECTION("a challenge expires after 60 seconds") {
    Bytes ch = challenge();
    s.clock.advance(61'000);
    CHECK(login_with(ch, alice.vault->sign_with_device(wire::kLoginSigType, ch)).status == 401);
  }

  SECTION("no token, an unknown token") {
    CHECK(error_code(s.post("/v1/pull", json::object())) == "unauthorized");
    CHECK(s.post("/v1/pull", json::object(), "not-a-token").status == 401);
  }

  SECTION("an unknown device gets no challenge") {
    auto r = s.post("/v1/login/challenge", {{"device", wire::base64(crypto::random_bytes(32))}});
    CHECK(r.status == 404);
  }

  SECTION("a revoked device gets no challenge and its token stops working") {
    CHECK(server::revoke_device(s.store, alice.vault->device_id()).find("alice") != std::string::npos);
    CHECK(s.post("/v1/login/challenge", {{"device", wire::base64(device)}}).status == 403);
    auto r = s.post("/v1/pull", json::object(), alice.token);
    CHECK((r.status == 401 || r.status == 403));
    CHECK(server::user_list_text(s.store).find("revoked") != std::string::npos);
  }
}

TEST_CASE("the directory gives a user's card by name or by id", "[server][directory]") {
  TestServer s;
  Client alice(s, "Alice Smith");
  Client bob(s, "bob");
  UserCard card = alice.vault->user_card();

  auto by_name = s.call("GET", "/v1/users?name=Alice%20Smith", "", bob.token);
  REQUIRE(by_name.status == 200);
  CHECK(parsed(by_name) == json{{"user", card.user}, {"name", "Alice Smith"}, {"box_key", card.box_key}, {"sig", card.sig}});
  auto by_id = s.call("GET", "/v1/users/" + card.user, "", bob.token);
  REQUIRE(by_id.status == 200);
  CHECK(parsed(by_id) == parsed(by_name));

  CHECK(s.call("GET", "/v1/users?name=nobody", "", bob.token).status == 404);
  s.code_for("Carol");  // in the directory but not enrolled yet
  CHECK(s.call("GET", "/v1/users?name=Carol", "", bob.token).status == 404);
  CHECK(s.call("GET", "/v1/users/" + std::string(64, '0'), "", bob.token).status == 404);
  CHECK(s.call("GET", "/v1/users/xyz", "", bob.token).status == 404);
  CHECK(s.call("GET", "/v1/users?nom=bob", "", bob.token).status == 400);
  CHECK(s.call("GET", "/v1/users?name=bob").status == 401);
}

TEST_CASE("each device has a token bucket", "[server][rate]") {
  server::Limits limits;
  limits.rate_per_second = 2;
  limits.rate_burst = 3;
  TestServer s(limits);
  Client alice(s, "alice");  // its challenge and login took two tokens
  CHECK(s.post("/v1/pull", json::object(), alice.token).status == 200);
  auto r = s.post("/v1/pull", json::object(), alice.token);
  CHECK(r.status == 429);
  CHECK(error_code(r) == "rate_limited");
  s.clock.advance(1'000);
  CHECK(s.post("/v1/pull", json::object(), alice.token).status == 200);
  // Another device has its own bucket.
  Client bob(s, "bob");
  CHECK(s.post("/v1/pull", json::object(), bob.token).status == 200);
}

TEST_CASE("bodies are checked strictly", "[server][bad_request]") {
  TestServer s;
  Client alice(s, "alice");
  auto expect_400 = [&](const std::string& path, const std::string& body, const std::string& token = "") {
    auto r = s.call("POST", path, body, token);
    INFO(path << " " << body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "bad_request");
    CHECK(!parsed(r)["error"]["message"].get<std::string>().empty());
  };
  std::string before = s.store.digest();
  std::string device = b64hex(alice.vault->device_id());
  expect_400("/v1/login/challenge", "{not json");
  expect_400("/v1/login/challenge", "[1, 2]");
  expect_400("/v1/login/challenge", "");
  expect_400("/v1/login/challenge", json{{"device", device}, {"extra", 1}}.dump());
  expect_400("/v1/login/challenge", json{{"device", 12}}.dump());
  expect_400("/v1/login/challenge", json{{"device", "***"}}.dump());
  expect_400("/v1/login/challenge", json{{"device", wire::base64(Bytes(31, 1))}}.dump());
  expect_400("/v1/login", json{{"device", device}}.dump());
  expect_400("/v1/enroll", json{{"code", 5}}.dump());
  expect_400("/v1/push", "{\"changesets\": \"AA==\"}", alice.token);
  expect_400("/v1/push", "{\"changesets\": []}", alice.token);
  expect_400("/v1/push", "{\"changesets\": [1]}", alice.token);
  expect_400("/v1/push", "{\"changesets\": [\"not base64!\"]}", alice.token);
  expect_400("/v1/push", "{\"changeset\": [\"AA==\"]}", alice.token);
  expect_400("/v1/pull", "{\"limit\": 0}", alice.token);
  expect_400("/v1/pull", "{\"limit\": 1001}", alice.token);
  expect_400("/v1/pull", "{\"limit\": \"5\"}", alice.token);
  expect_400("/v1/pull", "{\"limit\": 2.5}", alice.token);
  expect_400("/v1/pull", "{\"limit\": -1}", alice.token);
  expect_400("/v1/pull", "{\"cursors\": []}", alice.token);
  expect_400("/v1/pull", "{\"cursors\": {\"00\": 1}}", alice.token);
  expect_400("/v1/pull", "{\"cursors\": {\"" + std::string(32, 'A') + "\": 1}}", alice.token);
  expect_400("/v1/pull", "{\"cursors\": {\"" + std::string(32, 'a') + "\": -3}}", alice.token);
  expect_400("/v1/pull", std::string(100, '[') + std::string(100, ']'), alice.token);
  CHECK(s.store.digest() == before);

  json too_many = {{"changesets", json::array()}};
  for (std::size_t i = 0; i <= wire::kMaxPushBatch; ++i) too_many["changesets"].push_back("AA==");
  auto r = s.post("/v1/push", too_many, alice.token);
  CHECK(r.status == 413);
  CHECK(error_code(r) == "too_large");
  auto big = s.call("POST", "/v1/push", std::string(wire::kMaxBodyBytes + 1, ' '), alice.token);
  CHECK(big.status == 413);

  CHECK(s.call("GET", "/v1/nothing").status == 404);
  CHECK(s.call("GET", "/v1/push", "", alice.token).status == 404);
  CHECK(s.call("DELETE", "/v1/pull", "", alice.token).status == 404);
  auto health = s.call("GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(parsed(health) == json{{"status", "ok"}});
  auto metrics = s.call("GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type.rfind("text/plain", 0) == 0);
  CHECK(metrics.body.find("casekeep_requests_total{route=\"/v1/pull\",status=\"400\"} 10") != std::string::npos);
  CHECK(metrics.body.find("casekeep_request_seconds_count") != std::string::npos);
}
