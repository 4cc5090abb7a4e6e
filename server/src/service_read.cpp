// The read side of the API (docs/http-api.md §Pull, §Conflicts, directory):
// pages of the log for the caller's spaces only, open conflicts from clear
// metadata, and user cards from the directory.
#include <httplib.h>

#include <algorithm>
#include <set>

#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "service.hpp"
#include "service_body.hpp"

namespace casekeep::server {
namespace {

json user_card_json(const UserEntry& u) {
  return {{"user", to_hex(u.user)}, {"name", u.name}, {"box_key", to_hex(u.box)}, {"sig", to_hex(u.card)}};
}

// An optional field of `j` that maps space ids to sequence numbers.
std::map<Bytes, std::uint64_t> seqs_by_space(const json& j, const char* field, const char* what) {
  std::map<Bytes, std::uint64_t> out;
  if (!j.contains(field)) return out;
  const json& m = j[field];
  const std::string name = std::string("'") + field + "'";
  if (!m.is_object()) bad_request("The field " + name + " is not an object of space ids and " + what + ".");
  for (auto it = m.begin(); it != m.end(); ++it) {
    auto space = parse_hex_id(it.key(), kSpaceIdSize);
    if (!space) bad_request("The key '" + it.key() + "' of " + name + " is not a space id (32 lowercase hex digits).");
    out[*space] = unsigned_value(it.value(), "The " + std::string(field) + " value of space " + it.key());
  }
  return out;
}

}  // namespace

wire::Response SyncService::pull(const Caller& caller, const wire::Request& request) {
  json j = parse_object(request.body, {}, {"cursors", "limit", "held"});
  std::size_t limit = limits_.default_pull_page;
  if (j.contains("limit")) {
    std::uint64_t asked = unsigned_value(j["limit"], "The field 'limit'");
    if (asked < 1 || asked > limits_.max_pull_page)
      bad_request("The field 'limit' must be between 1 and " + std::to_string(limits_.max_pull_page) + ".");
    limit = static_cast<std::size_t>(asked);
  }
  std::map<Bytes, std::uint64_t> asked_cursors = seqs_by_space(j, "cursors", "server seqs");
  // How much of its own chain the calling device holds, per space: those of
  // its changesets it is not sent again (its cursor still moves past them).
  std::map<Bytes, std::uint64_t> held = seqs_by_space(j, "held", "device seqs");

  std::vector<Bytes> spaces = store_.member_spaces(caller.user);
  std::set<Bytes> member(spaces.begin(), spaces.end());
  // A space the caller was removed from is dropped from their cursors (they get
  // nothing more of it); one they never belonged to is refused.
  for (const auto& [space, seq] : asked_cursors)
    if (!member.count(space) && !store_.was_member(space, caller.user))
      refuse(403, "forbidden", "You are not a member of space " + to_hex(space) + ".");

  // limit + 1 per space tells whether more remain beyond this page. The
  // caller's own changesets that it holds are stepped over without filling
  // the page: a device that had pushed 10,000 changesets pulled ten empty
  // pages to get past them. The span bounds how far one page looks: shared
  // among the caller's spaces, so a page's work stays bounded however many
  // it has, but never less than limit + 1 seqs each, as before.
  const std::uint64_t span =
      std::max<std::uint64_t>(limit + 1, limits_.pull_span / std::max<std::size_t>(1, spaces.size()));
  std::map<Bytes, std::uint64_t> cursors;
  std::map<Bytes, LogWindow> windows;
  std::vector<std::pair<const LogRef*, Bytes>> candidates;
  for (const Bytes& space : spaces) {
    auto found = asked_cursors.find(space);
    cursors[space] = found == asked_cursors.end() ? 0 : found->second;
    auto mine = held.find(space);
    const HeldChain own{caller.device, mine == held.end() ? 0 : mine->second};
    LogWindow& w = windows[space] = store_.log_after(space, cursors[space], limit + 1, own, span);
    for (const LogRef& ref : w.refs) candidates.emplace_back(&ref, space);
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first->seq < b.first->seq; });

  // The page is written directly: a page of changesets through a json value
  // cost a sixth of the server's CPU.
  const bool as_frames = request.accept.find(wire::kFramesType) != std::string::npos;
  std::string changesets;  // frames, or the base64 strings of a JSON list
  std::size_t bytes = 0, sent = 0;
  std::map<Bytes, std::size_t> sent_of;  // per space
  for (const auto& [ref, space] : candidates) {
    if (sent == limit || (sent > 0 && bytes + ref->size > limits_.max_pull_bytes)) break;
    Bytes changeset = store_.log_bytes(ref->seq);
    if (as_frames) {
      wire::append_frame(changesets, changeset.data(), changeset.size());
    } else {
      if (sent > 0) changesets += ',';
      changesets += '"' + wire::base64(changeset) + '"';
    }
    ++sent;
    ++sent_of[space];
    cursors[space] = ref->seq;
    bytes += ref->size;
  }
  // A space whose changesets all went moves past what its look stepped over.
  bool more = false;
  for (auto& [space, w] : windows) {
    if (sent_of[space] == w.refs.size()) cursors[space] = std::max(cursors[space], w.covered);
    more = more || w.more || sent_of[space] < w.refs.size();
  }
  json out_cursors = json::object();
  for (const auto& [space, seq] : cursors) out_cursors[to_hex(space)] = seq;
  std::string rest = "\"cursors\":" + out_cursors.dump() + ",\"more\":" + (more ? "true" : "false");
  if (!as_frames) return {200, "{\"changesets\":[" + changesets + "]," + rest + "}"};
  // Frames: the page's JSON without its changesets first, then the changesets.
  std::string header = "{" + rest + "}";
  std::string page;
  page.reserve(4 + header.size() + changesets.size());
  wire::append_frame(page, reinterpret_cast<const std::uint8_t*>(header.data()), header.size());
  page += changesets;
  return {200, std::move(page), wire::kFramesType};
}

wire::Response SyncService::conflicts(const Caller& caller, const std::string& space_hex) {
  auto space = parse_hex_id(space_hex, kSpaceIdSize);
  if (!space || (!store_.space_creator(*space) && !store_.is_member(*space, caller.user)))
    refuse(404, "not_found", "There is no space " + space_hex + ".");
  if (!store_.is_member(*space, caller.user))
    refuse(403, "forbidden", "You are not a member of space " + space_hex + ".");
  json list = json::array();
  for (const OpenConflict& c : store_.conflicts(*space)) {
    json heads = json::array();
    for (const Bytes& op : c.heads) heads.push_back(to_hex(op));
    list.push_back({{"record", to_hex(c.record)}, {"field_tag", to_hex(c.field_tag)}, {"heads", heads}});
  }
  return wire::json_response(200, {{"conflicts", list}});
}

wire::Response SyncService::user_by_name(const std::string& query) {
  // cpp-httplib decodes the query string (percent-escapes, '+' as a space).
  httplib::Params params;
  httplib::detail::parse_query_text(query, params);
  if (params.size() != 1 || params.count("name") != 1)
    bad_request("Look a user up by exactly one 'name' query parameter, or by id at /v1/users/<hex>.");
  const std::string& name = params.find("name")->second;
  auto user = store_.user_by_name(name);
  if (!user || user->user.empty()) refuse(404, "not_found", "No enrolled user is named '" + name + "'.");
  return wire::json_response(200, user_card_json(*user));
}

wire::Response SyncService::user_by_id(const std::string& user_hex) {
  auto id = parse_hex_id(user_hex, crypto::kSignPublicSize);
  auto user = id ? store_.user_by_key(*id) : std::nullopt;
  if (!user) refuse(404, "not_found", "There is no user " + user_hex + ".");
  return wire::json_response(200, user_card_json(*user));
}

}  // namespace casekeep::server
