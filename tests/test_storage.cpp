// What is on disk: only ciphertext of content, and verify() catches tampering.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <filesystem>

#include "casekeep/error.hpp"
#include "support.hpp"

using namespace casekeep;
using namespace casekeep::test;

namespace {

const std::string kSentence = "The health visitor noticed bruising on the left forearm";
const std::string kName = "Philippa Quennell-Smythe";

// Every file in the vault's directory (database, WAL, shared memory, journal).
std::size_t hits_in_dir(const TempDir& dir, const std::string& needle) {
  std::size_t hits = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    std::string data = read_file(entry.path().string());
    for (auto pos = data.find(needle); pos != std::string::npos; pos = data.find(needle, pos + 1)) ++hits;
  }
  return hits;
}

void flip_blob_byte(const std::string& path, const std::string& table, const std::string& column, const Bytes& id) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  std::string sel = "SELECT " + column + " FROM " + table + " WHERE id = ?";
  REQUIRE(sqlite3_prepare_v2(db, sel.c_str(), -1, &q, nullptr) == SQLITE_OK);
  sqlite3_bind_blob(q, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(q) == SQLITE_ROW);
  auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(q, 0));
  Bytes blob(p, p + sqlite3_column_bytes(q, 0));
  sqlite3_finalize(q);
  blob[blob.size() / 2] ^= 0x01;
  std::string upd = "UPDATE " + table + " SET " + column + " = ? WHERE id = ?";
  REQUIRE(sqlite3_prepare_v2(db, upd.c_str(), -1, &q, nullptr) == SQLITE_OK);
  sqlite3_bind_blob(q, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob(q, 2, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(q) == SQLITE_DONE);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

// Rewrites a vault's tables as a release before numbered rows made them:
// changesets and records keyed by id (rows at other numbers, as REPLACE left
// them), the history index and the outbox by id.
void make_layout_before_numbers(const std::string& path, bool per_op_index) {
  std::string script = R"sql(
    CREATE TABLE old_changesets(id BLOB PRIMARY KEY, space BLOB NOT NULL, device BLOB NOT NULL, seq INTEGER NOT NULL,
      author BLOB NOT NULL, hlc INTEGER NOT NULL, bytes BLOB NOT NULL, materialized INTEGER NOT NULL DEFAULT 1,
      UNIQUE(device, space, seq));
    INSERT INTO old_changesets(rowid, id, space, device, seq, author, hlc, bytes, materialized)
      SELECT n + 100, id, space, device, seq, author, hlc, bytes, materialized FROM changesets;
    CREATE TABLE old_records(id BLOB PRIMARY KEY, space BLOB NOT NULL, type TEXT NOT NULL, version INTEGER NOT NULL,
      row BLOB NOT NULL);
    INSERT INTO old_records(rowid, id, space, type, version, row) SELECT 1000 - n, id, space, type, version, row FROM records;
    CREATE TABLE record_changesets(record BLOB NOT NULL, changeset BLOB NOT NULL, PRIMARY KEY(record, changeset)) WITHOUT ROWID;
    INSERT INTO record_changesets SELECT r.id, c.id FROM record_changes o JOIN records r ON r.n = o.record
      JOIN changesets c ON c.n = o.changeset;
    CREATE TABLE outbox(changeset BLOB PRIMARY KEY);
    INSERT INTO outbox SELECT c.id FROM unsent u JOIN changesets c ON c.n = u.changeset ORDER BY u.changeset;
    DROP TABLE record_changes; DROP TABLE unsent; DROP TABLE changesets; DROP TABLE records;
    ALTER TABLE old_changesets RENAME TO changesets;
    ALTER TABLE old_records RENAME TO records;
    CREATE INDEX records_by_space ON records(space, type);
    CREATE INDEX changesets_unread ON changesets(space) WHERE materialized = 0;
  )sql";
  if (per_op_index)  // the release before record_changesets: a row per op
    script += R"sql(
      CREATE TABLE op_index(record BLOB NOT NULL, changeset BLOB NOT NULL, idx INTEGER NOT NULL,
        PRIMARY KEY(record, changeset, idx));
      INSERT INTO op_index SELECT record, changeset, 0 FROM record_changesets;
      INSERT INTO op_index SELECT record, changeset, 1 FROM record_changesets;
      DROP TABLE record_changesets;
    )sql";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("no sentence of a note and no user name is ever on disk in clear", "[storage]") {
  TempDir dir;
  {
    auto v = Vault::create(dir.file("vault.db"), "passphrase", kName, fast_options());
    auto other = new_vault(dir, "x");
    std::string c = v->create_case({"imr", "IMR-77", "Case about " + kName, "", "", "", "open"});
    std::string i = v->create_interview({c, kName, "2024-01-01T09:00", "Home of " + kName});
    v->add_member(i, other->user_card(), "practitioner", kName);
    for (int n = 0; n < 20; ++n) v->add_note(i, "Note " + std::to_string(n), kSentence + " (" + std::to_string(n) + ")");
    std::string signed_note = v->add_note(i, kSentence, kSentence);
    v->sign_note(signed_note);
    // While open, the WAL holds the latest pages: scan it too.
    CHECK(hits_in_dir(dir, kSentence) == 0);
    CHECK(hits_in_dir(dir, kName) == 0);
    CHECK(hits_in_dir(dir, "Home of") == 0);
  }
  CHECK(hits_in_dir(dir, kSentence) == 0);
  CHECK(hits_in_dir(dir, kName) == 0);
  // The scan itself can find things: the sentence is there when written in clear.
  std::ofstream(dir.file("control.txt")) << kSentence;
  CHECK(hits_in_dir(dir, kSentence) == 1);
}

TEST_CASE("verify names a stored changeset with one flipped byte", "[storage][negative]") {
  TempDir dir;
  Bytes target;
  {
    auto v = new_vault(dir, "a");
    std::string c = v->create_case({"imr", "IMR-1", "t", "", "", "", "open"});
    v->set_field(c, "title", "t2");
    CHECK(v->verify().empty());
    auto all = v->export_changesets();
    target = crypto::hash(all[1]);
  }
  flip_blob_byte(dir.file("a.db"), "changesets", "bytes", target);
  auto v = Vault::open(dir.file("a.db"), fast_options());
  v->unlock("correct horse a");
  auto problems = v->verify();
  REQUIRE_FALSE(problems.empty());
  CHECK(problems.front().subject == "changeset " + to_hex(target));
}

TEST_CASE("verify names a record row that was altered or swapped", "[storage][negative]") {
  TempDir dir;
  Bytes case_id;
  {
    auto v = new_vault(dir, "a");
    case_id = from_hex(v->create_case({"imr", "IMR-1", "t", "", "", "", "open"}));
  }
  flip_blob_byte(dir.file("a.db"), "records", "row", case_id);
  auto v = Vault::open(dir.file("a.db"), fast_options());
  v->unlock("correct horse a");
  auto problems = v->verify();
  bool named = false;
  for (const auto& p : problems) named = named || p.subject == "record " + to_hex(case_id);
  CHECK(named);
  CHECK_THROWS_AS(v->get(to_hex(case_id)), Error);
}

TEST_CASE("a long-lived vault's WAL file starts over instead of growing with every commit", "[storage]") {
  // The browser keeps one vault open for hours and copies changed files to
  // IndexedDB after each commit; a WAL that never restarts makes every flush
  // copy everything written since the vault was opened.
  TempDir dir;
  VaultOptions options = fast_options();
  options.wal_checkpoint_pages = 1000;  // as the browser opens it (wasm/src/api.cpp)
  auto vault = Vault::create(dir.file("author.db"), "correct horse author", "author", options);
  std::string case_id = vault->create_case({"imr", "IMR-W", "WAL", "", "", "", "open"});
  std::string interview = vault->create_interview({case_id, "Pat", "", ""});
  const std::string body(1000, 'x');
  std::uintmax_t largest = 0;
  for (int i = 0; i < 600; ++i) {
    std::string note = vault->add_note(interview, "Note " + std::to_string(i), body);
    (void)vault->note(note);  // reads between writes, as a page does
    if (i % 100 == 99) {
      (void)vault->notes_of(interview);
      largest = std::max(largest, std::filesystem::file_size(dir.file("author.db-wal")));
    }
  }
  // About 75 KB per commit: 600 commits made a 46 MB WAL before. The
  // automatic checkpoint restarts it after 1,000 pages (4 MB).
  CHECK(largest < 8u * 1024 * 1024);
}

TEST_CASE("the conflict index follows conflicts, and a vault made before it builds it on unlock", "[storage]") {
  TempDir dir;
  auto a = new_vault(dir, "a");
  auto b = new_vault(dir, "b");
  std::string c = a->create_case({"imr", "IMR-X", "Index", "", "", "", "open"});
  std::string i = a->create_interview({c, "Pat", "", ""});
  a->add_member(i, b->user_card(), "note_taker", "B");
  std::string n = a->add_note(i, "Title", "Body");
  sync_into(*b, *a);
  a->edit_note(n, std::string("A's title"), std::nullopt);
  b->edit_note(n, std::string("B's title"), std::nullopt);
  sync_into(*a, *b);
  REQUIRE(a->conflicts().size() == 1);
  CHECK(a->conflicts(i).size() == 1);
  CHECK(a->conflicts(c).empty());

  // As a vault of the previous release: no index, no note that it was built.
  const std::string path = dir.file("a.db");
  a.reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "DELETE FROM conflicted; DELETE FROM meta WHERE key = 'conflicts_indexed';", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto again = Vault::open(path, fast_options());
  again->unlock("correct horse a");
  REQUIRE(again->conflicts().size() == 1);

  again->resolve(n, "title", "Agreed title");
  CHECK(again->conflicts().empty());
}

TEST_CASE("a vault made before numbered rows keeps its history and outbox when opened", "[storage]") {
  const bool per_op_index = GENERATE(false, true);
  TempDir dir;
  auto a = new_vault(dir, "a");
  std::string c = a->create_case({"imr", "IMR-H", "History", "", "", "", "open"});
  std::string i = a->create_interview({c, "Pat", "", ""});
  std::string n = a->add_note(i, "Title", "Body");
  a->edit_note(n, std::string("Second title"), std::string("Second body"));
  auto before = a->history(n);
  REQUIRE(before.size() == 6);  // create, interview, title, body, then the edit's title and body
  std::vector<Bytes> unsent = a->outbox(100);
  a->acknowledge({Changeset::decode(unsent.front()).id()});
  unsent.erase(unsent.begin());
  REQUIRE(a->outbox(100) == unsent);

  const std::string path = dir.file("a.db");
  a.reset();
  make_layout_before_numbers(path, per_op_index);
  auto again = Vault::open(path, fast_options());
  again->unlock("correct horse a");
  auto after = again->history(n);
  REQUIRE(after.size() == before.size());
  for (std::size_t k = 0; k < after.size(); ++k) {
    CHECK(after[k].op == before[k].op);
    CHECK(after[k].field == before[k].field);
    CHECK(after[k].value == before[k].value);
  }
  CHECK(again->outbox(100) == unsent);
  again->edit_note(n, std::string("Third title"), std::nullopt);
  CHECK(again->history(n).size() == 7);
  CHECK(again->outbox(100).size() == unsent.size() + 1);
  again->acknowledge({Changeset::decode(unsent.back()).id()});
  CHECK(again->outbox(100).size() == unsent.size());
  CHECK(again->verify().empty());
}
