// Operator commands over the server store (admin.hpp).
#include "admin.hpp"

#include <algorithm>
#include <sstream>

#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "casekeep/rules.hpp"
#include "service_body.hpp"

namespace casekeep::server {

std::string add_user(Store& store, Clock& clock, const std::string& name, const std::string& role) {
  crypto::init();
  if (name.empty() || name.size() > 200 ||
      std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    throw Error(ErrorCode::invalid_argument, "A user's name must be 1 to 200 characters, with no control characters.");
  if (!role.empty() && !is_role(role))
    throw Error(ErrorCode::invalid_argument, "'" + role + "' is not a role: use lead_reviewer, imr_author, hor_author, "
                                             "note_taker, supporting_manager, director, chief_executive, practitioner or observer.");
  std::string code = to_hex(crypto::random_bytes(16));
  store.add_code(name, role, crypto::hash(to_bytes(code)), clock.now_ms());
  return code;
}

std::string user_list_text(Store& store) {
  std::ostringstream out;
  for (const UserEntry& u : store.users()) {
    auto devices = u.user.empty() ? std::vector<DeviceEntry>{} : store.devices_of(u.user);
    std::size_t revoked = static_cast<std::size_t>(
        std::count_if(devices.begin(), devices.end(), [](const DeviceEntry& d) { return d.revoked; }));
    out << u.name << "\t" << (u.role.empty() ? "-" : u.role) << "\t" << (u.user.empty() ? "not enrolled" : to_hex(u.user))
        << "\t" << devices.size() << (devices.size() == 1 ? " device" : " devices");
    if (revoked) out << " (" << revoked << " revoked)";
    out << "\n";
    for (const DeviceEntry& d : devices) out << "  device " << to_hex(d.device) << (d.revoked ? " revoked" : "") << "\n";
  }
  return out.str();
}

std::string revoke_device(Store& store, const std::string& device_hex) {
  auto device = parse_hex_id(device_hex, crypto::kSignPublicSize);
  if (!device) throw Error(ErrorCode::invalid_argument, "A device id is 64 lowercase hex digits, as 'user list' shows it.");
  auto entry = store.device(*device);
  if (!entry) throw Error(ErrorCode::not_found, "There is no device " + device_hex + ".");
  store.revoke_device(*device);
  auto user = store.user_by_key(entry->user);
  return "Revoked device " + device_hex + " of " + (user ? user->name : to_hex(entry->user)) + ".";
}

}  // namespace casekeep::server
