// Enrolment and login (docs/http-api.md §Enrolment and login): a one-time code
// binds a user key and a device to a directory entry; a device proves itself by
// signing a fresh challenge and gets a short-lived token. Only hashes of codes
// and tokens are stored, so a copy of the store cannot be used to log in.
#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "service.hpp"
#include "service_body.hpp"

namespace casekeep::server {

wire::Response SyncService::enroll(const std::string& body) {
  json j = parse_object(body, {"code", "user", "box", "card", "device", "cert"});
  std::string code = text_member(j, "code");
  Bytes user = base64_member(j, "user", crypto::kSignPublicSize);
  Bytes box = base64_member(j, "box", crypto::kBoxPublicSize);
  Bytes card = base64_member(j, "card", crypto::kSignatureSize);
  Bytes device = base64_member(j, "device", crypto::kSignPublicSize);
  Bytes cert = base64_member(j, "cert", crypto::kSignatureSize);

  Bytes code_hash = crypto::hash(to_bytes(code));
  auto name = store_.name_for_code(code_hash);
  if (!name) refuse(404, "not_found", "This enrolment code is unknown or has been used: ask the operator for a new one.");
  if (!crypto::verify_typed(user, sigtype::user_card, user_card_message(user, box), card))
    refuse(400, "bad_signature", "The user card does not verify: its signature is not the user key's.");
  if (!crypto::verify_typed(user, sigtype::device_cert, device_cert_message(user, device), cert))
    refuse(400, "bad_signature", "The device certificate does not verify: the user key did not certify this device.");

  auto entry = store_.user_by_name(*name);
  if (!entry) refuse(404, "not_found", "The enrolment code names a user the directory no longer has.");
  if (!entry->user.empty() && entry->user != user)
    refuse(403, "forbidden", "This code is for " + *name + ", who enrolled with another user key; a new device must use the same identity.");
  if (entry->user.empty()) {
    auto other = store_.user_by_key(user);
    if (other) refuse(403, "forbidden", "This user key is already enrolled as " + other->name + ".");
  }
  if (auto existing = store_.device(device)) {
    if (existing->revoked) refuse(403, "forbidden", "Device " + short_hex(device) + " has been revoked and cannot enrol again.");
    if (existing->user != user) refuse(403, "forbidden", "Device " + short_hex(device) + " is enrolled to another user.");
  }
  store_.enrol(code_hash, UserEntry{*name, entry->role, user, box, card}, DeviceEntry{device, user, cert, false}, now_ms_);
  return wire::json_response(200, {{"user", to_hex(user)}, {"name", *name}});
}

// Both login steps refuse an unknown device (each with its own status, as the
// contract says) and a revoked one, then spend one of the device's rate tokens.
void SyncService::require_active_device(const Bytes& device, int unknown_status, const char* unknown_code) {
  auto entry = store_.device(device);
  if (!entry)
    refuse(unknown_status, unknown_code, "Device " + short_hex(device) + " is not enrolled: enrol it with a code first.");
  if (entry->revoked) refuse(403, "forbidden", "Device " + short_hex(device) + " has been revoked by the operator.");
  take_rate_token(device);
}

wire::Response SyncService::login_challenge(const std::string& body, RequestInfo& info) {
  json j = parse_object(body, {"device"});
  Bytes device = base64_member(j, "device", crypto::kSignPublicSize);
  info.device = short_hex(device);
  require_active_device(device, 404, "not_found");
  Bytes challenge = crypto::random_bytes(32);
  store_.add_challenge(challenge, device, now_ms_ + limits_.challenge_ms, now_ms_);
  return wire::json_response(200, {{"challenge", wire::base64(challenge)}, {"expires_in", limits_.challenge_ms / 1000}});
}

wire::Response SyncService::login(const std::string& body, RequestInfo& info) {
  json j = parse_object(body, {"device", "challenge", "sig"});
  Bytes device = base64_member(j, "device", crypto::kSignPublicSize);
  Bytes challenge = base64_member(j, "challenge", 32);
  Bytes sig = base64_member(j, "sig", crypto::kSignatureSize);
  info.device = short_hex(device);
  require_active_device(device, 401, "unauthorized");
  auto owner = store_.challenge_device(challenge, now_ms_);
  if (!owner || *owner != device)
    refuse(401, "unauthorized", "The challenge is unknown, used or expired: ask for a new one.");
  if (!crypto::verify_typed(device, wire::kLoginSigType, challenge, sig))
    refuse(401, "unauthorized", "The login signature does not verify with the device key.");
  std::string token = to_hex(crypto::random_bytes(32));
  store_.exchange_challenge(challenge, crypto::hash(to_bytes(token)), device, now_ms_ + limits_.token_ms, now_ms_);
  return wire::json_response(200, {{"token", token}, {"expires_in", limits_.token_ms / 1000}});
}

}  // namespace casekeep::server
