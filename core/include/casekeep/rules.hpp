// Membership rules shared by every party that checks changesets: the vault on
// import and the sync server on push. Pure functions; no storage.
#pragma once
#include <string>

#include "casekeep/bytes.hpp"

namespace casekeep {

bool role_may_write(const std::string& role);   // every role except observer
bool role_may_manage(const std::string& role);  // lead_reviewer, imr_author, hor_author
bool is_role(const std::string& role);
// Space (and record) ids: the first 16 bytes of BLAKE2b-256(creator || nonce),
// so only the creator can make the genesis of a space or the create of a record.
Bytes space_id_for(const Bytes& creator, const Bytes& nonce);

}  // namespace casekeep
