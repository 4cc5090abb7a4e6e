// The sans-IO sync engine: builds request bodies from the vault and applies
// response bodies to it. Parsing is strict: an answer that is not what the
// contract (docs/http-api.md) says is an error, never a guess.
#include "casekeep/sync_engine.hpp"

#include <cctype>

#include "casekeep/error.hpp"
#include "casekeep/exchange.hpp"

namespace casekeep {
namespace {

using wire::json;

json parse(const std::string& body, const char* what) {
  try {
    return json::parse(body);
  } catch (const json::exception&) {
    throw Error(ErrorCode::refused, std::string("The server's answer to ") + what + " is not JSON.");
  }
}

}  // namespace

void expect_ok(const wire::Response& response, const char* what) {
  if (response.status == 200) return;
  if (response.status == 0)
    throw Error(ErrorCode::unavailable, std::string("The server could not be reached for ") + what +
                                            "; nothing was lost, sync again later.");
  std::string message;
  try {
    message = json::parse(response.body).at("error").at("message").get<std::string>();
  } catch (const json::exception&) {
    message = "HTTP status " + std::to_string(response.status) + ".";
  }
  throw Error(ErrorCode::refused, std::string("The server refused ") + what + ": " + message);
}

wire::Request SyncEngine::authorized(std::string method, std::string path, std::string body) const {
  return {std::move(method), std::move(path), std::move(body), token_};
}

wire::Request SyncEngine::enroll_request(const std::string& code) const {
  UserCard card = vault_.user_card();
  json body = {{"code", code},
               {"user", wire::base64(from_hex(card.user))},
               {"box", wire::base64(from_hex(card.box_key))},
               {"card", wire::base64(from_hex(card.sig))},
               {"device", wire::base64(from_hex(vault_.device_id()))},
               {"cert", wire::base64(from_hex(vault_.device_certificate()))}};
  return {"POST", "/v1/enroll", body.dump(), ""};
}

std::string SyncEngine::on_enroll_response(const wire::Response& response) {
  expect_ok(response, "the enrolment");
  json j = parse(response.body, "the enrolment");
  if (j.value("user", "") != vault_.user_id())
    throw Error(ErrorCode::refused, "The server enrolled a different user than this vault's.");
  return j.value("name", "");
}

wire::Request SyncEngine::challenge_request() const {
  return {"POST", "/v1/login/challenge", json{{"device", wire::base64(from_hex(vault_.device_id()))}}.dump(), ""};
}

wire::Request SyncEngine::login_request(const wire::Response& challenge_response) const {
  expect_ok(challenge_response, "the login challenge");
  json j = parse(challenge_response.body, "the login challenge");
  if (!j.contains("challenge") || !j["challenge"].is_string())
    throw Error(ErrorCode::refused, "The server's login challenge has no challenge.");
  Bytes challenge = wire::unbase64(j["challenge"].get<std::string>());
  json body = {{"device", wire::base64(from_hex(vault_.device_id()))},
               {"challenge", j["challenge"]},
               {"sig", wire::base64(vault_.sign_with_device(wire::kLoginSigType, challenge))}};
  return {"POST", "/v1/login", body.dump(), ""};
}

void SyncEngine::on_login_response(const wire::Response& response) {
  expect_ok(response, "the login");
  json j = parse(response.body, "the login");
  if (!j.contains("token") || !j["token"].is_string()) throw Error(ErrorCode::refused, "The server's login gave no token.");
  token_ = j["token"].get<std::string>();
}

std::optional<wire::Request> SyncEngine::push_request(std::size_t batch, std::size_t skip) const {
  std::vector<Bytes> outbox = vault_.outbox(batch, skip);
  if (outbox.empty()) return std::nullopt;
  // Stop short of the server's body limit: a changeset may be up to 4 MiB,
  // so a full batch of large ones would not fit in one request.
  constexpr std::size_t kPushBodyBudget = wire::kMaxBodyBytes - 64 * 1024;
  std::string body;
  std::size_t count = 0;
  for (const Bytes& cs : outbox) {
    if (count > 0 && body.size() + 4 + cs.size() > kPushBodyBudget) break;
    wire::append_frame(body, cs.data(), cs.size());
    ++count;
  }
  wire::Request request = authorized("POST", "/v1/push", std::move(body));
  request.content_type = wire::kFramesType;
  return request;
}

std::vector<Bytes> SyncEngine::accepted_ids(const wire::Response& response) {
  if (response.status == 0) expect_ok(response, "the push");
  json j = parse(response.body, "the push");
  std::vector<Bytes> accepted;
  if (j.contains("accepted") && j["accepted"].is_array())
    for (const auto& a : j["accepted"]) accepted.push_back(from_hex(a.at("id").get<std::string>()));
  return accepted;
}

std::size_t SyncEngine::on_push_response(const wire::Response& response) {
  std::vector<Bytes> acknowledged = accepted_ids(response);
  vault_.acknowledge(acknowledged);  // kept by the server: never sent again
  expect_ok(response, "a changeset of the push");
  return acknowledged.size();
}

wire::Request SyncEngine::pull_request(std::size_t limit) const {
  std::string stored = vault_.sync_setting("cursors");
  return pull_from(stored.empty() ? json::object() : json::parse(stored), limit);
}

wire::Request SyncEngine::pull_from(const json& cursors, std::size_t limit) const {
  json held = vault_.own_chain_seqs();  // what this device made is not sent back
  wire::Request request = authorized("POST", "/v1/pull", json{{"cursors", cursors}, {"limit", limit}, {"held", held}}.dump());
  request.accept = wire::kFramesType;  // a server that only speaks JSON answers in JSON
  return request;
}

std::optional<wire::Request> SyncEngine::pull_request_after(const wire::Response& page, std::size_t limit) const {
  if (page.status != 200 || !wire::is_frames_type(page.content_type)) return std::nullopt;
  json j;
  try {
    std::vector<Bytes> first = wire::unframe(page.body, 1);
    if (first.empty()) return std::nullopt;
    j = json::parse(first.front().begin(), first.front().end());
  } catch (const std::exception&) {
    return std::nullopt;  // on_pull_response says what is wrong with it
  }
  if (!j.is_object() || !j.contains("cursors") || !j["cursors"].is_object() || !j.contains("more") ||
      j["more"] != true)
    return std::nullopt;
  return pull_from(j["cursors"], limit);
}

SyncEngine::PullPage SyncEngine::read_pull_page(const wire::Response& response, const PayloadKeys* keys) {
  expect_ok(response, "the pull");
  json j;
  std::vector<Bytes> changesets;
  const bool framed = wire::is_frames_type(response.content_type);
  if (framed) {
    // The page's JSON without its changesets, then the changesets, each a frame.
    try {
      changesets = wire::unframe(response.body);
    } catch (const Error& e) {
      throw Error(ErrorCode::refused, std::string("The server's pull answer is not a list of frames: ") + e.what());
    }
    if (changesets.empty()) throw Error(ErrorCode::refused, "The server's pull answer is empty.");
    j = parse(std::string(changesets.front().begin(), changesets.front().end()), "the pull");
    changesets.erase(changesets.begin());
  } else {
    j = parse(response.body, "the pull");
  }
  if ((!framed && (!j.contains("changesets") || !j["changesets"].is_array())) || !j.contains("cursors") ||
      !j["cursors"].is_object() || !j.contains("more") || !j["more"].is_boolean())
    throw Error(ErrorCode::refused, "The server's pull answer does not have changesets, cursors and more.");
  if (!framed)
    for (const auto& c : j["changesets"]) changesets.push_back(wire::unbase64(c.get<std::string>()));
  return {std::move(j["cursors"]), j["more"].get<bool>(), CheckedBatch::check(changesets, keys)};
}

bool SyncEngine::on_pull_response(const wire::Response& response, SyncSummary& summary) {
  return on_pull_page(read_pull_page(response), summary);
}

bool SyncEngine::on_pull_page(PullPage page, SyncSummary& summary) {
  // Throws naming a bad changeset before applying any; the cursors then stay where they were.
  ImportReport report = vault_.import_checked(std::move(page.changesets), {{"cursors", page.cursors.dump()}});
  summary.received += report.applied;
  summary.pending = report.pending;
  return page.more;
}

wire::Request SyncEngine::user_request(const std::string& name_or_id) const {
  bool is_id = name_or_id.size() == 64 && name_or_id.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (is_id) return authorized("GET", "/v1/users/" + name_or_id, "");
  std::string encoded;
  for (unsigned char c : name_or_id) {  // percent-encode everything but unreserved characters
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return authorized("GET", "/v1/users?name=" + encoded, "");
}

UserCard SyncEngine::on_user_response(const wire::Response& response) const {
  expect_ok(response, "the user lookup");
  json j = parse(response.body, "the user lookup");
  try {
    return {j.at("user").get<std::string>(), j.at("box_key").get<std::string>(), j.at("sig").get<std::string>()};
  } catch (const json::exception&) {
    throw Error(ErrorCode::refused, "The server's user card is incomplete.");
  }
}

wire::Request SyncEngine::conflicts_request(const std::string& space) const {
  return authorized("GET", "/v1/spaces/" + space + "/conflicts", "");
}

SyncSummary sync_with(SyncEngine& engine, Carrier& carrier, const std::function<void(const std::string&)>& progress) {
  SyncRun run(engine);
  drive(run, carrier, [&] {
    if (progress) progress(run.progress());
  });
  return run.summary();
}

wire::Response send_authorized(SyncEngine& engine, Carrier& carrier, const std::function<wire::Request()>& make) {
  AuthorizedCall call(engine, make);
  drive(call, carrier);
  return call.answer();
}

}  // namespace casekeep
