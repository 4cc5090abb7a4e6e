// The C++ side of the JavaScript API: one entry point that takes a method name
// and JSON arguments and returns JSON. Exceptions stop here and become
// {"error": {"code", "message"}}; everything else is {"ok": result}.
//
// Talking to the server is an exchange the caller carries: a method such as
// "sync" starts it, then "next" gives each request to send (null when over),
// "feed" takes its answer and "result" ends it. Two steps let the caller
// send a request before the answer before it is taken in, as drive() does:
//   "ahead", given an answer in place of "feed", keeps it and gives
//   {"request"}: the request that will follow it when that is already known
//   (a pull's next page), to send while "feed" with "kept": true takes the
//   kept answer in; the next answer is that request's;
//   "guess", while a request travels, gives the one that follows it if its
//   answer is the expected one (a push's next batch); "ahead" then says
//   {"guess_fits"} (send it before "feed"), and "feed" says {"guess_kept"}:
//   it counts as sent, and its answer is given next.
// Frames (binary) bodies cross through buffer(), both ways. The browser
// carries the requests with fetch(); tests carry them in memory. Nothing here does I/O
// beyond the vault's SQLite file, so the same code runs natively and in wasm.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "casekeep/exchange.hpp"
#include "casekeep/vault.hpp"

namespace casekeep::js {

using json = nlohmann::json;

class Api {
 public:
  explicit Api(std::string vault_path);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  std::string call(const std::string& method, const std::string& args_json) noexcept;
  // Bytes that do not travel as JSON text: the body of a request "next" gave
  // with "body_size" (frames), or an answer's body, put here before "feed"
  // with "buffered": true.
  std::string& buffer() { return buffer_; }
  json call_json(const std::string& method, const json& args);  // throws casekeep::Error

 private:
  using Method = std::function<json(const json&)>;
  void add_vault_methods();
  void add_record_methods();
  void add_note_methods();
  void add_exchange_methods();
  Vault& vault();  // the open vault; Error(not_found) when there is none
  SyncEngine& engine();
  // Start an exchange; `finish` gives its result once next() has nothing more.
  json begin(std::unique_ptr<Exchange> exchange, std::function<json()> finish);
  wire::Response answer_arg(const json& args);  // an answer given to "feed" or "ahead"
  json request_json(wire::Request request);      // a request as "next", "ahead" and "guess" give it

  std::string path_;
  std::map<std::string, Method> methods_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<SyncEngine> engine_;
  std::unique_ptr<Exchange> exchange_;  // the exchange in progress, if any
  std::function<json()> finish_;
  bool exchange_over_ = false;  // next() has said there is nothing more to send
  std::optional<wire::Response> kept_;  // the answer "ahead" was given, for "feed"
  bool guessing_ = false;               // "guess" gave a request, not yet kept or dropped
  std::string buffer_;
};

// Arguments by name: Error(invalid_argument) when a required one is missing.
std::string text_arg(const json& args, const char* name);
std::string optional_text_arg(const json& args, const char* name);

}  // namespace casekeep::js
