// End-to-end through the real casekeep-server binary on a loopback port
// (issue 4, tests 3 and 4): every refusal leaves the server unchanged; a
// client refuses a changeset altered in the server's store and says which;
// a push interrupted by SIGKILL resumes with nothing lost or duplicated.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "casekeep/changeset.hpp"
#include "casekeep/error.hpp"
#include "casekeep/http_carrier.hpp"
#include "server_process.hpp"
#include "support.hpp"

using namespace casekeep;
using namespace casekeep::test;

namespace {

struct Client {
  std::unique_ptr<Vault> vault;
  std::unique_ptr<SyncEngine> engine;
  std::unique_ptr<HttpCarrier> carrier;
  Client(const TempDir& dir, ServerProcess& server, const std::string& name, const std::string& file = "") {
    vault = new_vault(dir, file.empty() ? name : file);
    engine = std::make_unique<SyncEngine>(*vault);
    carrier = std::make_unique<HttpCarrier>(server.url());
    engine->on_enroll_response(carrier->send(engine->enroll_request(server.add_user(name))));
  }
  // An already enrolled vault (the same device, e.g. a restored copy).
  Client(std::unique_ptr<Vault> v, const ServerProcess& server)
      : vault(std::move(v)), engine(std::make_unique<SyncEngine>(*vault)), carrier(std::make_unique<HttpCarrier>(server.url())) {}
  SyncSummary sync() { return sync_with(*engine, *carrier); }
  wire::Response push(const std::vector<Bytes>& changesets) {
    wire::json list = wire::json::array();
    for (const Bytes& cs : changesets) list.push_back(wire::base64(cs));
    return send_authorized(*engine, *carrier, [&] {
      return wire::Request{"POST", "/v1/push", wire::json{{"changesets", list}}.dump(), ""};
    });
  }
};

std::string query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* q = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW &&
      sqlite3_column_text(q, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return out;
}

// A running server; Alex, with a case and interview; Bea, a note taker in it.
struct SharedInterview {
  TempDir dir;
  ServerProcess server{dir.file("server")};
  Client alex{dir, started(server), "Alex"};
  Client bea{dir, server, "Bea"};
  std::string interview;
  SharedInterview() {
    std::string case_id = alex.vault->create_case({"imr", "IMR-K", "Shared", "", "", "", "open"});
    interview = alex.vault->create_interview({case_id, "Pat", "", ""});
    alex.vault->add_member(interview, bea.vault->user_card(), "note_taker", "Bea");
  }
  static ServerProcess& started(ServerProcess& s) {
    s.start();
    return s;
  }
};

// Everything a refusal must not change: the log and every chain head.
std::string fingerprint(const ServerProcess& server) {
  return query(server.database(), "SELECT COUNT(*) || '/' || IFNULL(MAX(seq), 0) FROM log") + "|" +
         query(server.database(), "SELECT group_concat(hex(head) || seq, ',') FROM (SELECT * FROM chains ORDER BY head)");
}

std::string error_code(const wire::Response& r) {
  try {
    return wire::json::parse(r.body).at("error").at("code").get<std::string>();
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

TEST_CASE("the server refuses bad changesets and stays unchanged", "[e2e][negative]") {
  TempDir dir;
  ServerProcess server(dir.file("server"));
  server.start();
  Client alex(dir, server, "Alex");
  Client nobody(dir, server, "Nobody");
  std::string case_id = alex.vault->create_case({"imr", "IMR-R", "Refusals", "", "", "", "open"});
  alex.sync();
  // A copy of Alex's vault as it is now: a restored backup that will write on its own.
  alex.vault.reset();
  std::filesystem::copy_file(dir.file("Alex.db"), dir.file("copy.db"));
  alex.vault = Vault::open(dir.file("Alex.db"), fast_options());
  alex.vault->unlock("correct horse Alex");
  alex.engine = std::make_unique<SyncEngine>(*alex.vault);

  SECTION("a non-member's pull gets nothing of the space; naming it is forbidden") {
    SyncSummary s = nobody.sync();
    CHECK(s.received == 0);
    CHECK(nobody.vault->export_changesets().empty());
    wire::Response named = send_authorized(*nobody.engine, *nobody.carrier, [&] {
      return wire::Request{"POST", "/v1/pull", wire::json{{"cursors", {{case_id, 0}}}, {"limit", 10}}.dump(), ""};
    });
    CHECK(named.status == 403);
    CHECK(error_code(named) == "forbidden");
  }

  alex.vault->set_field(case_id, "title", "t2");
  alex.vault->set_field(case_id, "title", "t3");
  std::vector<Bytes> next = alex.vault->outbox(10);
  REQUIRE(next.size() == 2);
  std::string before = fingerprint(server);

  SECTION("one flipped byte") {
    Bytes bad = next[0];
    bad[bad.size() / 3] ^= 0x01;
    wire::Response r = alex.push({bad});
    CHECK(r.status == 400);
    CHECK((error_code(r) == "malformed" || error_code(r) == "bad_signature"));
  }
  SECTION("a forged signature") {
    Changeset cs = Changeset::decode(next[0]);
    Bytes forged = to_cbor(json{{"body", bin(cs.body_bytes())},
                                {"sig", bin(crypto::sign_typed(crypto::SignKeyPair::generate().secret_key,
                                                               sigtype::changeset, cs.body_bytes()))}});
    wire::Response r = alex.push({forged});
    CHECK(r.status == 400);
    CHECK(error_code(r) == "bad_signature");
  }
  SECTION("a gap") {
    wire::Response r = alex.push({next[1]});
    CHECK(r.status == 409);
    CHECK(error_code(r) == "gap");
  }
  SECTION("a fork") {
    REQUIRE(alex.push({next[0]}).status == 200);
    before = fingerprint(server);
    auto copy = Vault::open(dir.file("copy.db"), fast_options());
    copy->unlock("correct horse Alex");
    copy->set_field(case_id, "title", "from the copy");  // the same device and seq, another change
    Client same_device(std::move(copy), server);
    wire::Response r = same_device.push(same_device.vault->outbox(10));
    CHECK(r.status == 409);
    CHECK(error_code(r) == "fork");
  }
  CHECK(fingerprint(server) == before);

  SECTION("a replay is acknowledged idempotently") {
    alex.sync();
    std::string after = fingerprint(server);
    wire::Response r = alex.push({next[0], next[1]});
    CHECK(r.status == 200);
    CHECK(wire::json::parse(r.body)["accepted"][0]["replay"] == true);
    CHECK(fingerprint(server) == after);
  }
}

TEST_CASE("a client refuses a changeset altered in the server's store, and says which", "[e2e][negative]") {
  TempDir dir;
  ServerProcess server(dir.file("server"));
  server.start();
  Client alex(dir, server, "Alex");
  Client bea(dir, server, "Bea");
  std::string case_id = alex.vault->create_case({"imr", "IMR-T", "Tamper", "", "", "", "open"});
  alex.vault->add_member(case_id, bea.vault->user_card(), "note_taker", "Bea");
  alex.vault->set_field(case_id, "status", "closed");
  alex.sync();
  Changeset last = Changeset::decode(alex.vault->export_changesets().back());
  const std::string position = "seq " + std::to_string(last.body().seq) + " of device " + to_hex(last.body().device).substr(0, 12);
  server.stop();
  // The operator (or an intruder) edits the last changeset in the server's SQLite file.
  sqlite3* db = nullptr;
  sqlite3_open(server.database().c_str(), &db);
  REQUIRE(sqlite3_exec(db,
                       // One byte that really changes (it may have been 0 already).
                       "UPDATE log SET bytes = substr(bytes, 1, 100) || "
                       "CASE WHEN substr(bytes, 101, 1) = X'00' THEN X'01' ELSE X'00' END || substr(bytes, 102) "
                       "WHERE seq = (SELECT MAX(seq) FROM log)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  server.restart();

  try {
    bea.sync();
    FAIL("a tampered changeset was applied");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(position) != std::string::npos);
  }
  CHECK(bea.vault->list("case").empty());  // nothing of that pull was applied
}

TEST_CASE("a push killed mid-way resumes: nothing lost, nothing duplicated", "[e2e]") {
  SharedInterview shared;
  ServerProcess& server = shared.server;
  Client &alex = shared.alex, &bea = shared.bea;
  const std::string& interview = shared.interview;
  for (int i = 0; i < 2000; ++i) alex.vault->add_note(interview, "Note " + std::to_string(i), std::string(600, 'x'));
  const std::size_t total = alex.vault->outbox_size();

  std::atomic<bool> done{false};
  std::thread pusher([&] {
    try {
      alex.sync();
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::unavailable);
    }
    done = true;
  });
  // Kill the server once part of the push is in.
  while (!done && std::stoi("0" + query(server.database(), "SELECT COUNT(*) FROM log")) < 300)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.stop(SIGKILL);
  pusher.join();
  std::size_t stored = std::stoul("0" + query(server.database(), "SELECT COUNT(*) FROM log"));
  CHECK(stored > 0);
  CHECK(stored < total);
  CHECK(alex.vault->outbox_size() > 0);

  server.restart();
  alex.sync();
  CHECK(alex.vault->outbox_size() == 0);
  CHECK(query(server.database(), "SELECT COUNT(*) FROM log") == std::to_string(total));
  CHECK(query(server.database(), "SELECT COUNT(DISTINCT id) FROM log") == std::to_string(total));
  bea.sync();
  CHECK(bea.vault->list("note").size() == 2000);
  CHECK(bea.vault->state_digest(interview) == alex.vault->state_digest(interview));
}

TEST_CASE("large changesets sync in requests under the server's body limit", "[e2e]") {
  SharedInterview shared;
  Client &alex = shared.alex, &bea = shared.bea;
  const std::string& interview = shared.interview;
  // Twelve changesets of one 900 KB note each (a bulk write's changeset ends
  // past 256 KiB of text): 10.8 MB, more than one 8 MiB push can carry,
  // though far fewer than a full batch of changesets.
  std::vector<NoteDraft> notes;
  for (int i = 0; i < 12; ++i) notes.push_back({"Long note " + std::to_string(i), std::string(900 * 1024, static_cast<char>('a' + i))});
  alex.vault->add_notes(interview, notes);
  SyncSummary pushed = alex.sync();
  CHECK(pushed.sent == alex.vault->export_changesets().size());
  CHECK(alex.vault->outbox_size() == 0);
  bea.sync();
  REQUIRE(bea.vault->list("note").size() == 12);
  CHECK(bea.vault->state_digest(interview) == alex.vault->state_digest(interview));
}
