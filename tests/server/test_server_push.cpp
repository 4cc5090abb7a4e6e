// Push: acceptance, idempotent replays, and every refusal with the right code
// and a store left exactly as it was.
#include <filesystem>

#include "server_fixture.hpp"

using namespace casekeep;
using namespace casekeep::test;

namespace {

// The refused push's changeset, accepted list and a store unchanged by it.
void expect_refused(TestServer& s, const std::string& token, const std::vector<Bytes>& batch, int status,
                    const std::string& code, std::size_t accepted = 0) {
  std::string before = s.store.digest();
  auto r = push(s, token, batch);
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
  json j = parsed(r);
  CHECK(j["changeset"] == to_hex(id_of(batch[accepted])));
  CHECK(j["accepted"].size() == accepted);
  if (accepted == 0) CHECK(s.store.digest() == before);
}

CaseInput a_case(const std::string& title) {
  CaseInput c;
  c.kind = "scr";
  c.reference = "SCR-1";
  c.title = title;
  return c;
}

// A case made and renamed by `client`: two changesets or more in its outbox.
std::string renamed_case(Client& client) {
  std::string space = client.vault->create_case(a_case("Child A"));
  client.vault->set_field(space, "title", "Child A (renamed)");
  REQUIRE(client.outbox().size() >= 2);
  return space;
}

}  // namespace

TEST_CASE("a vault's changesets are accepted in order and replays are idempotent", "[server][push]") {
  TestServer s;
  Client alice(s, "alice");
  std::string space = renamed_case(alice);
  auto batch = alice.outbox();

  auto r = push(s, alice.token, batch);
  REQUIRE(r.status == 200);
  json accepted = parsed(r)["accepted"];
  REQUIRE(accepted.size() == batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    CHECK(accepted[i]["id"] == to_hex(id_of(batch[i])));
    CHECK(accepted[i]["seq"] == i + 1);
    CHECK(accepted[i]["replay"] == false);
  }

  std::string before = s.store.digest();
  auto again = push(s, alice.token, batch);
  REQUIRE(again.status == 200);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    CHECK(parsed(again)["accepted"][i]["seq"] == i + 1);
    CHECK(parsed(again)["accepted"][i]["replay"] == true);
  }
  CHECK(s.store.digest() == before);

  alice.vault->set_field(space, "title", "Child A (again)");
  auto next = push_ok(s, alice, {alice.outbox().back()});
  CHECK(next[0] == batch.size() + 1);
  CHECK(s.call("GET", "/metrics").body.find("casekeep_changesets_accepted_total " + std::to_string(batch.size() + 1)) !=
        std::string::npos);
}

TEST_CASE("gaps and forks in a device chain are refused", "[server][push][chain]") {
  TestServer s;
  Client alice(s, "alice");
  std::string space = alice.vault->create_case(a_case("Child A"));
  alice.vault->set_field(space, "title", "one");
  alice.vault->set_field(space, "title", "two");
  auto batch = alice.outbox();
  REQUIRE(batch.size() >= 3);

  SECTION("a gap") {
    expect_refused(s, alice.token, {batch[1]}, 409, "gap");
    // The ones before the refused one are kept.
    expect_refused(s, alice.token, {batch[0], batch[2]}, 409, "gap", 1);
    CHECK(push(s, alice.token, {batch[0]}).status == 200);
    CHECK(parsed(push(s, alice.token, {batch[0]}))["accepted"][0]["replay"] == true);
  }

  SECTION("a fork: another changeset at a taken seq, or one that does not follow the head") {
    push_ok(s, alice, batch);
    // A copy of the vault is the same device: it writes its own next changesets.
    // Closing the vault first checkpoints its WAL into the file being copied.
    alice.vault.reset();
    std::string copy = s.dir.file("alice-copy.db");
    std::filesystem::copy_file(s.dir.file("alice.db"), copy);
    auto reopen = [](const std::string& path) {
      auto v = Vault::open(path, fast_options());
      v->unlock("correct horse alice");
      return v;
    };
    alice.vault = reopen(s.dir.file("alice.db"));
    auto twin = reopen(copy);
    alice.vault->set_field(space, "title", "mine");
    twin->set_field(space, "title", "theirs");
    twin->set_field(space, "title", "theirs again");
    Bytes mine = alice.vault->outbox(1000).back();
    auto theirs = twin->outbox(1000);
    Bytes theirs1 = theirs[theirs.size() - 2], theirs2 = theirs.back();

    push_ok(s, alice, {mine});
    expect_refused(s, alice.token, {theirs1}, 409, "fork");  // same seq, another id
    expect_refused(s, alice.token, {theirs2}, 409, "fork");  // next seq, prev is not the head
  }
}

TEST_CASE("changesets that do not decode or verify are refused", "[server][push][verify]") {
  TestServer s;
  Client alice(s, "alice");
  alice.vault->create_case(a_case("Child A"));
  Bytes good = alice.outbox().front();

  SECTION("a flipped byte anywhere") {
    for (std::size_t at : {std::size_t(0), std::size_t(3), good.size() / 3, good.size() / 2, good.size() - 70, good.size() - 1}) {
      Bytes bad = good;
      bad[at] ^= 0x01;
      std::string before = s.store.digest();
      auto r = push(s, alice.token, {bad});
      INFO("byte " << at << ": " << r.body);
      CHECK(r.status == 400);
      CHECK((error_code(r) == "malformed" || error_code(r) == "bad_signature"));
      CHECK(parsed(r)["changeset"] == to_hex(id_of(bad)));
      CHECK(s.store.digest() == before);
    }
    expect_refused(s, alice.token, {Bytes(good.begin(), good.begin() + 40)}, 400, "malformed");  // truncated
  }

  SECTION("a forged device signature") {
    Changeset cs = Changeset::decode(good);
    Bytes forged = to_cbor(json{{"body", bin(cs.body_bytes())}, {"sig", bin(crypto::random_bytes(64))}});
    expect_refused(s, alice.token, {forged}, 400, "bad_signature");
  }

  SECTION("a device certificate the author did not sign") {
    RawIdentity mallory(s, "mallory");
    ChangesetBody b = mallory.genesis().body();
    b.cert = crypto::sign_typed(crypto::SignKeyPair::generate().secret_key, sigtype::device_cert,
                                device_cert_message(b.author, b.device));
    expect_refused(s, mallory.token, {mallory.seal(b).bytes()}, 400, "bad_signature");
  }
}

TEST_CASE("only the device's own changesets by members who may write are accepted", "[server][push][membership]") {
  TestServer s;
  Client alice(s, "alice");
  Client bob(s, "bob", "note_taker");
  std::string space = alice.vault->create_case(a_case("Child A"));
  auto genesis = alice.outbox();

  SECTION("another device's changeset") {
    expect_refused(s, bob.token, genesis, 403, "forbidden");
    push_ok(s, alice, genesis);
    // Even an accepted one: a replay is acknowledged to its own device only.
    expect_refused(s, bob.token, genesis, 403, "forbidden");
  }

  SECTION("an author who is not a member, or only an observer") {
    push_ok(s, alice, genesis);
    alice.vault->add_member(space, bob.vault->user_card(), "observer", "Bob");
    Bytes as_observer = alice.outbox().back();
    alice.vault->add_member(space, bob.vault->user_card(), "note_taker", "Bob");
    Bytes as_writer = alice.outbox().back();
    sync_into(*bob.vault, *alice.vault);
    bob.vault->set_field(space, "title", "Bob's title");
    auto bobs = bob.outbox();
    REQUIRE(bobs.size() == 1);

    expect_refused(s, bob.token, bobs, 403, "forbidden");  // not a member yet
    push_ok(s, alice, {as_observer});
    expect_refused(s, bob.token, bobs, 403, "forbidden");  // an observer may not write
    push_ok(s, alice, {as_writer});
    push_ok(s, bob, bobs);
  }

  SECTION("membership changes need a manager, valid cards and the right generation") {
    RawIdentity carol(s, "carol");
    Changeset g = carol.genesis();
    push(s, carol.token, {g.bytes()});
    RawIdentity dave(s, "dave");
    Bytes space_id = g.body().space;

    ChangesetBody add = carol.body(space_id, 2, g.id());
    add.members = {dave.member("note_taker")};
    ChangesetBody bad_card = add;
    bad_card.members[0].card_sig[0] ^= 1;
    expect_refused(s, carol.token, {carol.seal(bad_card).bytes()}, 400, "bad_signature");
    ChangesetBody too_new = carol.body(space_id, 2, g.id());
    too_new.generation = 2;
    expect_refused(s, carol.token, {carol.seal(too_new).bytes()}, 403, "forbidden");
    ChangesetBody skip = add;
    skip.generation = 3;
    expect_refused(s, carol.token, {carol.seal(skip).bytes()}, 403, "forbidden");
    Changeset added = carol.seal(add);
    REQUIRE(push(s, carol.token, {added.bytes()}).status == 200);

    // Dave may write but not add members.
    ChangesetBody dave_adds = dave.body(space_id, 1, {});
    dave_adds.members = {RawIdentity(s, "erin").member("observer")};
    expect_refused(s, dave.token, {dave.seal(dave_adds).bytes()}, 403, "forbidden");
    CHECK(push(s, dave.token, {dave.seal(dave.body(space_id, 1, {})).bytes()}).status == 200);
  }

  SECTION("a genesis must be its founder's, and other changesets need a known space") {
    RawIdentity carol(s, "carol");
    ChangesetBody fake = carol.genesis().body();
    fake.space = crypto::random_bytes(16);
    expect_refused(s, carol.token, {carol.seal(fake).bytes()}, 403, "forbidden");
    ChangesetBody no_author = carol.genesis().body();
    no_author.members = {RawIdentity(s, "dave").member("lead_reviewer")};
    expect_refused(s, carol.token, {carol.seal(no_author).bytes()}, 403, "forbidden");
    expect_refused(s, carol.token, {carol.seal(carol.body(crypto::random_bytes(16), 1, {})).bytes()}, 404, "not_found");
  }
}

TEST_CASE("a store failure answers 500 and acknowledges nothing", "[server][push][internal]") {
  TestServer s;
  Client alice(s, "alice");
  std::string space = alice.vault->create_case(a_case("Child A"));
  alice.vault->set_field(space, "title", "renamed");
  auto batch = alice.outbox();
  push_ok(s, alice, {batch[0]});
  // Break the store under the service: the chain head's update fails after
  // the log row was written in the same transaction.
  server::Database other((s.dir.path() / "data" / "server.db").string());
  other.exec("CREATE TRIGGER broken BEFORE INSERT ON chains BEGIN SELECT RAISE(ABORT, 'broken'); END");
  auto r = push(s, alice.token, {batch[1]});
  CHECK(r.status == 500);
  CHECK(error_code(r) == "internal");
  CHECK(parsed(r)["accepted"].empty());
  auto q = other.prepare("SELECT COUNT(*) FROM log");
  REQUIRE(q.step());
  CHECK(q.column_int(0) == 1);
  CHECK(s.call("GET", "/metrics").body.find("casekeep_changesets_refused_total{code=\"internal\"} 1") != std::string::npos);
}

TEST_CASE("a push refused part-way has committed the changesets before the refusal", "[server][push][durable]") {
  // One transaction per push: what is acknowledged must be committed (seen by
  // another connection) before the reply, also when a later changeset is refused.
  TestServer s;
  Client alice(s, "alice");
  std::string space = alice.vault->create_case(a_case("Child A"));
  alice.vault->set_field(space, "title", "renamed");
  alice.vault->set_field(space, "title", "renamed again");
  auto batch = alice.outbox();
  REQUIRE(batch.size() == 3);
  batch[2][batch[2].size() / 2] ^= 0x01;
  auto r = push(s, alice.token, batch);
  CHECK(r.status == 400);
  CHECK(parsed(r)["accepted"].size() == 2);
  server::Database other((s.dir.path() / "data" / "server.db").string());
  auto q = other.prepare("SELECT COUNT(*) FROM log");
  REQUIRE(q.step());
  CHECK(q.column_int(0) == 2);
  CHECK(s.call("GET", "/metrics").body.find("casekeep_changesets_accepted_total 2") != std::string::npos);
}

TEST_CASE("a push of many chunks is taken in order, and refused at a bad changeset in a later chunk", "[server][push][chunks]") {
  // Past the first 256, a push is decoded a chunk ahead of its appends, on
  // another thread: the answers must be those of one changeset after another.
  TestServer s;
  Client alice(s, "alice");
  std::string space = alice.vault->create_case(a_case("Child A"));
  alice.vault->write_batch([&] {
    for (int k = 0; k < 900; ++k) alice.vault->set_field(space, "title", "title " + std::to_string(k));
  });
  auto batch = alice.outbox();
  REQUIRE(batch.size() == 901);

  SECTION("a bad one in the third chunk: the 600 before it are accepted, nothing after") {
    auto bad = batch;
    bad[600][bad[600].size() / 2] ^= 0x01;
    auto r = push(s, alice.token, bad);
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK((error_code(r) == "malformed" || error_code(r) == "bad_signature"));
    CHECK(parsed(r)["changeset"] == to_hex(id_of(bad[600])));
    CHECK(parsed(r)["accepted"].size() == 600);
    server::Database other((s.dir.path() / "data" / "server.db").string());
    auto q = other.prepare("SELECT COUNT(*) FROM log");
    REQUIRE(q.step());
    CHECK(q.column_int(0) == 600);
  }
  SECTION("all of them, in order") {
    auto r = push(s, alice.token, batch);
    REQUIRE(r.status == 200);
    json accepted = parsed(r)["accepted"];
    REQUIRE(accepted.size() == batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) CHECK(accepted[i]["id"] == to_hex(id_of(batch[i])));
  }
}

TEST_CASE("pushes and pulls travel as frames, and a bad frame is refused whole", "[server][push][frames]") {
  TestServer s;
  Client alice(s, "alice");
  std::string space = renamed_case(alice);
  auto batch = alice.outbox();
  auto frames_push = [&](std::string body) {
    wire::Request request{"POST", "/v1/push", std::move(body), alice.token};
    request.content_type = wire::kFramesType;
    return s.service.handle(request);
  };

  std::string body = wire::frames(batch);
  std::string before = s.store.digest();
  for (const std::string& bad : {body.substr(0, body.size() - 1), body.substr(0, 2), std::string("\xff\xff\xff\xff", 4),
                                 std::string()}) {
    auto r = frames_push(bad);
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "bad_request");
    CHECK(s.store.digest() == before);
  }

  auto r = frames_push(body);
  REQUIRE(r.status == 200);
  REQUIRE(parsed(r)["accepted"].size() == batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) CHECK(parsed(r)["accepted"][i]["id"] == to_hex(id_of(batch[i])));

  // A pull that accepts frames gets the page's JSON, then the changesets.
  wire::Request pull{"POST", "/v1/pull", json{{"cursors", json::object()}}.dump(), alice.token};
  pull.accept = wire::kFramesType;
  auto page = s.service.handle(pull);
  REQUIRE(page.status == 200);
  REQUIRE(wire::is_frames_type(page.content_type));
  std::vector<Bytes> items = wire::unframe(page.body);
  REQUIRE(items.size() == batch.size() + 1);
  json header = json::parse(std::string(items[0].begin(), items[0].end()));
  CHECK(header["more"] == false);
  CHECK(header["cursors"][space] == batch.size());
  CHECK(!header.contains("changesets"));
  for (std::size_t i = 0; i < batch.size(); ++i) CHECK(items[i + 1] == batch[i]);
  // Without the Accept header, the same page is JSON.
  pull.accept.clear();
  CHECK(parsed(s.service.handle(pull))["changesets"].size() == batch.size());
}
