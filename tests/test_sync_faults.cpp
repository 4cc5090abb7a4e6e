// Convergence under faults (issue 4, test 5): five replicas sync through the
// real SyncService over an in-memory carrier that drops requests and answers,
// duplicates and replays old requests, answers with stale responses, and
// restarts the server between rounds. Whatever happens, once the faults stop
// every replica ends identical, and the server holds each changeset once.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <utility>

#include "admin.hpp"
#include "casekeep/error.hpp"
#include "casekeep/exchange.hpp"
#include "casekeep/sync_engine.hpp"
#include "service.hpp"
#include "support.hpp"

using namespace casekeep;
using namespace casekeep::test;

namespace {

// The server, restartable: a restart drops the service and reopens the store.
struct ServerUnderTest {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<server::Store> store;
  std::unique_ptr<server::SyncService> service;
  ServerUnderTest() { restart(); }
  void restart() {
    service.reset();
    store.reset();
    store = std::make_unique<server::Store>(dir.path() / "server");
    server::Limits limits;
    limits.rate_per_second = 0;  // the test sends as fast as it can
    service = std::make_unique<server::SyncService>(*store, clock, limits);
  }
};

class FaultyCarrier final : public Carrier {
 public:
  FaultyCarrier(ServerUnderTest& server, std::mt19937_64& rng, bool faults) : server_(server), rng_(rng), faults_(faults) {}
  wire::Response send(const wire::Request& request) override {
    if (faults_ && chance(8) && !history_.empty())  // an old request arrives again, out of order
      server_.service->handle(history_[rng_() % history_.size()].first);
    if (faults_ && chance(10)) return {0, "", ""};  // lost on the way there
    wire::Response response = server_.service->handle(request);
    if (faults_ && chance(10)) server_.service->handle(request);  // duplicated
    history_.emplace_back(request, response);
    if (history_.size() > 20) history_.pop_front();
    if (faults_ && chance(10)) return {0, "", ""};  // lost on the way back
    if (faults_ && chance(10) && request.path == "/v1/pull") {  // a stale answer to the same question
      for (const auto& [old_request, old_response] : history_)
        if (old_request.path == request.path && old_response.status == 200) return old_response;
    }
    return response;
  }

 private:
  bool chance(unsigned one_in) { return rng_() % one_in == 0; }
  ServerUnderTest& server_;
  std::mt19937_64& rng_;
  bool faults_;
  std::deque<std::pair<wire::Request, wire::Response>> history_;
};

// Carries two requests at once, as two connections do, and holds the push
// that starts a chain (its first changeset at seq 1) until another push has
// reached the server: a push's next batch, sent beside it, overtakes it
// whichever of the two threads comes first. (The hold is bounded, so a driver
// that never sends a second push makes the test fail, not hang.)
class OvertakingCarrier final : public Carrier {
 public:
  explicit OvertakingCarrier(ServerUnderTest& server) : server_(server) {}
  bool concurrent() const override { return true; }
  wire::Response send(const wire::Request& request) override {
    if (request.path != "/v1/push") return deliver(request);
    std::unique_lock<std::mutex> lock(mutex_);
    if (Changeset::decode(wire::unframe(request.body).front()).body().seq == 1)
      changed_.wait_for(lock, std::chrono::seconds(30), [&] { return delivered_ > 0; });
    lock.unlock();
    wire::Response response = deliver(request);
    lock.lock();
    ++delivered_;
    if (response.status == 409) ++overtaken;
    changed_.notify_all();
    return response;
  }
  int overtaken = 0;  // pushes the server refused for arriving before the one before them

 private:
  wire::Response deliver(const wire::Request& request) {
    std::lock_guard<std::mutex> lock(server_mutex_);
    return server_.service->handle(request);
  }
  ServerUnderTest& server_;
  std::mutex mutex_, server_mutex_;
  std::condition_variable changed_;
  int delivered_ = 0;
};

// The exchange's first request after logging in (the login goes through `carrier`).
std::optional<wire::Request> first_call(Exchange& exchange, Carrier& carrier) {
  std::optional<wire::Request> request = exchange.next();
  while (request && request->path.rfind("/v1/login", 0) == 0) {
    exchange.feed(carrier.send(*request));
    request = exchange.next();
  }
  return request;
}

// Read the server's store directly, as an auditor would.
std::size_t count_rows(const std::filesystem::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* q = nullptr;
  std::size_t n = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
    n = static_cast<std::size_t>(sqlite3_column_int64(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return n;
}

struct Replica {
  std::unique_ptr<Vault> vault;
  std::unique_ptr<SyncEngine> engine;
};

Replica enrolled(ServerUnderTest& server, TempDir& dir, std::mt19937_64& rng, const std::string& name) {
  Replica r;
  r.vault = new_vault(dir, name);
  r.engine = std::make_unique<SyncEngine>(*r.vault);
  FaultyCarrier clean(server, rng, false);
  r.engine->on_enroll_response(
      clean.send(r.engine->enroll_request(server::add_user(*server.store, server.clock, name, "lead_reviewer"))));
  return r;
}

// A case of `ann`'s with `titles` changesets in her outbox (each a new title).
std::string case_with_titles(Replica& ann, const std::string& ref, int titles) {
  std::string c = ann.vault->create_case({"scr", ref, "Batches", "", "", "", "open"});
  ann.vault->write_batch([&] {
    for (int k = 0; k < titles; ++k) ann.vault->set_field(c, "title", "Title " + std::to_string(k));
  });
  return c;
}

}  // namespace

TEST_CASE("replicas converge through the server despite drops, duplicates, reordering and restarts", "[sync][property]") {
  auto seed = GENERATE(range<std::uint64_t>(1, 9));
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  ServerUnderTest server;
  TempDir dir;
  std::vector<Replica> replicas;
  for (int i = 0; i < 5; ++i) {
    Replica r;
    r.vault = new_vault(dir, "r" + std::to_string(i));
    r.engine = std::make_unique<SyncEngine>(*r.vault);
    std::string code = server::add_user(*server.store, server.clock, "r" + std::to_string(i), "imr_author");
    FaultyCarrier clean(server, rng, false);
    r.engine->on_enroll_response(clean.send(r.engine->enroll_request(code)));
    replicas.push_back(std::move(r));
  }
  Vault& lead = *replicas[0].vault;
  std::string case_id = lead.create_case({"scr", "SCR-F", "Faults", "", "", "", "open"});
  std::string interview = lead.create_interview({case_id, "Pat", "", ""});
  for (std::size_t i = 1; i < replicas.size(); ++i) {
    lead.add_member(case_id, replicas[i].vault->user_card(), "note_taker", "r" + std::to_string(i));
    lead.add_member(interview, replicas[i].vault->user_card(), "note_taker", "r" + std::to_string(i));
  }
  std::vector<std::string> records = {case_id, interview, lead.add_note(interview, "n", "b")};

  std::size_t failures = 0;
  for (int round = 0; round < 5; ++round) {
    for (auto& r : replicas) {
      for (int e = 0; e < 3; ++e) {
        const std::string& rec = records[rng() % records.size()];
        try {
          if (rng() % 4 == 0) records.push_back(r.vault->add_note(interview, "t", "b" + std::to_string(rng() % 100)));
          else r.vault->set_field(rec, rng() % 2 ? "title" : "status", "v" + std::to_string(rng() % 100));
        } catch (const Error&) {
          // Not received yet on this replica: a legitimate refusal.
        }
      }
      FaultyCarrier carrier(server, rng, true);
      try {
        sync_with(*r.engine, carrier);
      } catch (const Error& e) {
        CHECK((e.code() == ErrorCode::unavailable || e.code() == ErrorCode::refused));
        r.engine->forget_token();
        ++failures;
      }
    }
    if (rng() % 2) server.restart();
    server.clock.advance(1000);
  }
  // The faults stop: two clean rounds bring everyone everything.
  for (int pass = 0; pass < 2; ++pass)
    for (auto& r : replicas) {
      FaultyCarrier clean(server, rng, false);
      SyncSummary s = sync_with(*r.engine, clean);
      CHECK(s.pending == 0);
    }
  std::string digest = lead.state_digest();
  std::size_t total = 0;
  for (auto& r : replicas) {
    CHECK(r.vault->state_digest() == digest);
    CHECK(r.vault->outbox_size() == 0);
    CHECK(r.vault->conflicts().size() == lead.conflicts().size());
    CHECK(r.vault->verify().empty());
    total = std::max(total, r.vault->export_changesets().size());
  }
  CHECK(count_rows(server.dir.path() / "server" / "server.db", "SELECT COUNT(DISTINCT id) FROM log") == total);
  CHECK(count_rows(server.dir.path() / "server" / "server.db", "SELECT COUNT(*) FROM log") == total);  // once each
  CHECK(failures > 0);                       // the faults did happen
}

TEST_CASE("membership through the server: a removed member gets nothing new, and a racing rotation is refused",
          "[sync][negative]") {
  std::mt19937_64 rng(7);
  ServerUnderTest server;
  TempDir dir;
  auto enrol = [&](const std::string& name) { return enrolled(server, dir, rng, name); };
  auto sync = [&](Replica& r) {
    FaultyCarrier clean(server, rng, false);
    return sync_with(*r.engine, clean);
  };
  Replica lead = enrol("Lee"), second = enrol("Sam"), ann = enrol("Ann"), bob = enrol("Bob");
  std::string c = lead.vault->create_case({"scr", "SCR-M", "Membership", "", "", "", "open"});
  lead.vault->add_member(c, second.vault->user_card(), "lead_reviewer", "Sam");
  lead.vault->add_member(c, ann.vault->user_card(), "note_taker", "Ann");
  lead.vault->add_member(c, bob.vault->user_card(), "note_taker", "Bob");
  CHECK_THROWS_AS(lead.vault->add_member(c, bob.vault->user_card(), "note_taker", "Bob"), Error);
  for (Replica* r : {&lead, &second, &ann, &bob}) sync(*r);

  // Two managers remove different members at the same time: the first rotation wins.
  lead.vault->remove_member(c, ann.vault->user_id(), "left");
  second.vault->remove_member(c, bob.vault->user_id(), "left");
  sync(lead);
  try {
    sync(second);
    FAIL("a second rotation of the same generation was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("another manager") != std::string::npos);
  }

  // Ann, removed, receives nothing written after her removal.
  lead.vault->set_field(c, "title", "After Ann left");
  sync(lead);
  std::size_t before = ann.vault->export_changesets().size();
  SyncSummary s = sync(ann);
  CHECK(s.received == 0);
  CHECK(ann.vault->export_changesets().size() == before);
  CHECK(ann.vault->get(c).fields["title"] == "Membership");
  // Bob, still a member, reads the new generation.
  sync(bob);
  CHECK(bob.vault->get(c).fields["title"] == "After Ann left");
}

TEST_CASE("a pull asks for its next page while it imports one, and asks what it would have asked after", "[sync]") {
  std::mt19937_64 rng(3);
  ServerUnderTest server;
  TempDir dir;
  Replica ann = enrolled(server, dir, rng, "Ann"), bob = enrolled(server, dir, rng, "Bob");
  std::string c = ann.vault->create_case({"scr", "SCR-P", "Pages", "", "", "", "open"});
  std::string i = ann.vault->create_interview({c, "Pat", "", ""});
  ann.vault->add_member(c, bob.vault->user_card(), "note_taker", "Bob");
  ann.vault->add_member(i, bob.vault->user_card(), "note_taker", "Bob");
  ann.vault->write_batch([&] {  // one changeset each: three pages of at most 1,000
    for (int k = 0; k < 2100; ++k) ann.vault->add_note(i, "Note " + std::to_string(k), "Body");
  });
  FaultyCarrier clean(server, rng, false);
  sync_with(*ann.engine, clean);

  SyncRun pull(*bob.engine, SyncRun::Phase::pull);
  std::size_t pages_read_ahead = 0;
  std::optional<wire::Request> request = pull.next();  // a login first
  REQUIRE(request);
  wire::Response response = clean.send(*request);
  std::optional<SyncEngine::PullPage> read;
  std::size_t opened_ahead = 0;  // payloads opened with the keys held before the page
  for (;;) {
    std::optional<wire::Request> ahead = pull.ahead(response);
    pull.feed(response, std::exchange(read, std::nullopt));
    if (ahead) {
      ++pages_read_ahead;
      wire::Request after = bob.engine->pull_request();  // what it asks once the page is in
      CHECK(ahead->path == after.path);
      CHECK(ahead->body == after.body);
      CHECK(ahead->accept == after.accept);
      CHECK(ahead->token == bob.engine->token());
      response = clean.send(*ahead);  // its answer is fed next, without next()
      read = pull.read_ahead(response);  // as on the thread that fetched it, beside the import
      REQUIRE(read);
      for (const auto& ops : read->changesets.opened()) opened_ahead += ops.empty() ? 0 : 1;
      continue;
    }
    request = pull.next();
    if (!request) break;
    response = clean.send(*request);
  }
  CHECK(pages_read_ahead == 2);  // after the first and second pages; the third says there is no more
  // Bob's keys arrive on the first page, after the second was read: only the third's are opened ahead.
  CHECK(opened_ahead > 0);
  CHECK(opened_ahead < 1000);
  CHECK(pull.summary().received >= 2100);
  CHECK(bob.vault->state_digest(i) == ann.vault->state_digest(i));
  CHECK(bob.vault->notes_of(i).size() == 2100);
}

TEST_CASE("a pull page read ahead with an altered changeset is refused whole when fed, as one read then", "[sync]") {
  std::mt19937_64 rng(4);
  ServerUnderTest server;
  TempDir dir;
  Replica ann = enrolled(server, dir, rng, "Ann"), bob = enrolled(server, dir, rng, "Bob");
  std::string c = ann.vault->create_case({"scr", "SCR-R", "Read ahead", "", "", "", "open"});
  ann.vault->add_member(c, bob.vault->user_card(), "note_taker", "Bob");
  ann.vault->write_batch([&] {
    for (int k = 0; k < 1500; ++k) ann.vault->set_field(c, "title", "Title " + std::to_string(k));
  });
  FaultyCarrier clean(server, rng, false);
  sync_with(*ann.engine, clean);

  SyncRun pull(*bob.engine, SyncRun::Phase::pull);
  std::optional<wire::Request> request = first_call(pull, clean);
  REQUIRE(request);
  wire::Response first = clean.send(*request);
  std::optional<wire::Request> ahead = pull.ahead(first);
  REQUIRE(ahead);
  pull.feed(first);
  const std::string cursors = bob.vault->sync_setting("cursors");
  const std::size_t held = bob.vault->export_changesets().size();

  wire::Response second = clean.send(*ahead);
  std::vector<Bytes> frames = wire::unframe(second.body);
  REQUIRE(frames.size() > 200);
  frames[200][frames[200].size() / 2] ^= 0x01;  // altered on the way
  second.body.clear();
  for (const Bytes& f : frames) wire::append_frame(second.body, f.data(), f.size());
  std::optional<SyncEngine::PullPage> read = pull.read_ahead(second);
  REQUIRE(read);  // read whole; the refusal waits in its batch for the import
  std::string fed_error, imported_error;
  try {
    pull.feed(second, std::move(read));
  } catch (const Error& e) {
    fed_error = e.what();
  }
  try {
    bob.vault->import_changesets(std::vector<Bytes>(frames.begin() + 1, frames.end()));
  } catch (const Error& e) {
    imported_error = e.what();
  }
  CHECK_THAT(fed_error, Catch::Contains("Nothing was imported"));
  CHECK(fed_error == imported_error);
  CHECK(bob.vault->export_changesets().size() == held);
  CHECK(bob.vault->sync_setting("cursors") == cursors);

  // An answer that is not a page at all is not read ahead; feeding it says why.
  wire::Response garbled = second;
  garbled.body = "not frames";
  CHECK_FALSE(pull.read_ahead(garbled));
  SyncRun again(*bob.engine, SyncRun::Phase::pull);
  request = first_call(again, clean);
  REQUIRE(request);
  CHECK_THROWS_WITH(again.feed(garbled), Catch::Contains("pull answer"));
  CHECK(bob.vault->sync_setting("cursors") == cursors);
}

TEST_CASE("a push reads its next batch while the one before travels, and sends it only if that one is accepted whole",
          "[sync]") {
  std::mt19937_64 rng(5);
  ServerUnderTest server;
  TempDir dir;
  Replica ann = enrolled(server, dir, rng, "Ann");
  std::string c = case_with_titles(ann, "SCR-B", 2100);  // three pushes of at most 1,024
  const std::vector<Bytes> outbox = ann.vault->outbox(10000);
  REQUIRE(outbox.size() == 2101);
  FaultyCarrier clean(server, rng, false);

  SyncRun push(*ann.engine, SyncRun::Phase::push, SyncRun::Phase::push);
  std::optional<wire::Request> request = push.next();  // a login first
  wire::Response response;
  std::size_t kept = 0;
  for (;;) {
    REQUIRE(request);
    std::optional<wire::Request> guess = push.guess_next();  // as if `request` were still on its way
    response = clean.send(*request);
    const bool fits = push.guess_fits(response);  // before the answer is taken in
    push.feed(response);
    const bool holds = guess && push.keep_guess(response);
    CHECK(fits == holds);  // so a driver may send the guess before feeding the answer
    if (guess) {
      // The batch right after the one in flight, read before its answer came.
      std::vector<Bytes> frames = wire::unframe(guess->body);
      std::size_t before = outbox.size() - ann.vault->outbox_size();
      REQUIRE(before < outbox.size());
      CHECK(frames.front() == outbox[before]);
      CHECK(holds);  // accepted whole: the guess is the next push
      ++kept;
      request = guess;
      continue;
    }
    request = push.next();
    if (!request) break;
  }
  CHECK(kept == 2);  // guessed while the first and second pushes travelled
  CHECK(push.summary().sent == outbox.size());
  CHECK(ann.vault->outbox_size() == 0);

  // A push refused part-way: the guess made meanwhile is dropped.
  for (int k = 0; k < 1100; ++k) ann.vault->set_field(c, "title", "Again " + std::to_string(k));
  SyncRun refused(*ann.engine, SyncRun::Phase::push, SyncRun::Phase::push);
  request = first_call(refused, clean);
  REQUIRE(request);
  std::vector<Bytes> frames = wire::unframe(request->body);
  frames[500][frames[500].size() / 2] ^= 0x01;  // altered on the way
  request->body.clear();
  for (const Bytes& f : frames) wire::append_frame(request->body, f.data(), f.size());
  std::optional<wire::Request> guess = refused.guess_next();
  REQUIRE(guess);
  response = clean.send(*request);
  CHECK(response.status == 400);
  CHECK_FALSE(refused.guess_fits(response));
  CHECK_THROWS_AS(refused.feed(response), Error);
  CHECK_FALSE(refused.keep_guess(response));
  CHECK(ann.vault->outbox_size() == 600);  // the 500 before the altered one were acknowledged
}

TEST_CASE("a push's next batch sent beside the one before may overtake it, and is sent again: nothing is lost",
          "[sync][negative]") {
  std::mt19937_64 rng(8);
  ServerUnderTest server;
  TempDir dir;
  Replica ann = enrolled(server, dir, rng, "Ann");
  std::string c = case_with_titles(ann, "SCR-O", 3500);  // four pushes of at most 1,024
  const std::size_t total = ann.vault->outbox_size();
  OvertakingCarrier overtaking(server);
  SyncSummary summary = sync_with(*ann.engine, overtaking);
  CHECK(overtaking.overtaken >= 1);  // a guess reached the server first, and was refused for its gap
  CHECK(summary.sent == total);
  CHECK(ann.vault->outbox_size() == 0);

  Replica bo = enrolled(server, dir, rng, "Bo");
  ann.vault->add_member(c, bo.vault->user_card(), "observer", "Bo");
  FaultyCarrier clean(server, rng, false);
  sync_with(*ann.engine, clean);
  sync_with(*bo.engine, clean);
  CHECK(bo.vault->get(c).fields["title"] == "Title 3499");
  CHECK(bo.vault->state_digest() == ann.vault->state_digest());
}
