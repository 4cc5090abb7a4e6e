// Push (docs/http-api.md §Push): changesets, as frames or as base64 in JSON,
// are decoded and their device signatures checked on every core (for a caller
// with a live token, the first 256 before the service's lock is taken, so
// other requests proceed meanwhile; the rest a chunk ahead of the appends,
// so decoding overlaps appending), then checked in order against their clear metadata
// (what the store knows, read once per push: PushFacts). Each accepted one is
// appended to the log in one transaction that commits before the reply (the
// chains' new heads are written once, just before), and the reply waits,
// outside the lock, for the flush that makes it durable (group commit,
// group_sync.hpp): nothing is acknowledged before it is on disk.
// Processing stops at the first refusal; the ones before it stay accepted.
// A refusal writes nothing.
#include <algorithm>
#include <future>
#include <iterator>

#include "casekeep/chain_check.hpp"
#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "casekeep/parallel.hpp"
#include "casekeep/rules.hpp"
#include "push_facts.hpp"
#include "service.hpp"
#include "service_body.hpp"

namespace casekeep::server {

std::vector<Bytes> SyncService::push_entries(const wire::Request& request) const {
  std::vector<Bytes> raw;
  if (wire::is_frames_type(request.content_type)) {
    try {
      raw = wire::unframe(request.body);
    } catch (const Error& e) {
      bad_request(std::string("The push body is not a list of frames: ") + e.what());
    }
  } else {
    raw = base64_entries(request.body);
  }
  if (raw.empty()) bad_request("The push holds no changesets.");
  if (raw.size() > limits_.max_push_batch)
    refuse(413, "too_large", "The push holds " + std::to_string(raw.size()) + " changesets; the limit is " +
                                 std::to_string(limits_.max_push_batch) + " per request.");
  return raw;
}

std::vector<Bytes> SyncService::base64_entries(const std::string& body) const {
  json j = parse_object(body, {"changesets"});
  const json& list = j["changesets"];
  if (!list.is_array()) bad_request("The field 'changesets' is not a list.");
  if (list.size() > limits_.max_push_batch)  // before decoding any of them
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
  return raw;
}

namespace {

// Changesets decoded at a time under the lock, a chunk ahead of the appends:
// small enough that the first chunk is quick, large enough that a thread per
// chunk costs little. A push of up to this many is decoded before the lock.
constexpr std::size_t kDecodeChunk = 256;

std::vector<Bytes> take_chunk(std::vector<Bytes>& rest, std::size_t& at) {
  std::size_t end = std::min(rest.size(), at + kDecodeChunk);
  std::vector<Bytes> chunk(std::make_move_iterator(rest.begin() + static_cast<std::ptrdiff_t>(at)),
                           std::make_move_iterator(rest.begin() + static_cast<std::ptrdiff_t>(end)));
  at = end;
  return chunk;
}

}  // namespace

std::optional<SyncService::PushInput> SyncService::verify_push_unlocked(const wire::Request& request) {
  if (request.method != "POST" || request.path != "/v1/push" || request.body.size() > limits_.max_body_bytes)
    return std::nullopt;
  try {
    {
      // Only for a live token: an anonymous request makes the server verify nothing.
      std::lock_guard<std::mutex> lock(mutex_);
      if (request.token.empty() || !store_.token_device(crypto::hash(to_bytes(request.token)), clock_.now_ms()))
        return std::nullopt;
    }
    PushInput input;
    input.rest = push_entries(request);
    std::size_t at = 0;
    input.decoded = decode_and_verify(take_chunk(input.rest, at));
    input.rest.erase(input.rest.begin(), input.rest.begin() + static_cast<std::ptrdiff_t>(at));
    return input;
  } catch (...) {  // ApiError included: the push under the lock answers it, in its order of checks
    return std::nullopt;
  }
}

wire::json SyncService::accepted_json(const std::vector<Accepted>& accepted) {
  json out = json::array();
  for (const Accepted& a : accepted) out.push_back({{"id", to_hex(a.id)}, {"seq", a.seq}, {"replay", a.replay}});
  return out;
}

std::vector<SyncService::Accepted> SyncService::push(const Caller& caller, const wire::Request& request,
                                                     std::optional<PushInput>& verified) {
  // Used in place: what handle() verified before the lock is freed after it
  // (a push's decoded changesets take a while to free).
  if (!verified) verified = PushInput{{}, push_entries(request)};
  PushInput& input = *verified;
  std::vector<Accepted> accepted;
  accepted.reserve(input.decoded.size() + input.rest.size());
  Transaction batch = store_.transaction();
  PushFacts facts(store_);
  // Commit what was accepted, before any reply; if that fails, nothing is acknowledged.
  auto acknowledge = [&](bool count_failure) {
    try {
      facts.store_chain_heads();
      batch.commit();
    } catch (const std::exception&) {
      if (count_failure) metrics_.changeset_refused("internal");
      throw ApiError{500, "internal", "The server's store failed to commit the push; nothing was acknowledged.",
                     {{"accepted", json::array()}}};
    }
    for (const Accepted& a : accepted)
      if (!a.replay) metrics_.changeset_accepted();
  };
  // Each chunk is decoded on another thread while the one before it is
  // appended here (the first one was decoded before the lock, when it could be).
  std::size_t at = 0;
  if (input.decoded.empty()) input.decoded = decode_and_verify(take_chunk(input.rest, at));
  for (;;) {
    std::future<std::vector<Incoming>> ahead;  // waits for its thread if an append throws
    if (at < input.rest.size())
      ahead = run_meanwhile([chunk = take_chunk(input.rest, at)]() mutable { return decode_and_verify(std::move(chunk)); });
    for (const Incoming& in : input.decoded) {
      // The id is always that of the bytes received, even when they do not decode
      // (a decoded changeset has hashed them already). Only a refusal names it.
      auto id_hex = [&] { return to_hex(in.changeset ? in.changeset->id() : crypto::hash(in.bytes)); };
      try {
        accepted.push_back(accept_changeset(caller, in, facts));
      } catch (ApiError& e) {
        metrics_.changeset_refused(e.code);
        e.extra["changeset"] = id_hex();
        e.extra["accepted"] = accepted_json(accepted);
        acknowledge(true);
        throw;
      } catch (const std::exception&) {
        metrics_.changeset_refused("internal");
        acknowledge(false);
        std::string id = id_hex();
        throw ApiError{500, "internal", "The server's store failed on changeset " + id.substr(0, 12) +
                                             "; it was not acknowledged.",
                       {{"changeset", id}, {"accepted", accepted_json(accepted)}}};
      }
    }
    if (!ahead.valid()) break;
    input.decoded = ahead.get();  // on to the next chunk
  }
  acknowledge(true);
  return accepted;
}

std::vector<SyncService::Incoming> SyncService::decode_and_verify(std::vector<Bytes> raw) {
  std::vector<Incoming> incoming(raw.size());
  for_each_index(raw.size(), [&](std::size_t i) {  // on every core: each item is its own
    Incoming& in = incoming[i];
    in.bytes = std::move(raw[i]);
    try {
      in.changeset = Changeset::decode(in.bytes);
    } catch (const std::exception& e) {
      in.decode_error = e.what();
    }
  });
  // One Ed25519 check per run of a chain (docs/protocol.md §5.2).
  std::vector<const Changeset*> decoded;
  for (const Incoming& in : incoming) decoded.push_back(in.changeset ? &*in.changeset : nullptr);
  std::vector<char> valid = check_device_signatures(decoded).valid;
  for (std::size_t i = 0; i < incoming.size(); ++i) incoming[i].signature_valid = valid[i];
  return incoming;
}

SyncService::Accepted SyncService::accept_changeset(const Caller& caller, const Incoming& in, PushFacts& facts) {
  // 1. It decodes.
  if (!in.changeset)
    refuse(400, "malformed", "Changeset " + short_hex(crypto::hash(in.bytes)) + " does not decode. " + in.decode_error);
  const Changeset& cs = *in.changeset;
  const ChangesetBody& b = cs.body();
  // Messages are made only for a refusal: these ran for every changeset.
  auto name = [&] { return "Changeset " + cs.short_id(); };

  // 2. Its signatures verify. The caller's own certificate was verified at enrolment.
  if (!in.signature_valid) refuse(400, "bad_signature", name() + " has a device signature that does not verify.");
  bool callers_cert = b.author == caller.user && b.device == caller.device && b.cert == caller.cert;
  if (!callers_cert && !cs.cert_valid())
    refuse(400, "bad_signature", name() + " has a device certificate its author did not sign.");

  // 3. It is the caller's own, made by the device enrolled to its author.
  if (b.device != caller.device)
    refuse(403, "forbidden", name() + " was made by device " + short_hex(b.device) + ", not by the device pushing it.");
  if (b.author != caller.user)
    refuse(403, "forbidden", name() + " names author " + short_hex(b.author) + ", not the user this device is enrolled to.");

  // 4. It extends its (device, space) chain; a replay is acknowledged again.
  const ChainHead& head = facts.chain(b.device, b.space);
  if (b.seq <= head.seq)  // only then can it be in the log already
    if (auto seq = store_.server_seq_of(cs)) return {cs.id(), *seq, true};
  auto chain = [&] { return " of device " + short_hex(b.device) + " in space " + to_hex(b.space); };
  if (b.seq <= head.seq)
    refuse(409, "fork", name() + " is at seq " + std::to_string(b.seq) + chain() +
                            ", where another changeset already is.");
  if (b.seq > head.seq + 1)
    refuse(409, "gap", name() + " skips seq " + std::to_string(head.seq + 1) + chain() + ": its chain has " +
                           std::to_string(head.seq) + ".");
  if (b.prev != head.head)
    refuse(409, "fork", name() + " does not follow changeset " + short_hex(head.head) + ", the last" + chain() + ".");

  // 5. Its space is known, or it founds the space.
  const std::optional<Bytes>& creator = facts.space_creator(b.space);
  if (!b.genesis.empty()) {
    bool author_member = std::any_of(b.members.begin(), b.members.end(), [&](const MemberEntry& m) { return m.user == b.author; });
    if (space_id_for(b.author, b.genesis) != b.space || b.generation != 1 || !author_member)
      refuse(403, "forbidden", name() + " claims to found space " + to_hex(b.space) + " but was not made by its founder.");
  } else if (!creator) {
    refuse(404, "not_found", name() + " is for space " + to_hex(b.space) + ", which the server does not know: push its first changeset first.");
  }

  // 6. Its author may write, and may manage when it adds members.
  for (const MemberEntry& m : b.members)
    if (!crypto::verify_typed(m.user, sigtype::user_card, user_card_message(m.user, m.box_key), m.card_sig))
      refuse(400, "bad_signature", name() + " adds member " + short_hex(m.user) + " whose user card does not verify.");
  bool founder = creator ? *creator == b.author : !b.genesis.empty();
  std::uint64_t current = facts.current_generation(b.space);
  if (b.generation > current + 1 || (b.generation == current + 1 && b.members.empty()))
    refuse(403, "forbidden", name() + " uses key generation " + std::to_string(b.generation) + " but space " +
                                 to_hex(b.space) + " is at generation " + std::to_string(current) + ".");
  const std::vector<std::string>& roles = facts.roles_of(b.space, current, b.author);
  auto any = [&](bool (*rule)(const std::string&)) { return std::any_of(roles.begin(), roles.end(), rule); };
  if (!b.members.empty() && !founder && !any(role_may_manage))
    refuse(403, "forbidden", name() + " adds members, but its author " + short_hex(b.author) +
                                 " is neither the space's creator nor a manager of it.");
  if (!founder && !any(role_may_write))
    refuse(403, "forbidden", name() + ": its author " + short_hex(b.author) + " is not a member of space " +
                                 to_hex(b.space) + " with a role that may write.");

  // An entry re-listing a (user, role) the current generation already has is a
  // second rotation racing the first: refused, so each generation has one key.
  if (!b.members.empty() && b.generation == current)
    for (const MemberEntry& m : b.members) {
      const std::vector<std::string>& had = facts.roles_of(b.space, current, m.user);
      if (std::find(had.begin(), had.end(), m.role) != had.end())
        refuse(409, "stale_generation", name() + " lists " + short_hex(m.user) + " as " + m.role +
                                            " again at generation " + std::to_string(current) +
                                            ": another manager changed the space's members first.");
    }

  std::uint64_t seq = store_.append_to_log(cs, now_ms_);
  facts.appended(cs);
  return {cs.id(), seq, false};
}

}  // namespace casekeep::server
