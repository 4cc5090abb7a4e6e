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
  TempDir dir;
  FakeClock clock;
  server::Store store{dir.path() / "server"};
  server::SyncService service{store, clock, server::Limits{}};
};

class MemoryCarrier final : public Carrier {
 public:
  explicit MemoryCarrier(MemoryServer& server) : server_(server) {}
  wire::Response send(const wire::Request& request) override { return server_.service.handle(request); }

 private:
  MemoryServer& server_;
};

// What casekeep.mjs does: ask for the next request, carry it, feed the answer.
json carry(Api& api, MemoryServer& server, bool unreachable = false) {
  for (;;) {
    json request = api.call_json("next", json::object());
    if (request.is_null()) break;
    // Frames come out of the buffer, JSON inside the answer.
    std::string body = request["body"].is_null() ? api.buffer() : request["body"].get<std::string>();
    if (request["body"].is_null()) REQUIRE(body.size() == request["body_size"].get<std::size_t>());
    wire::Request r{request["method"], request["path"], body, request["token"]};
    r.content_type = request["content_type"];
    r.accept = request["accept"];
    wire::Response answer = unreachable ? wire::Response{0, "", ""} : server.service.handle(r);
    if (wire::is_frames_type(answer.content_type)) {
      api.buffer() = answer.body;
      api.call_json("feed", {{"status", answer.status}, {"content_type", answer.content_type}, {"buffered", true}});
    } else {
      api.call_json("feed", {{"status", answer.status}, {"content_type", answer.content_type}, {"body", answer.body}});
    }
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
