// The server store's log of changesets and the clear metadata derived from it:
// chains, spaces, members and conflict registers (store.hpp). Registers follow
// core's Register (record_state.cpp): heads are set ops no op names as a parent,
// counting parents not yet received, so arrival order cannot matter.
#include "store.hpp"

#include <algorithm>

#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"

namespace casekeep::server {
namespace {

void apply_set_op(Database& db, const Bytes& space, const OpMeta& meta, const Bytes& op) {
  for (const Bytes& parent : meta.parents) {
    db.prepare("INSERT OR IGNORE INTO register_superseded(space, record, field_tag, op) VALUES(?, ?, ?, ?)")
        .bind(1, space).bind(2, meta.record).bind(3, meta.field_tag).bind(4, parent).run();
    db.prepare("DELETE FROM register_heads WHERE space = ? AND record = ? AND field_tag = ? AND op = ?")
        .bind(1, space).bind(2, meta.record).bind(3, meta.field_tag).bind(4, parent).run();
  }
  db.prepare("INSERT OR IGNORE INTO register_heads(space, record, field_tag, op) SELECT ?1, ?2, ?3, ?4 "
             "WHERE NOT EXISTS (SELECT 1 FROM register_superseded "
             "WHERE space = ?1 AND record = ?2 AND field_tag = ?3 AND op = ?4)")
      .bind(1, space).bind(2, meta.record).bind(3, meta.field_tag).bind(4, op).run();
}

}  // namespace

std::optional<std::uint64_t> Store::server_seq_of(const Changeset& changeset) {
  const ChangesetBody& b = changeset.body();
  auto q = db_.prepare("SELECT seq, id FROM log WHERE device = ? AND space = ? AND device_seq = ?");
  q.bind(1, b.device).bind(2, b.space).bind(3, b.seq);
  if (!q.step() || q.column_bytes(1) != changeset.id()) return std::nullopt;
  return static_cast<std::uint64_t>(q.column_int(0));
}

ChainHead Store::chain(const Bytes& device, const Bytes& space) {
  auto q = db_.prepare("SELECT seq, head FROM chains WHERE device = ? AND space = ?");
  q.bind(1, device).bind(2, space);
  if (!q.step()) return {};
  return {static_cast<std::uint64_t>(q.column_int(0)), q.column_bytes(1)};
}

std::optional<Bytes> Store::space_creator(const Bytes& space) {
  auto q = db_.prepare("SELECT creator FROM spaces WHERE id = ?");
  q.bind(1, space);
  if (!q.step()) return std::nullopt;
  return q.column_bytes(0);
}

std::uint64_t Store::current_generation(const Bytes& space) {
  auto q = db_.prepare("SELECT COALESCE(MAX(generation), 0) FROM members WHERE space = ?");
  q.bind(1, space);
  return q.step() ? static_cast<std::uint64_t>(q.column_int(0)) : 0;
}

std::vector<std::string> Store::roles_of(const Bytes& space, std::uint64_t generation, const Bytes& user) {
  auto q = db_.prepare("SELECT role FROM members WHERE space = ? AND generation = ? AND user = ? ORDER BY role");
  q.bind(1, space).bind(2, generation).bind(3, user);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.column_text(0));
  return out;
}

bool Store::is_member(const Bytes& space, const Bytes& user) {
  // Membership at the space's current generation: a removed member gets nothing new.
  auto q = db_.prepare(
      "SELECT 1 FROM members m WHERE m.space = ? AND m.user = ? AND m.generation = "
      "(SELECT MAX(generation) FROM members WHERE space = m.space) LIMIT 1");
  q.bind(1, space).bind(2, user);
  return q.step();
}

bool Store::was_member(const Bytes& space, const Bytes& user) {
  auto q = db_.prepare("SELECT 1 FROM members WHERE space = ? AND user = ? LIMIT 1");
  q.bind(1, space).bind(2, user);
  return q.step();
}

std::vector<Bytes> Store::member_spaces(const Bytes& user) {
  auto q = db_.prepare(
      "SELECT DISTINCT m.space FROM members m WHERE m.user = ? AND m.generation = "
      "(SELECT MAX(generation) FROM members WHERE space = m.space) ORDER BY m.space");
  q.bind(1, user);
  std::vector<Bytes> out;
  while (q.step()) out.push_back(q.column_bytes(0));
  return out;
}

std::uint64_t Store::append_to_log(const Changeset& changeset, std::uint64_t now_ms) {
  const ChangesetBody& b = changeset.body();
  auto insert = [&] {
    db_.prepare("INSERT INTO log(id, space, device, device_seq, author, bytes, received_at) VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind(1, changeset.id()).bind(2, b.space).bind(3, b.device).bind(4, b.seq).bind(5, b.author)
        .bind(6, changeset.bytes()).bind(7, now_ms).run();
    return static_cast<std::uint64_t>(db_.last_insert_rowid());
  };
  // One statement is atomic by itself; a genesis or a membership change writes
  // more, so it takes a savepoint.
  if (b.genesis.empty() && b.members.empty()) return insert();
  Transaction t(db_);
  std::uint64_t seq = insert();
  if (!b.genesis.empty())
    db_.prepare("INSERT OR IGNORE INTO spaces(id, creator) VALUES(?, ?)").bind(1, b.space).bind(2, b.author).run();
  for (const MemberEntry& m : b.members)
    db_.prepare("INSERT OR IGNORE INTO members(space, generation, user, role) VALUES(?, ?, ?, ?)")
        .bind(1, b.space).bind(2, b.generation).bind(3, m.user).bind(4, m.role).run();
  t.commit();
  return seq;
}

void Store::set_chain_head(const Bytes& device, const Bytes& space, const ChainHead& head) {
  db_.prepare("INSERT OR REPLACE INTO chains(device, space, seq, head) VALUES(?, ?, ?, ?)")
      .bind(1, device).bind(2, space).bind(3, head.seq).bind(4, head.head).run();
}

// Registers are brought up to date when they are read, not on each push: a
// note's fields are a register each, and keeping them on every push was a
// quarter of a push's time for an answer only `conflicts` gives. Ops apply in
// log order, as they did at push time, so the registers are the same.
void Store::catch_up_registers(const Bytes& space) {
  Transaction t(db_);
  std::uint64_t done = 0;
  {
    auto q = db_.prepare("SELECT seq FROM register_progress WHERE space = ?");
    q.bind(1, space);
    if (q.step()) done = static_cast<std::uint64_t>(q.column_int(0));
  }
  std::uint64_t last = done;
  auto log = db_.prepare("SELECT seq, bytes FROM log WHERE space = ? AND seq > ? ORDER BY seq");
  log.bind(1, space).bind(2, done);
  while (log.step()) {
    Changeset cs = Changeset::decode(log.column_bytes(1));  // it decoded when it was accepted
    const ChangesetBody& b = cs.body();
    for (std::size_t i = 0; i < b.meta.size(); ++i)
      if (b.meta[i].kind == OpKind::set) apply_set_op(db_, b.space, b.meta[i], cs.op_id(i));
    last = static_cast<std::uint64_t>(log.column_int(0));
  }
  if (last != done)
    db_.prepare("INSERT OR REPLACE INTO register_progress(space, seq) VALUES(?, ?)").bind(1, space).bind(2, last).run();
  t.commit();
}

LogWindow Store::log_after(const Bytes& space, std::uint64_t after, std::size_t limit, const HeldChain& own,
                          std::uint64_t span) {
  // The end is read first: a changeset appended meanwhile lies past it, so
  // `covered` never claims one this look did not see.
  auto last = db_.prepare("SELECT max(seq) FROM log WHERE space = ?");
  last.bind(1, space);
  const std::uint64_t end = last.step() ? static_cast<std::uint64_t>(last.column_int(0)) : 0;
  LogWindow w;
  if (end <= after) {
    w.covered = after;
    return w;
  }
  const std::uint64_t until = end - after > span ? after + span : end;
  auto q = db_.prepare(
      "SELECT seq, length(bytes), device, device_seq FROM log WHERE space = ? AND seq > ? AND seq <= ? "
      "AND NOT (device = ? AND device_seq <= ?) ORDER BY seq LIMIT ?");
  q.bind(1, space).bind(2, after).bind(3, until).bind(4, own.device).bind(5, own.held);
  q.bind(6, static_cast<std::int64_t>(limit));
  while (q.step())
    w.refs.push_back({static_cast<std::uint64_t>(q.column_int(0)), static_cast<std::size_t>(q.column_int(1)),
                      q.column_bytes(2), static_cast<std::uint64_t>(q.column_int(3))});
  const bool cut = w.refs.size() == limit;
  w.covered = cut ? w.refs.back().seq : until;
  w.more = cut || until < end;
  return w;
}

Bytes Store::log_bytes(std::uint64_t seq) {
  auto q = db_.prepare("SELECT bytes FROM log WHERE seq = ?");
  q.bind(1, seq);
  if (!q.step()) throw Error(ErrorCode::storage, "Changeset " + std::to_string(seq) + " vanished from the log.");
  return q.column_bytes(0);
}

std::vector<OpenConflict> Store::conflicts(const Bytes& space) {
  catch_up_registers(space);
  auto q = db_.prepare("SELECT record, field_tag, op FROM register_heads WHERE space = ? ORDER BY record, field_tag, op");
  q.bind(1, space);
  std::vector<OpenConflict> all;
  while (q.step()) {
    Bytes record = q.column_bytes(0), tag = q.column_bytes(1);
    if (all.empty() || all.back().record != record || all.back().field_tag != tag) all.push_back({record, tag, {}});
    all.back().heads.push_back(q.column_bytes(2));
  }
  std::vector<OpenConflict> out;
  for (auto& c : all)
    if (c.heads.size() > 1) out.push_back(std::move(c));
  return out;
}

std::string Store::digest() {
  // Length-prefixed, typed cells of every row of every table, in a fixed order.
  Bytes all;
  auto put = [&all](std::uint64_t n) {
    for (int i = 7; i >= 0; --i) all.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  };
  // Each table in a fixed order: its rowid, or its key where it has no rowid.
  const std::pair<const char*, const char*> tables[] = {
      {"users", "rowid"},  {"enrolment_codes", "rowid"}, {"devices", "rowid"}, {"challenges", "rowid"},
      {"tokens", "rowid"}, {"log", "rowid"},             {"chains", "rowid"},  {"spaces", "rowid"},
      {"members", "rowid"}, {"register_heads", "space, record, field_tag, op"},
      {"register_superseded", "space, record, field_tag, op"}, {"register_progress", "rowid"}};
  for (const auto& [table, order] : tables) {
    auto q = db_.prepare(std::string("SELECT * FROM ") + table + " ORDER BY " + order);
    put(0xffffffffu);
    while (q.step())
      for (int c = 0; c < q.columns(); ++c) {
        put(static_cast<std::uint64_t>(q.column_type(c)));
        Bytes cell = q.column_type(c) == SQLITE_INTEGER ? to_bytes(std::to_string(q.column_int(c))) : q.column_bytes(c);
        put(cell.size());
        all.insert(all.end(), cell.begin(), cell.end());
      }
  }
  return to_hex(crypto::hash(all));
}

}  // namespace casekeep::server
