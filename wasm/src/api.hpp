// The C++ side of the JavaScript API: one entry point that takes a method name
// and JSON arguments and returns JSON. Exceptions stop here and become
// {"error": {"code", "message"}}; everything else is {"ok": result}.
//
// Talking to the server is an exchange the caller carries: a method such as
// "sync" starts it, then "next" gives each request to send (null when over),
// "feed" takes its answer and "result" ends it. Frames (binary) bodies cross
// through buffer(), both ways. The browser carries the
// requests with fetch(); tests carry them in memory. Nothing here does I/O
// beyond the vault's SQLite file, so the same code runs natively and in wasm.
#pragma once
#include <functional>
#include <map>
#include <memory>
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

  std::string path_;
  std::map<std::string, Method> methods_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<SyncEngine> engine_;
  std::unique_ptr<Exchange> exchange_;  // the exchange in progress, if any
  std::function<json()> finish_;
  bool exchange_over_ = false;  // next() has said there is nothing more to send
  std::string buffer_;
};

// Arguments by name: Error(invalid_argument) when a required one is missing.
std::string text_arg(const json& args, const char* name);
std::string optional_text_arg(const json& args, const char* name);

}  // namespace casekeep::js
