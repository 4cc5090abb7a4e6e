// The JavaScript API's C++ side (wasm/src/api.*), natively: JSON in, JSON
// out, errors as codes, and server exchanges carried step by step exactly as
// casekeep.mjs carries them with fetch() — here through the real SyncService
// in memory.
#include <catch2/catch.hpp>

#include "admin.hpp"
#include "api.hpp"
#include "casekeep/error.hpp"
#include "casekeep/sync_engine.hpp"
#include "service.hpp"
#include "support.hpp"

using namespace casekeep;
using namespace casekeep::test;
using casekeep::js::Api;
using json = nlohmann::json;

namespace {

const json kFastKdf = {{"opslimit", crypto::PwhashParams::minimum().opslimit},
                       {"memlimit", crypto::PwhashParams::minimum().memlimit}};

struct MemoryServer {
  explicit MemoryServer(server::Limits limits = {}) : service{store, clock, limits} {}
  TempDir dir;
  FakeClock clock;
  server::Store store{dir.path() / "server"};
  server::SyncService service;
};

class MemoryCarrier final : public Carrier {
 public:
  explicit MemoryCarrier(MemoryServer& server) : server_(server) {}
  wire::Response send(const wire::Request& request) override { return server_.service.handle(request); }

 private:
  MemoryServer& server_;
};

// What casekeep.mjs does: ask for the next request and carry it, and while it
// travels, ask for the "guess" that follows it. Give its answer to "ahead":
// carry the request that gives, if any, or the guess if it fits, before the
// kept answer is fed (the browser's fetch travels while the core works); then
// the answer given next is that request's, or the kept guess's. `early`
// counts the requests carried before the answer before them was fed.
json carry(Api& api, MemoryServer& server, bool unreachable = false, int* early = nullptr) {
  auto send = [&](const json& request) {
    // Frames come out of the buffer, JSON inside the answer.
    std::string body = request["body"].is_null() ? api.buffer() : request["body"].get<std::string>();
    if (request["body"].is_null()) REQUIRE(body.size() == request["body_size"].get<std::size_t>());
    wire::Request r{request["method"], request["path"], body, request["token"]};
    r.content_type = request["content_type"];
    r.accept = request["accept"];
    return r;
  };
  auto answer_to = [&](const wire::Request& r) { return unreachable ? wire::Response{0, "", ""} : server.service.handle(r); };
  json request = api.call_json("next", json::object());
  if (request.is_null()) return api.call_json("result", json::object());
  wire::Response answer = answer_to(send(request));
  for (;;) {
    json guess_json = api.call_json("guess", json::object());
    std::optional<wire::Request> guess;
    if (!guess_json.is_null()) guess = send(guess_json);
    json given = {{"status", answer.status}, {"content_type", answer.content_type}};
    if (wire::is_frames_type(answer.content_type)) {
      api.buffer() = answer.body;
      given["buffered"] = true;
    } else {
      given["body"] = answer.body;
    }
    json ahead = api.call_json("ahead", given);
    std::optional<wire::Response> sent_early;
    if (!ahead["request"].is_null()) sent_early = answer_to(send(ahead["request"]));
    else if (guess && ahead["guess_fits"] == true) sent_early = answer_to(*guess);
    if (sent_early && early) ++*early;
    json fed = api.call_json("feed", {{"kept", true}});
    if (!ahead["request"].is_null()) {
      answer = std::move(*sent_early);
      continue;
    }
    if (fed["guess_kept"] == true) {
      answer = sent_early ? std::move(*sent_early) : answer_to(*guess);
      continue;
    }
    request = api.call_json("next", json::object());
    if (request.is_null()) break;
    answer = answer_to(send(request));
  }
  return api.call_json("result", json::object());
}

json error_of(const std::string& answer) { return json::parse(answer).at("error"); }

}  // namespace

TEST_CASE("the JS API answers in JSON and reports failures as codes, changing nothing", "[js]") {
  TempDir dir;
  Api api(dir.file("vault.db"));
  CHECK(error_of(api.call("no_such_method", "{}"))["code"] == "invalid_argument");
  CHECK(error_of(api.call("cases", "{}"))["code"] == "locked");
  CHECK(error_of(api.call("create", "not json"))["code"] == "invalid_argument");
  CHECK(json::parse(api.call("status", "{}"))["ok"]["exists"] == false);

  api.call_json("create", {{"passphrase", "a long passphrase"}, {"name", "Alex Author"}, {"kdf", kFastKdf}});
  const std::string case_id =
      api.call_json("create_case", {{"kind", "imr"}, {"reference", "IMR-1"}, {"title", "Health visiting"}});
  CHECK(error_of(api.call("create_case", R"({"kind":"imr"})"))["message"] ==
        "The argument 'reference' is missing or not text.");
  CHECK(error_of(api.call("create_case", R"({"kind":"nonsense","reference":"R","title":"T"})"))["code"] ==
        "invalid_argument");
  CHECK(api.call_json("cases", json::object()).size() == 1);
  CHECK(api.call_json("get", {{"id", case_id}})["fields"]["title"] == "Health visiting");
  CHECK(error_of(api.call("get", json{{"id", std::string(32, 'a')}}.dump()))["code"] == "not_found");
  CHECK(error_of(api.call("get", R"({"id":"00"})"))["code"] == "invalid_argument");
  CHECK(api.call_json("status", json::object())["unsynced"] == 1);
  const std::string interview = api.call_json("create_interview", {{"case", case_id}, {"practitioner", "Pat"}});
  json ids = api.call_json("add_notes", {{"interview", interview},
                                         {"notes", {{{"title", "a"}, {"body", "b"}}, {{"title", "c"}, {"body", "d"}}}}});
  CHECK(ids.size() == 2);
  CHECK(api.call_json("notes", {{"interview", interview}}).size() == 2);
  // All or nothing: a bad note in the list writes none of them.
  CHECK(error_of(api.call("add_notes", json{{"interview", interview}, {"notes", {{{"title", "e"}, {"body", "f"}}, {{"title", 1}}}}}.dump()))["code"] ==
        "invalid_argument");
  CHECK(api.call_json("notes", {{"interview", interview}}).size() == 2);
  CHECK(api.call_json("status", json::object())["unsynced"] == 3);  // case, interview, both notes in one changeset
  // A batch: each call its own changeset, all in one transaction, or none.
  json two = api.call_json("batch", {{"calls", {{{"method", "add_note"}, {"args", {{"interview", interview}, {"title", "g"}, {"body", "h"}}}},
                                                {{"method", "add_note"}, {"args", {{"interview", interview}, {"title", "i"}, {"body", "j"}}}}}}});
  CHECK(two.size() == 2);
  CHECK(api.call_json("status", json::object())["unsynced"] == 5);
  json bad_second = {{"calls", {{{"method", "add_note"}, {"args", {{"interview", interview}, {"title", "k"}, {"body", "l"}}}},
                                {{"method", "add_note"}, {"args", {{"interview", interview}, {"title", ""}, {"body", "m"}}}}}}};
  CHECK(error_of(api.call("batch", bad_second.dump()))["code"] == "invalid_argument");
  CHECK(error_of(api.call("batch", json{{"calls", {{{"method", "lock"}}}}}.dump()))["code"] == "invalid_argument");
  CHECK(api.call_json("notes", {{"interview", interview}}).size() == 4);
  CHECK(api.call_json("status", json::object())["unsynced"] == 5);

  Api again(dir.file("vault.db"));  // a reload: the same file, locked
  CHECK(again.call_json("status", json::object())["exists"] == true);
  json wrong = error_of(again.call("unlock", R"({"passphrase":"not it"})"));
  CHECK(wrong["code"] == "wrong_passphrase");
  CHECK(again.call_json("status", json::object())["unlocked"] == false);
  again.call_json("unlock", {{"passphrase", "a long passphrase"}});
  CHECK(again.call_json("cases", json::object()).size() == 1);
  again.call_json("lock", json::object());
  CHECK(error_of(again.call("cases", "{}"))["code"] == "locked");
  CHECK(error_of(again.call("next", "{}"))["code"] == "invalid_argument");  // no exchange in progress
}

TEST_CASE("the JS API carries enrolment, a directory lookup and sync as step-by-step exchanges", "[js][sync]") {
  MemoryServer server;
  TempDir dir;
  Api author(dir.file("author.db"));
  author.call_json("create", {{"passphrase", "author passphrase"}, {"name", "Alex Author"}, {"kdf", kFastKdf}});
  json enrolled = (author.call_json("enroll", {{"server", "http://127.0.0.1:1"},
                                               {"code", server::add_user(server.store, server.clock, "Alex Author", "imr_author")}}),
                   carry(author, server));
  CHECK(enrolled["name"] == "Alex Author");
  CHECK(author.call_json("status", json::object())["server"] == "http://127.0.0.1:1");

  // The practitioner uses the native engine.
  auto pat = new_vault(dir, "pat");
  SyncEngine pat_engine(*pat);
  MemoryCarrier pat_carrier(server);
  pat_engine.on_enroll_response(
      pat_carrier.send(pat_engine.enroll_request(server::add_user(server.store, server.clock, "Pat", "practitioner"))));

  const std::string case_id = author.call_json("create_case", {{"kind", "imr"}, {"reference", "R"}, {"title", "T"}});
  const std::string interview = author.call_json("create_interview", {{"case", case_id}, {"practitioner", "Pat"}});
  author.call_json("add_member", {{"space", interview}, {"user", "Pat"}, {"role", "practitioner"}});
  carry(author, server);
  const std::string note = author.call_json("add_note", {{"interview", interview}, {"title", "Visit"}, {"body", "Saw the child."}});
  author.call_json("sign_note", {{"note", note}});

  // Offline: the exchange fails as "unavailable", and nothing is lost.
  const json unsynced = author.call_json("status", json::object())["unsynced"];
  author.call_json("sync", json::object());
  author.call_json("sync", json::object());
  REQUIRE_THROWS_AS(carry(author, server, true), Error);
  CHECK(author.call_json("status", json::object())["unsynced"] == unsynced);

  json summary = (author.call_json("sync", json::object()), carry(author, server));
  CHECK(summary["sent"] == unsynced);
  CHECK(author.call_json("status", json::object())["unsynced"] == 0);
  CHECK(author.call_json("status", json::object())["last_sync"] != "");

  sync_with(pat_engine, pat_carrier);
  pat->agree_note(note);
  sync_with(pat_engine, pat_carrier);

  author.call_json("sync", json::object());
  carry(author, server);
  json view = author.call_json("note", {{"id", note}});
  CHECK(view["status"] == "agreed");
  REQUIRE(view["signatures"].size() == 2);
  CHECK(view["signatures"][1]["signer"] == pat->user_id());
  CHECK(view["signatures"][1]["valid"] == true);
}

TEST_CASE("the JS API gives a pull's next page ahead, carried while the page before is taken in", "[js][sync]") {
  server::Limits limits;
  limits.max_pull_bytes = 1;  // every changeset is bigger: one per page
  limits.rate_per_second = 0;
  MemoryServer server(limits);
  TempDir dir;
  auto enrolled = [&](const std::string& file, const std::string& name, const std::string& role) {
    auto api = std::make_unique<Api>(dir.file(file));
    api->call_json("create", {{"passphrase", "a long passphrase"}, {"name", name}, {"kdf", kFastKdf}});
    api->call_json("enroll", {{"server", "http://127.0.0.1:1"}, {"code", server::add_user(server.store, server.clock, name, role)}});
    carry(*api, server);
    return api;
  };
  auto author = enrolled("author.db", "Alex Author", "imr_author");
  auto reader = enrolled("reader.db", "Riley Reader", "imr_author");
  const std::string case_id = author->call_json("create_case", {{"kind", "imr"}, {"reference", "R"}, {"title", "T"}});
  const std::string interview = author->call_json("create_interview", {{"case", case_id}, {"practitioner", "Riley Reader"}});
  author->call_json("add_member", {{"space", interview}, {"user", "Riley Reader"}, {"role", "note_taker"}});
  carry(*author, server);  // the directory lookup
  for (int i = 0; i < 5; ++i) author->call_json("add_note", {{"interview", interview}, {"title", "t" + std::to_string(i)}, {"body", "b"}});
  const json sent = (author->call_json("sync", json::object()), carry(*author, server))["sent"];

  int ahead = 0;
  json got = (reader->call_json("sync", json::object()), carry(*reader, server, false, &ahead));
  CHECK(got["received"] == sent.get<int>() - 1);  // all but the case's own changeset: the reader is not in the case
  CHECK(ahead == got["received"].get<int>() - 1);  // one per page; every page but the last said more
  CHECK(reader->call_json("notes", {{"interview", interview}}).size() == 5);
  // Nothing kept to feed: refused, and the exchange goes on.
  reader->call_json("sync", json::object());
  CHECK(error_of(reader->call("feed", R"({"kept":true})"))["code"] == "invalid_argument");
  CHECK(carry(*reader, server)["received"] == 0);
}

TEST_CASE("the JS API gives a push's next batch as a guess, sent before the batch before is acknowledged", "[js][sync]") {
  MemoryServer server;
  TempDir dir;
  Api author(dir.file("author.db"));
  author.call_json("create", {{"passphrase", "a long passphrase"}, {"name", "Alex Author"}, {"kdf", kFastKdf}});
  author.call_json("enroll", {{"server", "http://127.0.0.1:1"},
                              {"code", server::add_user(server.store, server.clock, "Alex Author", "imr_author")}});
  carry(author, server);
  const std::string case_id = author.call_json("create_case", {{"kind", "imr"}, {"reference", "R"}, {"title", "T"}});
  const std::string interview = author.call_json("create_interview", {{"case", case_id}, {"practitioner", "Pat"}});
  // More changesets than one push carries (wire::kMaxPushBatch): two batches and a bit.
  json calls = json::array();
  for (std::size_t i = 0; i < 2 * wire::kMaxPushBatch + 10; ++i)
    calls.push_back({{"method", "add_note"}, {"args", {{"interview", interview}, {"title", "t"}, {"body", "b"}}}});
  author.call_json("batch", {{"calls", calls}});
  const json unsynced = author.call_json("status", json::object())["unsynced"];

  int early = 0;
  json summary = (author.call_json("sync", json::object()), carry(author, server, false, &early));
  CHECK(summary["sent"] == unsynced);
  CHECK(early == 2);  // each batch after the first left before the one before was acknowledged
  CHECK(author.call_json("status", json::object())["unsynced"] == 0);
  // Nothing was sent twice, nor skipped: the server holds each changeset once.
  CHECK(server.store.log_after(from_hex(interview), 0, 100000, {}, 1000000).refs.size() ==
        unsynced.get<std::size_t>() - 1);  // all but the case's own, in another space
}
