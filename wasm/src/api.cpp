#include "api.hpp"

#include <filesystem>
#include <utility>

#include "casekeep/error.hpp"
#include "casekeep/records_json.hpp"

namespace casekeep::js {
namespace {

// Enrolment needs no token: one request with the one-time code.
class EnrollExchange : public Exchange {
 public:
  EnrollExchange(SyncEngine& engine, std::string code) : Exchange(engine), code_(std::move(code)) {}
  std::string name;  // the name the server knows, once answered

 protected:
  bool needs_login() const override { return false; }
  std::optional<wire::Request> next_call() override {
    if (answered_) return std::nullopt;
    return engine_.enroll_request(code_);
  }
  void on_answer(const wire::Response& response) override {
    name = engine_.on_enroll_response(response);
    answered_ = true;
  }

 private:
  std::string code_;
  bool answered_ = false;
};

// The browser's store (vault-store.mjs) writes back each chunk a write
// touched: empty the WAL when a large commit checkpoints, so that a bulk write
// or a pull page is written out once, into the database file, and not also as
// WAL.
VaultOptions browser_options() {
  VaultOptions options;
  options.wal_truncate = true;
  return options;
}

json error_json(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

}  // namespace

std::string text_arg(const json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || !it->is_string())
    throw Error(ErrorCode::invalid_argument, std::string("The argument '") + name + "' is missing or not text.");
  return it->get<std::string>();
}

std::string optional_text_arg(const json& args, const char* name) {
  auto it = args.find(name);
  return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Api::Api(std::string vault_path) : path_(std::move(vault_path)) {
  add_vault_methods();
  add_record_methods();
  add_note_methods();
  add_exchange_methods();
}

Api::~Api() = default;

std::string Api::call(const std::string& method, const std::string& args_json) noexcept {
  try {
    json args = args_json.empty() ? json::object() : json::parse(args_json);
    return json{{"ok", call_json(method, args)}}.dump();
  } catch (const Error& e) {
    return error_json(error_code_name(e.code()), e.what()).dump();
  } catch (const json::exception& e) {
    return error_json("invalid_argument", std::string("The arguments are not valid JSON of the right shape: ") + e.what())
        .dump();
  } catch (const std::bad_alloc&) {
    return R"({"error":{"code":"storage","message":"Out of memory."}})";
  } catch (const std::exception& e) {
    return error_json("internal", e.what()).dump();
  }
}

json Api::call_json(const std::string& method, const json& args) {
  auto it = methods_.find(method);
  if (it == methods_.end()) throw Error(ErrorCode::invalid_argument, "There is no method '" + method + "'.");
  if (!args.is_object()) throw Error(ErrorCode::invalid_argument, "The arguments must be a JSON object.");
  return it->second(args);
}

Vault& Api::vault() {
  if (!vault_) throw Error(ErrorCode::locked, "Unlock the vault first.");
  return *vault_;
}

SyncEngine& Api::engine() {
  if (!engine_) engine_ = std::make_unique<SyncEngine>(vault());
  return *engine_;
}

void Api::add_vault_methods() {
  methods_["status"] = [this](const json&) {
    const bool unlocked = vault_ && vault_->unlocked();
    json status = {{"exists", vault_ != nullptr || std::filesystem::exists(path_)},
                   {"unlocked", unlocked},
                   {"unsynced", 0},
                   {"last_sync", ""},
                   {"server", ""}};
    if (unlocked) {
      status["unsynced"] = vault_->outbox_size();
      status["last_sync"] = vault_->sync_setting("last_sync");
      status["server"] = vault_->sync_setting("server");
    }
    return status;
  };
  methods_["create"] = [this](const json& args) {
    VaultOptions options = browser_options();
    if (args.contains("kdf"))
      options.kdf = {args["kdf"].at("opslimit").get<std::uint64_t>(), args["kdf"].at("memlimit").get<std::uint64_t>()};
    vault_ = Vault::create(path_, text_arg(args, "passphrase"), text_arg(args, "name"), options);
    engine_.reset();
    return json(nullptr);
  };
  methods_["unlock"] = [this](const json& args) {
    if (!vault_) vault_ = Vault::open(path_, browser_options());
    vault_->unlock(text_arg(args, "passphrase"));
    return json(nullptr);
  };
  methods_["lock"] = [this](const json&) {
    exchange_.reset();
    engine_.reset();  // the login token goes with the keys
    if (vault_) vault_->lock();
    return json(nullptr);
  };
  methods_["identity"] = [this](const json&) {
    return json{{"user", vault().user_id()}, {"device", vault().device_id()}, {"name", vault().display_name()}};
  };
  methods_["verify"] = [this](const json&) { return json(vault().verify()); };
}

json Api::begin(std::unique_ptr<Exchange> exchange, std::function<json()> finish) {
  exchange_ = std::move(exchange);
  kept_.reset();
  guessing_ = false;
  finish_ = std::move(finish);
  exchange_over_ = false;
  return json(nullptr);
}

wire::Response Api::answer_arg(const json& args) {
  wire::Response response{args.at("status").get<int>(), optional_text_arg(args, "body")};
  if (args.contains("content_type")) response.content_type = text_arg(args, "content_type");
  if (args.value("buffered", false)) response.body = std::move(buffer_);  // bytes the caller put in buffer()
  return response;
}

json Api::request_json(wire::Request request) {
  json out = {{"method", request.method}, {"path", request.path}, {"token", request.token},
              {"content_type", request.content_type}, {"accept", request.accept}};
  if (wire::is_frames_type(request.content_type)) {
    buffer_ = std::move(request.body);  // bytes, not text: read from buffer()
    out["body"] = nullptr;
    out["body_size"] = buffer_.size();
  } else {
    out["body"] = std::move(request.body);
  }
  return out;
}

void Api::add_exchange_methods() {
  methods_["enroll"] = [this](const json& args) {
    const std::string server = text_arg(args, "server");
    auto exchange = std::make_unique<EnrollExchange>(engine(), text_arg(args, "code"));
    EnrollExchange* enroll = exchange.get();
    return begin(std::move(exchange), [this, enroll, server] {
      vault().set_sync_setting("server", server);
      return json{{"name", enroll->name}, {"user", vault().user_id()}};
    });
  };
  methods_["sync"] = [this](const json&) {
    if (vault().sync_setting("server").empty())
      throw Error(ErrorCode::not_found, "This vault is not enrolled with a server; enrol first.");
    auto exchange = std::make_unique<SyncRun>(engine());
    SyncRun* run = exchange.get();
    return begin(std::move(exchange), [this, run] {
      vault().set_sync_setting("last_sync", format_hlc(SystemClock().now_ms() << 16));
      const SyncSummary& s = run->summary();
      return json{{"sent", s.sent}, {"received", s.received}, {"pending", s.pending}, {"conflicts", s.conflicts}};
    });
  };
  methods_["add_member"] = [this](const json& args) {
    const std::string space = text_arg(args, "space"), user = text_arg(args, "user"), role = text_arg(args, "role");
    auto exchange = std::make_unique<AuthorizedCall>(engine(), [this, user] { return engine().user_request(user); });
    AuthorizedCall* lookup = exchange.get();
    return begin(std::move(exchange), [this, lookup, space, user, role] {
      vault().add_member(space, engine().on_user_response(lookup->answer()), role, user);
      return json(nullptr);
    });
  };
  methods_["next"] = [this](const json&) {
    if (!exchange_) throw Error(ErrorCode::invalid_argument, "No exchange with the server is in progress.");
    std::optional<wire::Request> request = exchange_->next();
    if (!request) {
      exchange_over_ = true;
      return json(nullptr);
    }
    return request_json(std::move(*request));
  };
  methods_["guess"] = [this](const json&) {
    if (!exchange_) throw Error(ErrorCode::invalid_argument, "No exchange with the server is in progress.");
    std::optional<wire::Request> request = exchange_->guess_next();
    guessing_ = request.has_value();
    return request ? request_json(std::move(*request)) : json(nullptr);
  };
  methods_["ahead"] = [this](const json& args) {
    if (!exchange_) throw Error(ErrorCode::invalid_argument, "No exchange with the server is in progress.");
    kept_ = answer_arg(args);
    std::optional<wire::Request> request = exchange_->ahead(*kept_);
    const bool fits = guessing_ && exchange_->guess_fits(*kept_);
    return json{{"request", request ? request_json(std::move(*request)) : json(nullptr)}, {"guess_fits", fits}};
  };
  methods_["feed"] = [this](const json& args) {
    if (!exchange_) throw Error(ErrorCode::invalid_argument, "No exchange with the server is in progress.");
    if (args.value("kept", false) && !kept_)
      throw Error(ErrorCode::invalid_argument, "No answer was given to \"ahead\" to feed.");
    wire::Response response = args.value("kept", false) ? std::move(*kept_) : answer_arg(args);
    kept_.reset();
    const bool guessed = std::exchange(guessing_, false);
    bool kept_guess = false;
    try {
      exchange_->feed(response);
      kept_guess = guessed && exchange_->keep_guess(response);
    } catch (...) {
      exchange_.reset();  // a failed exchange is over; what it acknowledged stays acknowledged
      throw;
    }
    return json{{"progress", exchange_->progress()}, {"guess_kept", kept_guess}};
  };
  methods_["result"] = [this](const json&) {
    if (!exchange_ || !exchange_over_)
      throw Error(ErrorCode::invalid_argument, "No exchange with the server has finished.");
    std::unique_ptr<Exchange> done = std::move(exchange_);
    return finish_();
  };
}

}  // namespace casekeep::js
