// The operator's commands (casekeep-server user add / user list / device
// revoke) as plain functions over the store, so tests call them directly.
// Every error is a casekeep::Error with a sentence for the operator.
#pragma once
#include <string>

#include "casekeep/clock.hpp"
#include "store.hpp"

namespace casekeep::server {

// Creates the directory entry NAME when new (a non-empty role replaces its role)
// and returns a fresh one-time enrolment code for it. Only the code's hash is kept.
std::string add_user(Store& store, Clock& clock, const std::string& name, const std::string& role);
// One line per user (name, role, user id or "not enrolled", device count), then
// one indented line per device with its full id, so it can be revoked.
std::string user_list_text(Store& store);
// Revokes a device by its full hex id; its tokens stop working at once.
// Returns a sentence saying whose device it was.
std::string revoke_device(Store& store, const std::string& device_hex);

}  // namespace casekeep::server
