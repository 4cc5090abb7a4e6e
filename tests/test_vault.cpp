// Vault lifecycle: passphrases, locking, identity.
#include <catch2/catch.hpp>

#include <set>

#include "casekeep/error.hpp"
#include "support.hpp"

using namespace casekeep;
using namespace casekeep::test;

TEST_CASE("a vault unlocks with its passphrase and refuses a wrong one, changing nothing", "[vault]") {
  TempDir dir;
  std::string path = dir.file("v.db");
  std::string user;
  {
    auto v = Vault::create(path, "right passphrase", "Alex Author", fast_options());
    user = v->user_id();
    v->create_case({"imr", "IMR-1", "Health visiting", "", "", "", "open"});
  }
  std::string before = read_file(path);
  auto v = Vault::open(path, fast_options());
  CHECK_FALSE(v->unlocked());
  CHECK_THROWS_AS(v->list("case"), Error);
  try {
    v->unlock("wrong passphrase");
    FAIL("a wrong passphrase unlocked the vault");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::wrong_passphrase);
    CHECK(std::string(e.what()).find("passphrase is wrong") != std::string::npos);
  }
  CHECK_FALSE(v->unlocked());
  CHECK(read_file(path) == before);
  v->unlock("right passphrase");
  CHECK(v->user_id() == user);
  CHECK(v->display_name() == "Alex Author");
  CHECK(v->list("case").size() == 1);
  v->lock();
  CHECK_FALSE(v->unlocked());
  CHECK_THROWS_AS(v->user_id(), Error);
}

TEST_CASE("changing the passphrase rewraps the master key only", "[vault]") {
  TempDir dir;
  std::string path = dir.file("v.db");
  std::string case_id;
  {
    auto v = Vault::create(path, "old", "Alex", fast_options());
    case_id = v->create_case({"scr", "SCR-9", "Child A", "Dorset LSCB", "", "", "open"});
    CHECK_THROWS_AS(v->change_passphrase("not it", "new"), Error);
    v->change_passphrase("old", "new");
  }
  auto v = Vault::open(path, fast_options());
  CHECK_THROWS_AS(v->unlock("old"), Error);
  v->unlock("new");
  CHECK(v->get(case_id).fields["title"] == "Child A");
  CHECK(v->verify().empty());
}

TEST_CASE("opening a missing vault or creating over one is a clear error", "[vault]") {
  TempDir dir;
  try {
    Vault::open(dir.file("none.db"));
    FAIL("opened a vault that does not exist");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::not_found);
  }
  auto v = new_vault(dir, "a");
  CHECK_THROWS_AS(Vault::create(dir.file("a.db"), "x", "y", fast_options()), Error);
  CHECK_THROWS_AS(Vault::create(dir.file("b.db"), "", "y", fast_options()), Error);
}

TEST_CASE("the user card verifies and ids are stable hex", "[vault]") {
  TempDir dir;
  auto v = new_vault(dir, "a");
  UserCard card = v->user_card();
  CHECK(card.user.size() == 64);
  CHECK(card.box_key.size() == 64);
  CHECK(card.sig.size() == 128);
  CHECK(v->device_id() != v->user_id());
}

TEST_CASE("a write batch commits all of its changes or none", "[vault]") {
  TempDir dir;
  auto v = new_vault(dir, "a");
  std::string c = v->create_case({"imr", "IMR-B", "t", "", "", "", "open"});
  std::string i = v->create_interview({c, "Pat", "", ""});
  v->write_batch([&] {
    for (int n = 0; n < 5; ++n) v->add_note(i, "n" + std::to_string(n), "b");
  });
  CHECK(v->list("note").size() == 5);
  CHECK_THROWS_AS(v->write_batch([&] {
    v->add_note(i, "kept?", "no");
    v->add_note(i, "", "an empty title fails");
  }), Error);
  CHECK(v->list("note").size() == 5);
  CHECK(v->outbox_size() == 7);  // case, interview, five notes, and nothing of the failed batch
  CHECK(v->verify().empty());
}

TEST_CASE("a vault keeps reading and writing past two full record caches", "[vault]") {
  // The cache of decrypted records holds 4,096 and is freed whole (on another
  // thread where there are threads): 9,000 notes fill it twice.
  TempDir dir;
  auto a = new_vault(dir, "a");
  std::string c = a->create_case({"imr", "IMR-K", "t", "", "", "", "open"});
  std::string i = a->create_interview({c, "Pat", "", ""});
  std::vector<NoteDraft> notes;
  for (int n = 0; n < 9000; ++n) notes.push_back({"note " + std::to_string(n), "body " + std::to_string(n)});
  std::vector<std::string> ids = a->add_notes(i, notes);
  REQUIRE(ids.size() == notes.size());
  for (int n : {0, 4095, 4096, 8191, 8999}) CHECK(a->get(ids[n]).fields.at("title") == "note " + std::to_string(n));
  a->set_field(ids[5], "title", "renamed");
  CHECK(a->get(ids[5]).fields.at("title") == "renamed");
}

TEST_CASE("add_notes writes many notes in one transaction and few changesets, all or nothing", "[vault]") {
  TempDir dir;
  auto a = new_vault(dir, "a");
  std::string c = a->create_case({"imr", "IMR-C", "t", "", "", "", "open"});
  std::string i = a->create_interview({c, "Pat", "", ""});
  std::size_t before = a->outbox_size();

  // 2,500 notes of about 1 KB: ten changesets of at most 256 KiB of text each
  // (a changeset ends with the note that takes it past that: 261 notes).
  std::vector<NoteDraft> notes;
  for (int n = 0; n < 2500; ++n) notes.push_back({"note " + std::to_string(n), std::string(1000, static_cast<char>('a' + n % 26))});
  std::vector<std::string> ids = a->add_notes(i, notes);
  REQUIRE(ids.size() == notes.size());
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
  CHECK(a->outbox_size() - before == 10);
  CHECK(a->get(ids[1234]).fields.at("title") == "note 1234");
  CHECK(a->get(ids.back()).fields.at("body") == std::string(1000, 'a' + 2499 % 26));
  CHECK(a->verify().empty());

  // Another replica gets every note, each readable and signable as usual.
  auto b = new_vault(dir, "b");
  a->add_member(i, b->user_card(), "note_taker", "B");
  sync_into(*b, *a);
  CHECK(b->list("note", i).size() == 2500);
  a->sign_note(ids[7]);
  CHECK(a->note(ids[7]).status == "signed");

  // One bad draft refuses the whole call before anything is written.
  notes[1800].title.clear();
  CHECK_THROWS_AS(a->add_notes(i, notes), Error);
  CHECK(a->list("note", i).size() == 2500);
  CHECK(a->outbox_size() - before == 12);  // the ten, the member, and the signature

  // Its changesets are sealed ahead of being stored: a batch that fails after
  // them leaves none of them, and the chain goes on from where it was.
  notes[1800].title = "note 1800";
  CHECK_THROWS_AS(a->write_batch([&] {
    a->add_notes(i, notes);
    throw Error(ErrorCode::invalid_argument, "the batch fails after the notes");
  }), Error);
  CHECK(a->list("note", i).size() == 2500);
  CHECK(a->outbox_size() - before == 12);
  a->add_notes(i, std::vector<NoteDraft>(notes.begin(), notes.begin() + 1200));
  CHECK(a->list("note", i).size() == 3700);
  CHECK(a->outbox_size() - before == 17);  // five more
  CHECK(a->verify().empty());
  sync_into(*b, *a);
  CHECK(b->state_digest(i) == a->state_digest(i));
}
