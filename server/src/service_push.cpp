// Push (docs/http-api.md §Push): changesets are checked in order against their
// clear metadata and each accepted one is committed in its own transaction
// before the reply. Processing stops at the first refusal; the ones before it
// stay accepted. A refusal writes nothing.
#include <algorithm>

#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "casekeep/rules.hpp"
#include "service.hpp"
#include "service_body.hpp"

namespace casekeep::server {

wire::Response SyncService::push(const Caller& caller, const std::string& body) {
  json j = parse_object(body, {"changesets"});
  const json& list = j["changesets"];
  if (!list.is_array()) bad_request("The field 'changesets' is not a list.");
  if (list.empty()) bad_request("The push holds no changesets.");
  if (list.size() > limits_.max_push_batch)
    refuse(413, "too_large", "The push holds " + std::to_string(list.size()) + " changesets; the limit is " +
                                 std::to_string(limits_.max_push_batch) + " per request.");
  // Every entry must be base64 before any is taken: a bad body is refused whole.
  std::vector<Bytes> raw;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) bad_request("Entry " + std::to_string(i) + " of 'changesets' is not a base64 string.");
    try {
      raw.push_back(wire::unbase64(list[i].get<std::string>()));
    } catch (const Error&) {
      bad_request("Entry " + std::to_string(i) + " of 'changesets' is not valid base64.");
    }
  }

  json accepted = json::array();
  for (const Bytes& bytes : raw) {
    // The id is always that of the bytes received, even when they do not decode.
    std::string id = to_hex(crypto::hash(bytes));
    try {
      accepted.push_back(accept_changeset(caller, bytes));
    } catch (ApiError& e) {
      metrics_.changeset_refused(e.code);
      e.extra["changeset"] = id;
      e.extra["accepted"] = accepted;
      throw;
    } catch (const std::exception&) {
      metrics_.changeset_refused("internal");
      throw ApiError{500, "internal", "The server's store failed on changeset " + id.substr(0, 12) +
                                           "; it was not acknowledged.",
                     {{"changeset", id}, {"accepted", accepted}}};
    }
  }
  return wire::json_response(200, {{"accepted", accepted}});
}

json SyncService::accept_changeset(const Caller& caller, const Bytes& bytes) {
  // 1. It decodes.
  std::optional<Changeset> decoded;
  try {
    decoded = Changeset::decode(bytes);
  } catch (const std::exception& e) {
    refuse(400, "malformed", "Changeset " + short_hex(crypto::hash(bytes)) + " does not decode. " + e.what());
  }
  const Changeset& cs = *decoded;
  const ChangesetBody& b = cs.body();
  const std::string name = "Changeset " + cs.short_id();

  // 2. Its signatures verify.
  if (!cs.signature_valid()) refuse(400, "bad_signature", name + " has a device signature that does not verify.");
  if (!cs.cert_valid()) refuse(400, "bad_signature", name + " has a device certificate its author did not sign.");

  // 3. It is the caller's own, made by the device enrolled to its author.
  if (b.device != caller.device)
    refuse(403, "forbidden", name + " was made by device " + short_hex(b.device) + ", not by the device pushing it.");
  if (b.author != caller.user)
    refuse(403, "forbidden", name + " names author " + short_hex(b.author) + ", not the user this device is enrolled to.");

  // 4. It extends its (device, space) chain; a replay is acknowledged again.
  if (auto seq = store_.server_seq_of(cs.id())) return {{"id", to_hex(cs.id())}, {"seq", *seq}, {"replay", true}};
  ChainHead head = store_.chain(b.device, b.space);
  std::string chain = " of device " + short_hex(b.device) + " in space " + to_hex(b.space);
  if (b.seq <= head.seq)
    refuse(409, "fork", name + " is at seq " + std::to_string(b.seq) + chain +
                            ", where another changeset already is.");
  if (b.seq > head.seq + 1)
    refuse(409, "gap", name + " skips seq " + std::to_string(head.seq + 1) + chain + ": its chain has " +
                           std::to_string(head.seq) + ".");
  if (b.prev != head.head)
    refuse(409, "fork", name + " does not follow changeset " + short_hex(head.head) + ", the last" + chain + ".");

  // 5. Its space is known, or it founds the space.
  auto creator = store_.space_creator(b.space);
  if (!b.genesis.empty()) {
    bool author_member = std::any_of(b.members.begin(), b.members.end(), [&](const MemberEntry& m) { return m.user == b.author; });
    if (space_id_for(b.author, b.genesis) != b.space || b.generation != 1 || !author_member)
      refuse(403, "forbidden", name + " claims to found space " + to_hex(b.space) + " but was not made by its founder.");
  } else if (!creator) {
    refuse(404, "not_found", name + " is for space " + to_hex(b.space) + ", which the server does not know: push its first changeset first.");
  }

  // 6. Its author may write, and may manage when it adds members.
  for (const MemberEntry& m : b.members)
    if (!crypto::verify_typed(m.user, sigtype::user_card, user_card_message(m.user, m.box_key), m.card_sig))
      refuse(400, "bad_signature", name + " adds member " + short_hex(m.user) + " whose user card does not verify.");
  bool founder = creator ? *creator == b.author : !b.genesis.empty();
  std::uint64_t current = store_.current_generation(b.space);
  if (b.generation > current + 1 || (b.generation == current + 1 && b.members.empty()))
    refuse(403, "forbidden", name + " uses key generation " + std::to_string(b.generation) + " but space " +
                                 to_hex(b.space) + " is at generation " + std::to_string(current) + ".");
  auto roles = store_.roles_of(b.space, current, b.author);
  auto any = [&](bool (*rule)(const std::string&)) { return std::any_of(roles.begin(), roles.end(), rule); };
  if (!b.members.empty() && !founder && !any(role_may_manage))
    refuse(403, "forbidden", name + " adds members, but its author " + short_hex(b.author) +
                                 " is neither the space's creator nor a manager of it.");
  if (!founder && !any(role_may_write))
    refuse(403, "forbidden", name + ": its author " + short_hex(b.author) + " is not a member of space " +
                                 to_hex(b.space) + " with a role that may write.");

  // An entry re-listing a (user, role) the current generation already has is a
  // second rotation racing the first: refused, so each generation has one key.
  if (!b.members.empty() && b.generation == current)
    for (const MemberEntry& m : b.members) {
      auto had = store_.roles_of(b.space, current, m.user);
      if (std::find(had.begin(), had.end(), m.role) != had.end())
        refuse(409, "stale_generation", name + " lists " + short_hex(m.user) + " as " + m.role +
                                            " again at generation " + std::to_string(current) +
                                            ": another manager changed the space's members first.");
    }

  std::uint64_t seq = store_.append(cs, now_ms_);
  metrics_.changeset_accepted();
  return {{"id", to_hex(cs.id())}, {"seq", seq}, {"replay", false}};
}

}  // namespace casekeep::server
