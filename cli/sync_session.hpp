// What every networked command needs: the vault, the server it enrolled with,
// an engine over the vault and the HTTP carrier to that server.
#pragma once
#include <memory>
#include <string>

#include "casekeep/http_carrier.hpp"
#include "casekeep/sync_engine.hpp"
#include "globals.hpp"

namespace casekeep::cli {

struct SyncSession {
  std::unique_ptr<Vault> vault;
  std::unique_ptr<SyncEngine> engine;
  std::unique_ptr<HttpCarrier> carrier;

  // Throws Error(not_found) when this vault has not enrolled with a server.
  static SyncSession open(const Globals& globals);
  // The card of a user found in the server's directory by name or hex id.
  UserCard lookup(const std::string& name_or_id);
};

}  // namespace casekeep::cli
