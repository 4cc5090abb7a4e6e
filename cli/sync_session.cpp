#include "sync_session.hpp"

#include "casekeep/error.hpp"

namespace casekeep::cli {

SyncSession SyncSession::open(const Globals& globals) {
  SyncSession s;
  s.vault = open_unlocked(globals);
  const std::string server = s.vault->sync_setting("server");
  if (server.empty())
    throw Error(ErrorCode::not_found, "This vault is not enrolled with a server; run 'casekeep enroll' first.");
  s.engine = std::make_unique<SyncEngine>(*s.vault);
  s.carrier = std::make_unique<HttpCarrier>(server, s.vault->sync_setting("ca"));
  return s;
}

UserCard SyncSession::lookup(const std::string& name_or_id) {
  return engine->on_user_response(send_authorized(*engine, *carrier, [&] { return engine->user_request(name_or_id); }));
}

}  // namespace casekeep::cli
