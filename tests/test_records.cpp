// Records and the review process's rules, across two or three replicas.
#include <catch2/catch.hpp>

#include <filesystem>

#include "casekeep/changeset.hpp"
#include "casekeep/error.hpp"
#include "support.hpp"

using namespace casekeep;
using namespace casekeep::test;

namespace {

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

// An author with an IMR case and an interview, and the practitioner enrolled on it.
struct Interview {
  TempDir dir;
  std::unique_ptr<Vault> author = new_vault(dir, "Alex Author");
  std::unique_ptr<Vault> practitioner = new_vault(dir, "Pat Practitioner");
  std::string case_id = author->create_case({"imr", "IMR-2024-07", "Health visiting for Child A", "Dorset LSCB", "", "", "open"});
  std::string interview = author->create_interview({case_id, "Pat Practitioner", "2024-03-05T10:00", "Clinic room 2"});
  Interview() { author->add_member(interview, practitioner->user_card(), "practitioner", "Pat Practitioner"); }
};

}  // namespace

TEST_CASE("the interview walkthrough: sign, agree, dispute, across replicas", "[records]") {
  Interview t;
  std::string n1 = t.author->add_note(t.interview, "Home visit", "Saw the child at home on 3 March.");
  std::string n2 = t.author->add_note(t.interview, "Referral", "Referral made the next day.");
  t.author->sign_note(n1);
  t.author->sign_note(n2);
  CHECK(t.author->note(n1).status == "signed");

  sync_into(*t.practitioner, *t.author);
  // The practitioner sees the interview and its notes, and nothing of the case.
  CHECK(t.practitioner->list("case").empty());
  CHECK(t.practitioner->list("interview").size() == 1);
  CHECK(t.practitioner->list("note").size() == 2);
  t.practitioner->agree_note(n1);
  t.practitioner->dispute_note(n2, "The referral was made the same day.");
  CHECK_THROWS_AS(t.practitioner->dispute_note(n1, ""), Error);

  sync_into(*t.author, *t.practitioner);
  NoteView agreed = t.author->note(n1);
  CHECK(agreed.status == "agreed");
  REQUIRE(agreed.signatures.size() == 2);
  for (const auto& s : agreed.signatures) CHECK((s.valid && s.current));
  CHECK(agreed.signatures[1].signer_name == "Pat Practitioner");
  NoteView disputed = t.author->note(n2);
  CHECK(disputed.status == "disputed");
  CHECK(disputed.signatures[1].comment == "The referral was made the same day.");
  CHECK(t.author->verify().empty());
  CHECK(t.practitioner->verify().empty());
}

TEST_CASE("a signed note's content cannot change, and an addendum amends it", "[records][negative]") {
  Interview t;
  std::string n = t.author->add_note(t.interview, "Visit", "First account.");
  t.author->edit_note(n, std::nullopt, std::string("First account, corrected."));
  t.author->sign_note(n);
  CHECK(code_of([&] { t.author->edit_note(n, std::nullopt, std::string("Changed.")); }) == ErrorCode::rule_violation);
  CHECK(code_of([&] { t.author->set_field(n, "title", "Changed"); }) == ErrorCode::rule_violation);
  CHECK(code_of([&] { t.author->sign_note(n); }) == ErrorCode::rule_violation);
  std::string a = t.author->add_addendum(n, "Addendum", "The visit lasted an hour.");
  CHECK(t.author->note(n).addenda == std::vector<std::string>{a});
  CHECK(t.author->note(n).record.fields["body"] == "First account, corrected.");
  CHECK(t.author->note(a).status == "draft");
}

TEST_CASE("only the interview's practitioner agrees or disputes", "[records][negative]") {
  Interview t;
  auto other = new_vault(t.dir, "Olly Other");
  t.author->add_member(t.interview, other->user_card(), "note_taker", "Olly Other");
  std::string n = t.author->add_note(t.interview, "Visit", "Text.");
  // Nothing to agree to before the author signs.
  sync_into(*t.practitioner, *t.author);
  CHECK(code_of([&] { t.practitioner->agree_note(n); }) == ErrorCode::rule_violation);
  t.author->sign_note(n);
  sync_into(*t.practitioner, *t.author);
  sync_into(*other, *t.author);
  CHECK(code_of([&] { t.author->agree_note(n); }) == ErrorCode::forbidden);
  CHECK(code_of([&] { other->agree_note(n); }) == ErrorCode::forbidden);
  CHECK(code_of([&] { other->dispute_note(n, "no"); }) == ErrorCode::forbidden);
  CHECK(code_of([&] { t.practitioner->sign_note(n); }) == ErrorCode::forbidden);
  t.practitioner->agree_note(n);
  CHECK(code_of([&] { t.practitioner->agree_note(n); }) == ErrorCode::rule_violation);
}

TEST_CASE("a concurrent edit to a signed note is kept and flagged for review", "[records]") {
  Interview t;
  auto taker = new_vault(t.dir, "Nina Notetaker");
  t.author->add_member(t.interview, taker->user_card(), "note_taker", "Nina Notetaker");
  std::string n = t.author->add_note(t.interview, "Visit", "Signed words.");
  sync_into(*taker, *t.author);
  t.author->sign_note(n);
  taker->edit_note(n, std::nullopt, std::string("Other words."));  // has not seen the signature
  sync_into(*t.author, *taker);
  sync_into(*taker, *t.author);
  for (Vault* v : {t.author.get(), taker.get()}) {
    NoteView view = v->note(n);
    CHECK(view.status == "needs_review");
    CHECK(view.signed_content["body"] == "Signed words.");  // the signed version is kept
    CHECK(view.record.fields["body"] == "Other words.");    // beside the concurrent edit
    REQUIRE(view.signatures.size() == 1);
    CHECK(view.signatures[0].valid);
    CHECK_FALSE(view.signatures[0].current);
  }
  CHECK(t.author->state_digest(t.interview) == taker->state_digest(t.interview));
}

TEST_CASE("in one SCR the same person may not write both an IMR and the HOR", "[records][negative]") {
  TempDir dir;
  auto lead = new_vault(dir, "Lee Lead");
  auto nurse = new_vault(dir, "Dana Designated");
  std::string scr = lead->create_case({"scr", "SCR-1", "Child A", "Dorset LSCB", "Wiltshire LSCB", "", "open"});
  std::string imr = lead->create_case({"imr", "IMR-1", "GP IMR", "", "", scr, "open"});  // lead: IMR author
  // At creation: the IMR author cannot found the HOR of the same SCR.
  CHECK(code_of([&] { lead->create_case({"hor", "HOR-1", "HOR", "", "", scr, "open"}); }) == ErrorCode::rule_violation);
  // An IMR belongs to an SCR, not to another IMR.
  CHECK(code_of([&] { lead->create_case({"imr", "IMR-2", "x", "", "", imr, "open"}); }) == ErrorCode::rule_violation);

  // The nurse sees the SCR and the IMR, writes the HOR, and may not make the IMR author a HOR author.
  lead->add_member(scr, nurse->user_card(), "observer", "Dana Designated");
  lead->add_member(imr, nurse->user_card(), "observer", "Dana Designated");
  sync_into(*nurse, *lead);
  std::string hor = nurse->create_case({"hor", "HOR-1", "Health overview", "", "", scr, "open"});
  CHECK(code_of([&] { nurse->add_member(hor, lead->user_card(), "hor_author", "Lee Lead"); }) == ErrorCode::rule_violation);
  CHECK(code_of([&] { nurse->add_member(hor, lead->user_card(), "observer", "Lee Lead"); }) == ErrorCode::ok);
  // A HOR in a different SCR is no conflict.
  std::string scr2 = lead->create_case({"scr", "SCR-2", "Child B", "", "", "", "open"});
  CHECK(code_of([&] { lead->create_case({"hor", "HOR-2", "x", "", "", scr2, "open"}); }) == ErrorCode::ok);
}

TEST_CASE("a copied health record says when and by whom it was copied", "[records][negative]") {
  TempDir dir;
  auto a = new_vault(dir, "Alex");
  std::string c = a->create_case({"imr", "IMR-3", "x", "", "", "", "open"});
  CHECK(code_of([&] { a->add_evidence({c, "child", "GP practice", "copy", "", "", ""}); }) == ErrorCode::rule_violation);
  CHECK(code_of([&] { a->add_evidence({c, "child", "GP practice", "scan", "", "", ""}); }) == ErrorCode::invalid_argument);
  std::string e = a->add_evidence({c, "child", "GP practice", "copy", "2024-03-01", "Records clerk", "Safe 3"});
  CHECK(a->get(e).fields["copied_by"] == "Records clerk");
  CHECK(a->get(e).type == "evidence");
}

TEST_CASE("deletion is a tombstone with a reason, and history keeps everything", "[records]") {
  TempDir dir;
  auto a = new_vault(dir, "Alex");
  std::string c = a->create_case({"imr", "IMR-4", "Old title", "", "", "", "open"});
  a->set_field(c, "title", "New title");
  CHECK(code_of([&] { a->tombstone(c, ""); }) == ErrorCode::invalid_argument);
  a->tombstone(c, "Opened in error");
  RecordView v = a->get(c);
  CHECK(v.deleted);
  CHECK(v.deleted_reason == "Opened in error");
  auto h = a->history(c);
  REQUIRE(h.size() >= 4);
  CHECK(h.front().kind == "create");
  CHECK(h.back().kind == "tombstone");
  CHECK(h.back().author_name == "Alex");
  bool saw_old = false;
  for (const auto& e : h) saw_old = saw_old || (e.field == "title" && e.value == "Old title");
  CHECK(saw_old);
  CHECK(code_of([&] { a->get("00112233445566778899aabbccddeeff"); }) == ErrorCode::not_found);
  CHECK(code_of([&] { a->get("not-an-id"); }) == ErrorCode::invalid_argument);
}

TEST_CASE("tampered, truncated, reordered and forked changesets", "[records][negative]") {
  TempDir dir;
  auto a = new_vault(dir, "Alex");
  auto b = new_vault(dir, "Bo");
  std::string c = a->create_case({"imr", "IMR-5", "t0", "", "", "", "open"});
  a->add_member(c, b->user_card(), "note_taker", "Bo");
  a->set_field(c, "title", "t1");
  a->set_field(c, "title", "t2");
  std::vector<Bytes> all = a->export_changesets();
  REQUIRE(all.size() == 4);
  std::string empty_digest = b->state_digest();

  SECTION("a flipped byte is refused, naming the changeset, and nothing changes") {
    std::vector<Bytes> bad = all;
    bad[2][bad[2].size() / 2] ^= 0x01;
    CHECK_THROWS_WITH(b->import_changesets(bad), Catch::Contains("Changeset ") && Catch::Contains("Nothing was imported"));
    CHECK(b->state_digest() == empty_digest);
  }
  SECTION("sync settings given with an import are saved with it, and only with it") {
    b->set_sync_setting("cursors", "before");
    std::vector<Bytes> bad = all;
    bad[2][bad[2].size() / 2] ^= 0x01;
    CHECK_THROWS_WITH(b->import_checked(CheckedBatch::check(bad), {{"cursors", "after"}}), Catch::Contains("Nothing was imported"));
    CHECK(b->sync_setting("cursors") == "before");
    CHECK(b->import_checked(CheckedBatch::check(all), {{"cursors", "after"}}).applied == 4);
    CHECK(b->sync_setting("cursors") == "after");
  }
  SECTION("a truncated changeset is refused") {
    std::vector<Bytes> bad = all;
    bad[3].resize(bad[3].size() - 5);
    CHECK(code_of([&] { b->import_changesets(bad); }) == ErrorCode::malformed);
    CHECK(b->state_digest() == empty_digest);
  }
  SECTION("a changeset arriving before its predecessor waits, and is not lost") {
    auto r = b->import_changesets({all[0], all[1], all[3]});
    CHECK(r.applied == 2);
    CHECK(r.pending == 1);
    CHECK(b->get(c).fields["title"] == "t0");
    r = b->import_changesets({all[2], all[2]});
    CHECK(r.applied == 2);
    CHECK(r.pending == 0);
    CHECK(b->get(c).fields["title"] == "t2");
    CHECK(b->import_changesets(all).duplicates == 4);
  }
  SECTION("a fork of a device chain (a restored copy writing on) is refused") {
    a.reset();
    std::filesystem::copy_file(dir.file("Alex.db"), dir.file("copy.db"));
    auto original = Vault::open(dir.file("Alex.db"), fast_options());
    original->unlock("correct horse Alex");
    auto copy = Vault::open(dir.file("copy.db"), fast_options());
    copy->unlock("correct horse Alex");
    original->set_field(c, "title", "from the original");
    copy->set_field(c, "title", "from the copy");
    b->import_changesets(original->export_changesets());
    std::string before = b->state_digest();
    CHECK(code_of([&] { b->import_changesets(copy->export_changesets()); }) == ErrorCode::bad_chain);
    CHECK(b->state_digest() == before);
  }
}

TEST_CASE("an op in one space cannot touch a record of another space", "[records][negative]") {
  TempDir dir;
  auto victim = new_vault(dir, "Victim");
  std::string case_id = victim->create_case({"imr", "IMR-X", "Real title", "", "", "", "open"});

  // A hand-made space whose founder also lists the victim, so the victim holds its key.
  auto attacker = crypto::SignKeyPair::generate();
  auto attacker_box = crypto::BoxKeyPair::generate();
  auto device = crypto::SignKeyPair::generate();
  SecretBytes key = crypto::random_key();
  UserCard vc = victim->user_card();
  auto card = [&](const Bytes& user, const Bytes& box, const Bytes& sig) {
    return MemberEntry{user, "lead_reviewer", box, sig, crypto::seal(box, key)};
  };
  ChangesetBody b;
  b.genesis = crypto::random_bytes(16);
  Bytes space = attacker.public_key;
  space.insert(space.end(), b.genesis.begin(), b.genesis.end());
  space = crypto::hash(space);
  space.resize(16);
  b.space = space;
  b.author = attacker.public_key;
  b.device = device.public_key;
  b.cert = crypto::sign_typed(attacker.secret_key, sigtype::device_cert, device_cert_message(b.author, b.device));
  b.seq = 1;
  b.hlc = ~0ULL >> 1;  // far in the future, so it would win any register
  b.members = {card(attacker.public_key, attacker_box.public_key,
                    crypto::sign_typed(attacker.secret_key, sigtype::user_card,
                                       user_card_message(attacker.public_key, attacker_box.public_key))),
               card(from_hex(vc.user), from_hex(vc.box_key), from_hex(vc.sig))};
  SecretBytes tag_key = crypto::derive_subkey(key, 1, "ckfldtag");
  b.meta = {{OpKind::set, from_hex(case_id), crypto::keyed_hash(tag_key, "title"), {}}};
  b.payload = crypto::aead_encrypt(key, to_cbor(json::array({{{"f", "title"}, {"v", "Hijacked"}}})),
                                   payload_ad(b.space, b.device, b.seq));
  Changeset cs = Changeset::seal(b, device.secret_key);

  victim->import_changesets({cs.bytes()});
  CHECK(victim->get(case_id).fields["title"] == "Real title");
  CHECK(victim->get(case_id).conflicts.empty());  // kept in its own space, invisible here
  CHECK(victim->verify().empty());
}

TEST_CASE("removing a member rotates the key: they cannot read what follows", "[records]") {
  Interview t;
  auto taker = new_vault(t.dir, "Nina Notetaker");
  t.author->add_member(t.interview, taker->user_card(), "note_taker", "Nina Notetaker");
  std::string before = t.author->add_note(t.interview, "Before", "Written before the removal.");
  sync_into(*taker, *t.author);
  sync_into(*t.practitioner, *t.author);
  CHECK(taker->list("note").size() == 1);

  CHECK(code_of([&] { t.author->remove_member(t.interview, t.author->user_id(), "x"); }) == ErrorCode::rule_violation);
  CHECK(code_of([&] { t.author->remove_member(t.interview, taker->user_id(), ""); }) == ErrorCode::invalid_argument);
  t.author->remove_member(t.interview, taker->user_id(), "Left the review");
  std::string after = t.author->add_note(t.interview, "After", "Written after the removal.");
  // A member added after the rotation still reads the history (the wrap carries every key).
  auto late = new_vault(t.dir, "Lou Late");
  t.author->add_member(t.interview, late->user_card(), "observer", "Lou Late");

  for (Vault* v : {taker.get(), t.practitioner.get(), late.get()}) sync_into(*v, *t.author);
  CHECK(taker->list("note").size() == 1);  // stored, never readable
  CHECK(t.practitioner->list("note").size() == 2);
  CHECK(late->list("note").size() == 2);
  CHECK(late->get(before).fields["body"] == "Written before the removal.");
  CHECK(code_of([&] { taker->add_note(t.interview, "x", "y"); }) == ErrorCode::forbidden);
  t.author->set_field(after, "title", "After (edited)");
  sync_into(*t.practitioner, *t.author);
  CHECK(t.practitioner->get(after).fields["title"] == "After (edited)");
  for (Vault* v : {t.author.get(), t.practitioner.get(), late.get(), taker.get()}) CHECK(v->verify().empty());
}
