#include "casekeep/rules.hpp"

#include <algorithm>

#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/records.hpp"

namespace casekeep {

bool role_may_write(const std::string& role) { return is_role(role) && role != "observer"; }
bool role_may_manage(const std::string& role) {
  return role == "lead_reviewer" || role == "imr_author" || role == "hor_author";
}
bool is_role(const std::string& role) { return std::find(kRoles.begin(), kRoles.end(), role) != kRoles.end(); }

Bytes space_id_for(const Bytes& creator, const Bytes& nonce) {
  Bytes in = creator;
  in.insert(in.end(), nonce.begin(), nonce.end());
  Bytes h = crypto::hash(in);
  h.resize(kSpaceIdSize);
  return h;
}

}  // namespace casekeep
