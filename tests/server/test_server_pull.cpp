// Pull (only the caller's spaces, in pages, with cursors) and conflicts
// computed by the server from clear metadata alone.
#include <set>

#include "server_fixture.hpp"

using namespace casekeep;
using namespace casekeep::test;

namespace {

CaseInput a_case(const std::string& title) {
  CaseInput c;
  c.kind = "scr";
  c.reference = "SCR-" + title;
  c.title = title;
  return c;
}

json pull(TestServer& s, const Client& c, const json& body) {
  auto r = s.post("/v1/pull", body, c.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return parsed(r);
}

}  // namespace

TEST_CASE("pull serves only the caller's spaces, in pages with cursors", "[server][pull]") {
  TestServer s;
  Client alice(s, "alice");
  Client bob(s, "bob", "note_taker");
  Client carol(s, "carol");
  std::string one = alice.vault->create_case(a_case("one"));
  std::string two = alice.vault->create_case(a_case("two"));
  for (int i = 0; i < 3; ++i) {
    alice.vault->set_field(one, "title", "one v" + std::to_string(i));
    alice.vault->set_field(two, "title", "two v" + std::to_string(i));
  }
  alice.vault->add_member(one, bob.vault->user_card(), "note_taker", "Bob");
  auto all = alice.outbox();
  push_ok(s, alice, all);

  SECTION("a non-member gets nothing of a space, and may not name it") {
    json page = pull(s, carol, json::object());
    CHECK(page["changesets"].empty());
    CHECK(page["cursors"].empty());
    CHECK(page["more"] == false);
    auto r = s.post("/v1/pull", {{"cursors", {{one, 0}}}}, carol.token);
    CHECK(r.status == 403);
    CHECK(error_code(r) == "forbidden");
    CHECK(s.post("/v1/pull", {{"cursors", {{std::string(32, 'f'), 0}}}}, carol.token).status == 403);
  }

  SECTION("a member gets exactly the changesets of its spaces") {
    json page = pull(s, bob, {{"cursors", json::object()}, {"limit", 1000}});
    std::set<std::string> got;
    for (const auto& c : page["changesets"]) got.insert(to_hex(id_of(wire::unbase64(c.get<std::string>()))));
    std::set<std::string> want;
    for (const Bytes& c : all)
      if (to_hex(Changeset::decode(c).body().space) == one) want.insert(to_hex(id_of(c)));
    CHECK(got == want);
    CHECK(page["cursors"].size() == 1);
    CHECK(page["more"] == false);
    // Bob can import what he pulled: it is everything his vault needs.
    std::vector<Bytes> bytes;
    for (const auto& c : page["changesets"]) bytes.push_back(wire::unbase64(c.get<std::string>()));
    CHECK(bob.vault->import_changesets(bytes).pending == 0);
    CHECK(bob.vault->get(one).fields["title"] == "one v2");
  }

  SECTION("pages follow the server seq and cursors resume exactly") {
    json cursors = json::object();
    std::vector<Bytes> received;
    int pages = 0;
    bool more = true;
    while (more) {
      json page = pull(s, alice, {{"cursors", cursors}, {"limit", 2}});
      CHECK(page["changesets"].size() <= 2);
      for (const auto& c : page["changesets"]) received.push_back(wire::unbase64(c.get<std::string>()));
      CHECK(page["cursors"].size() == 2);  // every member space, changed or not
      cursors = page["cursors"];
      more = page["more"];
      ++pages;
      REQUIRE(pages < 20);
    }
    CHECK(received == all);  // one device pushed them all: server seq order is push order
    CHECK(pages == static_cast<int>((all.size() + 1) / 2));
    CHECK(cursors[one].get<std::uint64_t>() + cursors[two].get<std::uint64_t>() > 0);

    json empty = pull(s, alice, {{"cursors", cursors}});
    CHECK(empty["changesets"].empty());
    CHECK(empty["cursors"] == cursors);
    CHECK(empty["more"] == false);

    alice.vault->set_field(two, "title", "two later");
    push_ok(s, alice, {alice.outbox().back()});
    json later = pull(s, alice, {{"cursors", cursors}});
    REQUIRE(later["changesets"].size() == 1);
    CHECK(later["cursors"][one] == cursors[one]);
    CHECK(later["cursors"][two].get<std::uint64_t>() == all.size() + 1);
  }

  SECTION("a space not named starts at zero") {
    json page = pull(s, alice, {{"cursors", {{one, 1000}}}, {"limit", 1000}});
    for (const auto& c : page["changesets"])
      CHECK(to_hex(Changeset::decode(wire::unbase64(c.get<std::string>())).body().space) == two);
    CHECK(page["cursors"][one] == 1000);
  }
}

TEST_CASE("a device is not sent back the changesets it says it holds", "[server][pull]") {
  TestServer s;
  Client alice(s, "alice");
  Client bob(s, "bob");
  std::string one = alice.vault->create_case(a_case("held"));
  for (int i = 0; i < 4; ++i) alice.vault->set_field(one, "title", "v" + std::to_string(i));
  alice.vault->add_member(one, bob.vault->user_card(), "lead_reviewer", "Bob");
  push_ok(s, alice, alice.outbox());
  bob.vault->import_changesets(alice.vault->export_changesets());
  bob.vault->set_field(one, "title", "bob's");
  const Bytes bobs = bob.outbox().back();
  push_ok(s, bob, {bobs});
  const std::size_t alices = alice.vault->export_changesets().size();  // 6: create, 4 titles, member
  const std::uint64_t last = alices + 1;                                 // server seq of bob's one

  auto ids = [](const json& page) {
    std::vector<std::string> out;
    for (const auto& c : page["changesets"]) out.push_back(to_hex(id_of(wire::unbase64(c.get<std::string>()))));
    return out;
  };
  SECTION("all of its own held: only the others', and the cursor past everything") {
    json page = pull(s, alice, {{"held", {{one, alices}}}});
    CHECK(ids(page) == std::vector<std::string>{to_hex(id_of(bobs))});
    CHECK(page["cursors"][one] == last);
    CHECK(page["more"] == false);
  }
  SECTION("part of its own held (a restored copy): the rest is sent") {
    json page = pull(s, alice, {{"held", {{one, 2}}}});
    CHECK(ids(page).size() == alices - 2 + 1);
    CHECK(page["cursors"][one] == last);
  }
  SECTION("skipped changesets do not fill the page: one page steps past all of them") {
    json page = pull(s, alice, {{"held", {{one, alices}}}, {"limit", 1}});
    CHECK(ids(page) == std::vector<std::string>{to_hex(id_of(bobs))});
    CHECK(page["cursors"][one] == last);
    CHECK(page["more"] == false);
  }
  SECTION("a page cut by its limit steps only to the last changeset it sends") {
    json page = pull(s, alice, {{"held", {{one, 2}}}, {"limit", 1}});
    REQUIRE(page["changesets"].size() == 1);
    CHECK(page["cursors"][one] == 3);  // skipped 1 and 2, sent 3
    CHECK(page["more"] == true);
  }
  SECTION("another device's held seqs do not hide anything from it") {
    json page = pull(s, bob, {{"held", {{one, 1000}}}});
    CHECK(ids(page).size() == alices);  // bob's own one skipped, all of alice's sent
  }
  SECTION("a malformed 'held' is refused") {
    CHECK(s.post("/v1/pull", {{"held", json::array()}}, alice.token).status == 400);
    CHECK(s.post("/v1/pull", {{"held", {{"xyz", 1}}}}, alice.token).status == 400);
    CHECK(s.post("/v1/pull", {{"held", {{one, -1}}}}, alice.token).status == 400);
  }
}

TEST_CASE("a page looks at most its span past the cursor, so stepping over stays bounded", "[server][pull]") {
  server::Limits limits = no_rate_limit();
  limits.pull_span = 2;
  TestServer s(limits);
  Client alice(s, "alice");
  std::string one = alice.vault->create_case(a_case("span"));
  for (int i = 0; i < 4; ++i) alice.vault->set_field(one, "title", "v" + std::to_string(i));
  push_ok(s, alice, alice.outbox());  // server seqs 1-5, all alice's
  json cursors = json::object();
  std::vector<std::uint64_t> steps;
  bool more = true;
  while (more) {
    json page = pull(s, alice, {{"cursors", cursors}, {"held", {{one, 5}}}, {"limit", 1}});  // a span of max(2, limit + 1)
    CHECK(page["changesets"].empty());
    cursors = page["cursors"];
    more = page["more"];
    steps.push_back(cursors[one].get<std::uint64_t>());
    REQUIRE(steps.size() < 10);
  }
  CHECK(steps == std::vector<std::uint64_t>{2, 4, 5});
}

TEST_CASE("a page's span is shared among the caller's spaces", "[server][pull]") {
  server::Limits limits = no_rate_limit();
  limits.pull_span = 4;  // two spaces, limit 1: max(2, 4 / 2) = 2 seqs each
  TestServer s(limits);
  Client alice(s, "alice");
  std::string one = alice.vault->create_case(a_case("one"));
  for (int i = 0; i < 2; ++i) alice.vault->set_field(one, "title", "one v" + std::to_string(i));
  std::string two = alice.vault->create_case(a_case("two"));
  for (int i = 0; i < 2; ++i) alice.vault->set_field(two, "title", "two v" + std::to_string(i));
  push_ok(s, alice, alice.outbox());  // server seqs 1-3 in one, 4-6 in two
  json cursors = json::object();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> steps;
  bool more = true;
  while (more) {
    json page = pull(s, alice, {{"cursors", cursors}, {"held", {{one, 3}, {two, 3}}}, {"limit", 1}});
    CHECK(page["changesets"].empty());
    cursors = page["cursors"];
    more = page["more"];
    steps.emplace_back(cursors[one].get<std::uint64_t>(), cursors[two].get<std::uint64_t>());
    REQUIRE(steps.size() < 10);
  }
  CHECK(steps == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{2, 2}, {3, 4}, {3, 6}});
}

TEST_CASE("a page is cut to the byte budget but never empty", "[server][pull]") {
  server::Limits limits = no_rate_limit();
  limits.max_pull_bytes = 1;  // every changeset is bigger: one per page
  TestServer s(limits);
  Client alice(s, "alice");
  alice.vault->create_case(a_case("one"));
  alice.vault->create_case(a_case("two"));
  auto all = alice.outbox();
  push_ok(s, alice, all);
  json page = pull(s, alice, json::object());
  CHECK(page["changesets"].size() == 1);
  CHECK(page["more"] == true);
}

TEST_CASE("the server lists conflicts from metadata alone", "[server][conflicts]") {
  TestServer s;
  Client alice(s, "alice");
  Client bob(s, "bob", "note_taker");
  Client carol(s, "carol");
  std::string space = alice.vault->create_case(a_case("one"));
  alice.vault->add_member(space, bob.vault->user_card(), "note_taker", "Bob");
  push_ok(s, alice, alice.outbox());
  alice.vault->acknowledge([&] {
    std::vector<Bytes> ids;
    for (const Bytes& c : alice.outbox()) ids.push_back(id_of(c));
    return ids;
  }());
  sync_into(*bob.vault, *alice.vault);
  auto conflicts = [&](const Client& c) { return s.call("GET", "/v1/spaces/" + space + "/conflicts", "", c.token); };
  REQUIRE(conflicts(alice).status == 200);
  CHECK(parsed(conflicts(alice))["conflicts"].empty());

  // Both edit the title without seeing each other's edit.
  alice.vault->set_field(space, "title", "Alice's title");
  bob.vault->set_field(space, "title", "Bob's title");
  push_ok(s, alice, alice.outbox());
  push_ok(s, bob, bob.outbox());

  json listed = parsed(conflicts(bob))["conflicts"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["record"] == space);
  CHECK(listed[0]["field_tag"].get<std::string>().size() == 32);
  // The same heads the vaults compute from the decrypted ops.
  sync_into(*alice.vault, *bob.vault);
  auto local = alice.vault->conflicts(space);
  REQUIRE(local.size() == 1);
  std::set<std::string> local_heads, server_heads;
  for (const Head& h : local[0].heads) local_heads.insert(h.op);
  for (const auto& h : listed[0]["heads"]) server_heads.insert(h.get<std::string>());
  CHECK(server_heads == local_heads);
  // Registers that start over from the log (a store from before they followed
  // it lazily) re-apply every set op and end the same.
  {
    server::Database other((s.dir.path() / "data" / "server.db").string());
    other.exec("DELETE FROM register_progress");
  }
  CHECK(parsed(conflicts(bob))["conflicts"] == listed);

  // A resolution names both heads as parents: the conflict closes.
  alice.vault->resolve(space, "title", "Agreed title");
  push_ok(s, alice, {alice.outbox().back()});
  CHECK(parsed(conflicts(bob))["conflicts"].empty());

  CHECK(conflicts(carol).status == 403);
  CHECK(s.call("GET", "/v1/spaces/" + std::string(32, '0') + "/conflicts", "", carol.token).status == 404);
  CHECK(s.call("GET", "/v1/spaces/nothex/conflicts", "", carol.token).status == 404);
}

TEST_CASE("a removed member gets nothing new and may not write", "[server][pull][rotation]") {
  TestServer s;
  Client alice(s, "alice");
  Client bob(s, "bob", "note_taker");
  std::string space = alice.vault->create_case(a_case("one"));
  alice.vault->add_member(space, bob.vault->user_card(), "note_taker", "Bob");
  push_ok(s, alice, alice.outbox());
  json first = pull(s, bob, json::object());
  REQUIRE(first["cursors"].contains(space));
  std::vector<Bytes> got;
  for (const auto& c : first["changesets"]) got.push_back(wire::unbase64(c.get<std::string>()));
  bob.vault->import_changesets(got);
  bob.vault->set_field(space, "title", "Bob, before he knew");

  std::size_t before = alice.outbox().size();
  alice.vault->remove_member(space, bob.vault->user_id(), "left the team");
  alice.vault->set_field(space, "title", "After Bob left");
  auto rest = alice.outbox();
  push_ok(s, alice, std::vector<Bytes>(rest.begin() + static_cast<std::ptrdiff_t>(before), rest.end()));

  // His cursor for the space is dropped, not refused, and nothing new arrives.
  json after = pull(s, bob, {{"cursors", first["cursors"]}});
  CHECK(after["changesets"].empty());
  CHECK(!after["cursors"].contains(space));
  CHECK(s.call("GET", "/v1/spaces/" + space + "/conflicts", "", bob.token).status == 403);
  auto r = push(s, bob.token, bob.outbox());
  CHECK(r.status == 403);
  CHECK(error_code(r) == "forbidden");
}

TEST_CASE("a second rotation racing the first is a stale generation", "[server][push][rotation]") {
  TestServer s;
  Client alice(s, "alice");
  Client bob(s, "bob");
  Client carol(s, "carol", "note_taker");
  std::string space = alice.vault->create_case(a_case("one"));
  alice.vault->add_member(space, bob.vault->user_card(), "lead_reviewer", "Bob");
  alice.vault->add_member(space, carol.vault->user_card(), "note_taker", "Carol");
  push_ok(s, alice, alice.outbox());
  sync_into(*bob.vault, *alice.vault);
  std::size_t before = alice.outbox().size();

  // Both managers remove Carol without seeing each other's removal.
  alice.vault->remove_member(space, carol.vault->user_id(), "moved on");
  bob.vault->remove_member(space, carol.vault->user_id(), "moved on");
  push_ok(s, alice, {alice.outbox().at(before)});
  std::string digest = s.store.digest();
  auto r = push(s, bob.token, bob.outbox());
  CHECK(r.status == 409);
  CHECK(error_code(r) == "stale_generation");
  CHECK(s.store.digest() == digest);
}
