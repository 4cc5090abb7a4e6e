// The replica: how changesets are made (commit), checked (blocker) and applied.
// Local writes and imports share apply(), so there is one way state changes.
#include <sodium.h>

#include <algorithm>

#include "casekeep/parallel.hpp"
#include "cbor_writer.hpp"
#include "vault_impl.hpp"

namespace casekeep {
namespace {

// Build a decrypted op from the clear meta entry and its payload value.
Op make_op(const Changeset& cs, std::size_t index, const json& value) {
  const OpMeta& m = cs.body().meta[index];
  Op op;
  op.id = cs.op_id(index);
  op.kind = m.kind;
  op.space = cs.body().space;
  op.record = m.record;
  op.parents = m.parents;
  op.hlc = cs.body().hlc;
  op.author = cs.body().author;
  op.field = value.at("f").get<std::string>();
  op.value = value.at("v");
  return op;
}

}  // namespace

std::string kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::create: return "create";
    case OpKind::set: return "set";
    case OpKind::add: return "add";
    case OpKind::tombstone: return "tombstone";
  }
  return "unknown";
}

void Vault::Impl::persist_hlc() {
  db->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('hlc', ?)").bind(1, to_bytes(std::to_string(hlc.last()))).run();
}

Vault::Impl::ChangeKeys Vault::Impl::keys_for(const Txn& txn) {
  if (!txn.genesis.empty()) save_space_key(txn.space, 1, txn.new_space_key);
  ChangeKeys keys;
  keys.generation = txn.genesis.empty() ? current_generation(txn.space) : 1;
  if (!txn.rotated_key.empty()) save_space_key(txn.space, ++keys.generation, txn.rotated_key);
  keys.key = space_key(txn.space, keys.generation);
  if (!keys.key) throw Error(ErrorCode::forbidden, "This device holds no key for space " + to_hex(txn.space) + ".");
  keys.tag_key = field_tag_key(txn.space);
  return keys;
}

Vault::Impl::Unsealed Vault::Impl::build_change(Txn& txn, const ChangeKeys& keys, const ChainHead& head,
                                                std::uint64_t hlc_stamp) const {
  const Identity& id = identity();
  Unsealed out;
  out.key = keys.key;
  ChangesetBody& body = out.body;
  body.space = txn.space;
  body.author = id.user.public_key;
  body.device = id.device.public_key;
  body.cert = id.cert;
  body.generation = keys.generation;
  body.genesis = txn.genesis;
  body.members = txn.members;
  body.seq = head.seq + 1;
  body.prev = head.head;
  body.hlc = hlc_stamp;

  // The payload, written as the ops are read: [{f, v}, ...] (to_cbor's form).
  CborWriter values(64 * txn.ops.size());
  values.array(txn.ops.size());
  std::set<std::pair<Bytes, std::string>> set_fields;
  std::set<Bytes> created;  // records this change creates: no field of theirs has a head yet
  for (const Op& op : txn.ops) {
    OpMeta m{op.kind, op.record, {}, {}};
    if (op.kind == OpKind::create) created.insert(op.record);
    if (op.kind == OpKind::set || op.kind == OpKind::add) m.field_tag = crypto::keyed_hash(keys.tag_key, op.field);
    if (op.kind == OpKind::set) {
      if (!set_fields.insert({op.record, op.field}).second)
        throw Error(ErrorCode::invalid_argument, "One change sets the field '" + op.field + "' twice.");
      // A record made by this very change has no stored state to read (a
      // bulk write's thousands of new notes each skip three lookups).
      auto state = created.count(op.record) ? std::nullopt : load_record(op.record);
      if (state && state->home().fields.count(op.field)) m.parents = state->home().fields.at(op.field).head_ids();
    }
    body.meta.push_back(std::move(m));
    values.map(2);
    values.entry("f", op.field);
    values.text("v");
    values.value(op.value);
  }
  out.payload = values.take();
  out.ops = std::move(txn.ops);  // consumed: a bulk write's ops hold all its text
  txn.ops.clear();
  return out;
}

Changeset Vault::Impl::seal_change(Unsealed& change, const SecretBytes& device_secret_key) {
  ChangesetBody& body = change.body;
  body.payload = crypto::aead_encrypt(*change.key, change.payload, payload_ad(body.space, body.device, body.seq));
  sodium_memzero(change.payload.data(), change.payload.size());
  return Changeset::seal(std::move(body), device_secret_key);
}

void Vault::Impl::store_change(const Changeset& cs, std::vector<Op> ops) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    ops[i].id = cs.op_id(i);
    ops[i].space = cs.body().space;
    ops[i].parents = cs.body().meta[i].parents;
    ops[i].hlc = cs.body().hlc;
    ops[i].author = cs.body().author;
    // A record this change creates has no stored row (its id derives from a
    // nonce drawn just now): it starts empty, without a lookup.
    if (ops[i].kind == OpKind::create) dirty.try_emplace(ops[i].record).first->second.state.id = ops[i].record;
  }
  db->prepare("INSERT INTO unsent(changeset) VALUES(?)").bind(1, apply(cs, std::move(ops))).run();
  // A local write changes a few records, or, in a bulk write, a changeset's
  // worth while the next one is sealed on the other core: rows are built here
  // (S1a, six alternating pairs: median 45.6k notes/s with every core, 47.0k
  // without; four pairs won, two lost by about 1%).
  flush_records(false);
  persist_hlc();
}

Vault::Impl::Sealed Vault::Impl::make_change(Txn& txn, const ChangeKeys& keys) {
  const Identity& id = identity();
  Unsealed change = build_change(txn, keys, chain_head(id.device.public_key, txn.space), hlc.tick(*clock));
  Changeset cs = seal_change(change, id.device.secret_key);
  return {std::move(cs), std::move(change.ops)};
}

Bytes Vault::Impl::commit(Txn& txn) {
  Transaction t(*db);
  try {
    Sealed change = make_change(txn, keys_for(txn));
    store_change(change.cs, std::move(change.ops));
    t.commit();
    return change.cs.id();
  } catch (...) {
    forget_caches();
    throw;
  }
}

void Vault::Impl::commit_each(const std::function<bool(Txn&)>& next) {
  const Identity& id = identity();
  Transaction t(*db);
  try {
    Txn first;
    if (next(first)) {
      const Bytes space = first.space;
      const ChangeKeys keys = keys_for(first);
      Sealed change = make_change(first, keys);
      for (;;) {
        // The next change is made and sealed on another thread while this one
        // stores the one before: signing a MiB of notes, and making their ops,
        // were a third of a bulk write. It needs nothing of the store but that
        // change's id, when it only makes new records in the same space.
        struct Next {
          bool more = false;
          Txn txn;
          std::optional<Sealed> sealed;  // empty: made here, once the change before is stored
        };
        const ChainHead head{change.cs.body().seq, change.cs.id()};
        const std::uint64_t stamp = hlc.tick(*clock);
        auto making = run_meanwhile([&]() {
          Next n;
          n.more = next(n.txn);
          if (!n.more || n.txn.space != space || !only_new_records(n.txn)) return n;
          Unsealed u = build_change(n.txn, keys, head, stamp);
          Changeset cs = seal_change(u, id.device.secret_key);
          n.sealed = Sealed{std::move(cs), std::move(u.ops)};
          return n;
        });
        store_change(change.cs, std::move(change.ops));
        Next n = making.get();
        if (!n.more) break;
        change = n.sealed ? std::move(*n.sealed) : make_change(n.txn, keys_for(n.txn));
      }
    }
    t.commit();
  } catch (...) {
    forget_caches();
    throw;
  }
}

bool only_new_records(const Txn& txn) {
  if (!txn.genesis.empty() || !txn.members.empty() || !txn.rotated_key.empty()) return false;
  std::set<Bytes> created;
  for (const Op& op : txn.ops) {
    if (op.kind == OpKind::create) created.insert(op.record);
    else if (!created.count(op.record)) return false;
  }
  return true;
}

std::vector<Op> Vault::Impl::open_payload(const Changeset& cs, const SecretBytes* key) {
  const ChangesetBody& b = cs.body();
  if (!key) key = space_key(b.space, b.generation);
  const SecretBytes* first = b.generation == 1 ? key : space_key(b.space, 1);
  if (!key || !first) throw Error(ErrorCode::forbidden, "This device holds no key to read changeset " + cs.short_id() + ".");
  return open_ops(cs, *key, *first);
}

std::vector<Op> open_ops(const Changeset& cs, const SecretBytes& key, const SecretBytes& first_key) {
  const ChangesetBody& b = cs.body();
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::tampered, "Changeset " + cs.short_id() + " " + why + "; it was not applied.");
  };
  SecretBytes plain;
  try {
    plain = crypto::aead_decrypt(key, b.payload, payload_ad(b.space, b.device, b.seq));
  } catch (const Error&) {
    throw bad("has a payload that does not decrypt under its space key");
  }
  json values;
  try {
    values = from_cbor_canonical(plain.data(), plain.size(), "payload");
  } catch (const Error& e) {
    throw bad(std::string("has a bad payload (") + e.what() + ")");
  }
  if (!values.is_array() || values.size() != b.meta.size()) throw bad("has a payload that does not match its ops");
  SecretBytes tag_key = crypto::derive_subkey(first_key, 1, "ckfldtag");
  std::vector<Op> ops;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const json& v = values[i];
    if (!v.is_object() || v.size() != 2 || !v.contains("f") || !v["f"].is_string() || !v.contains("v"))
      throw bad("has an op value without exactly a field name and a value");
    Op op = make_op(cs, i, v);
    bool tagged = op.kind == OpKind::set || op.kind == OpKind::add;
    if (tagged ? (op.field.empty() || crypto::keyed_hash(tag_key, op.field) != b.meta[i].field_tag) : !op.field.empty())
      throw bad("has an op whose clear field tag does not match its field");
    if (op.kind == OpKind::tombstone && !op.value.is_string()) throw bad("has a tombstone without a reason");
    if (op.kind == OpKind::create) {
      const json& c = op.value;
      if (!c.is_object() || c.size() != 2 || !c.contains("type") || !c["type"].is_string() || !c.contains("nonce") ||
          !c["nonce"].is_binary() || raw(c["nonce"]).size() != kRecordIdSize || record_id_for(op.author, raw(c["nonce"])) != op.record)
        throw bad("creates a record whose id does not belong to its author");
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

void Vault::Impl::apply_ops(std::int64_t changeset, std::vector<Op>&& ops) {
  for (Op& op : ops) record_for_update(op.record, changeset).apply(std::move(op));  // its value moves into the record
}

std::int64_t Vault::Impl::apply(const Changeset& cs, std::vector<Op> ops) {
  const ChangesetBody& b = cs.body();
  // The key is stored already, or arrives sealed to this user in this very changeset.
  std::optional<SecretBytes> arriving;
  const SecretBytes* key = space_key(b.space, b.generation);
  for (const MemberEntry& m : b.members)
    if (!key && m.user == identity().user.public_key) key = &arriving.emplace(open_key_chain(b.space, b.generation, m.wrap));
  // Decrypt before writing anything, so a bad payload leaves no trace.
  if (key && ops.empty() && !b.meta.empty()) ops = open_payload(cs, key);

  db->prepare("INSERT INTO changesets(id, space, device, seq, author, hlc, bytes, materialized) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, cs.id()).bind(2, b.space).bind(3, b.device).bind(4, static_cast<std::int64_t>(b.seq))
      .bind(5, b.author).bind(6, static_cast<std::int64_t>(b.hlc)).bind(7, cs.bytes())
      .bind(8, static_cast<std::int64_t>(key ? 1 : 0)).run();
  const std::int64_t number = db->last_insert_rowid();
  moved_chains[{b.device, b.space}] = ChainHead{b.seq, cs.id()};
  if (!b.genesis.empty())
    db->prepare("INSERT OR IGNORE INTO spaces(id, creator) VALUES(?, ?)").bind(1, b.space).bind(2, b.author).run();
  for (const MemberEntry& m : b.members)
    db->prepare("INSERT OR IGNORE INTO members(space, generation, user, role, box, card) VALUES(?, ?, ?, ?, ?, ?)")
        .bind(1, b.space).bind(2, static_cast<std::int64_t>(b.generation)).bind(3, m.user).bind(4, m.role)
        .bind(5, m.box_key).bind(6, m.card_sig).run();
  if (!b.genesis.empty() || !b.members.empty()) space_facts.erase(b.space);
  if (arriving) save_space_key(b.space, b.generation, *arriving);
  if (key) apply_ops(number, std::move(ops));
  if (arriving) materialize_backlog(b.space);
  hlc.observe(b.hlc);
  return number;
}

void Vault::Impl::materialize_backlog(const Bytes& space) {
  std::vector<std::pair<std::int64_t, Bytes>> waiting;
  auto& q = db->prepare("SELECT rowid, bytes FROM changesets WHERE space = ? AND materialized = 0").bind(1, space);
  while (q.step()) waiting.emplace_back(q.column_int(0), q.column_bytes(1));
  for (const auto& [number, bytes] : waiting) {
    Changeset cs = Changeset::decode(bytes);
    if (!space_key(space, cs.body().generation)) continue;  // still no key for that generation
    std::int64_t state = 1;
    try {
      apply_ops(number, open_payload(cs));
    } catch (const Error&) {
      state = -1;  // signed by a member yet unreadable: kept, and reported by verify()
    }
    db->prepare("UPDATE changesets SET materialized = ? WHERE rowid = ?").bind(1, state).bind(2, number).run();
  }
}

std::string Vault::Impl::blocker(const Changeset& cs) {
  const ChangesetBody& b = cs.body();
  auto refuse = [&](ErrorCode code, const std::string& why) {
    return Error(code, "Changeset " + cs.short_id() + " " + why + "; nothing was imported.");
  };
  ChainHead head = chain_head(b.device, b.space);
  const std::uint64_t last = head.seq;
  const Bytes& last_id = head.head;
  if (b.seq <= last)
    throw refuse(ErrorCode::bad_chain, "forks the chain of device " + short_hex(b.device) + " at seq " +
                                           std::to_string(b.seq) + ": a different changeset is already there");
  if (b.seq > last + 1) return "waits for seq " + std::to_string(last + 1) + " of its device's chain";
  if (b.seq > 1 && b.prev != last_id)
    throw refuse(ErrorCode::bad_chain, "does not follow changeset " + short_hex(last_id) + " of its device's chain (a fork)");

  bool has_author_entry = std::any_of(b.members.begin(), b.members.end(), [&](const MemberEntry& m) { return m.user == b.author; });
  for (const MemberEntry& m : b.members)
    if (!crypto::verify_typed(m.user, sigtype::user_card, user_card_message(m.user, m.box_key), m.card_sig))
      throw refuse(ErrorCode::bad_signature, "adds a member whose user card does not verify");
  if (!b.genesis.empty()) {
    if (space_id_for(b.author, b.genesis) != b.space || !has_author_entry || b.generation != 1)
      throw refuse(ErrorCode::forbidden, "claims to found space " + short_hex(b.space) + " but was not made by its founder");
    return {};
  }
  // What the store says of the space, read once per import (a page of one
  // space asked it the same four questions for each of its changesets);
  // apply() forgets it when a changeset founds the space or changes members.
  auto known = space_facts.find(b.space);
  if (known == space_facts.end()) {
    if (!space_known(b.space)) return "waits for the first changeset of its space";
    known = space_facts.emplace(b.space, SpaceFacts{space_creator(b.space), current_generation(b.space), {}}).first;
  }
  SpaceFacts& facts = known->second;
  bool founder = facts.creator == b.author;
  std::uint64_t current = facts.generation;
  bool rotation = !b.members.empty() && b.generation == current + 1;
  if (b.generation > current && !rotation) return "waits for generation " + std::to_string(current + 1) + " of its space";
  // A rotation is made by a manager of the generation it ends.
  std::uint64_t generation = rotation ? current : b.generation;
  auto cached = facts.roles.find({generation, b.author});
  if (cached == facts.roles.end())
    cached = facts.roles.emplace(std::make_pair(generation, b.author), member_role(b.space, generation, b.author)).first;
  const std::optional<std::string>& role = cached->second;
  if (!b.members.empty() && !founder && !(role && role_may_manage(*role)))
    return "waits for its author to become a manager of the space";
  if (!founder && !(role && role_may_write(*role))) return "waits for its author to become a member who may write";
  return {};
}

// Open the payloads whose keys this device holds already, on every core (the
// keys are looked up here, on this thread: the lookup reads SQLite). One that
// does not open is left to apply(), which opens it again and refuses it there,
// in the order of the import, as it would without this step.
void open_each(const std::vector<Changeset>& batch, const std::vector<PayloadKeyPair>& keys,
               std::vector<std::vector<Op>>& opened) {
  for_each_index(batch.size(), [&](std::size_t i) {
    if (!keys[i].first || !keys[i].second) return;
    try {
      opened[i] = open_ops(batch[i], *keys[i].first, *keys[i].second);
    } catch (const Error&) {
      opened[i].clear();  // opened again by the import, and refused in its order
    }
  });
}

void Vault::Impl::open_on_every_core(const std::vector<Changeset>& batch, std::vector<std::vector<Op>>& opened) {
  std::vector<PayloadKeyPair> keys(batch.size(), {nullptr, nullptr});
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const ChangesetBody& b = batch[i].body();
    if (b.meta.empty() || !opened[i].empty()) continue;  // no ops, or opened by CheckedBatch::check
    const SecretBytes* key = space_key(b.space, b.generation);
    if (key) keys[i] = {key, b.generation == 1 ? key : space_key(b.space, 1)};
  }
  open_each(batch, keys, opened);
}

// Found by its place in its chain (changesets has no index of ids): another
// changeset in that place is a fork, which blocker() refuses.
bool Vault::Impl::stored(const Changeset& cs) const {
  const ChangesetBody& b = cs.body();
  auto& q = db->prepare("SELECT id FROM changesets WHERE device = ? AND space = ? AND seq = ?")
                .bind(1, b.device).bind(2, b.space).bind(3, static_cast<std::int64_t>(b.seq));
  return q.step() && q.column_bytes(0) == cs.id();
}

ImportReport Vault::Impl::import(CheckedBatch checked, const std::map<std::string, std::string>& sync_settings) {
  require_unlocked();
  // Everything that can be checked alone was checked before anything is written.
  checked.throw_if_refused();
  const std::vector<Changeset>& batch = checked.changesets();
  space_facts.clear();
  std::vector<std::vector<Op>>& opened = checked.opened();
  open_on_every_core(batch, opened);
  ImportReport report;
  // Not a write anyone was told is safe: if the power fails before the OS
  // writes it, it is pulled again, as its cursor, saved with it, is lost with
  // it. Its fsync was the pull's largest wait (S5: a page's 3.5 MB of WAL, a
  // hundred times).
  RelaxedDurability relaxed(*db);
  Transaction t(*db);
  try {
    // Candidates: this import's new changesets, and those earlier imports left
    // waiting; applied in chain order as far as they can be.
    struct Candidate {
      const Changeset* cs;
      bool from_batch;
      bool done = false;
      std::vector<Op>* ops = nullptr;  // opened already, or opened when applied
    };
    std::vector<Changeset> waiting;
    auto& stored_waiting = db->prepare("SELECT bytes FROM pending");
    while (stored_waiting.step()) waiting.push_back(Changeset::decode(stored_waiting.column_bytes(0)));
    std::vector<Candidate> candidates;
    std::set<Bytes> seen_in_batch;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Changeset& cs = batch[i];
      if (!seen_in_batch.insert(cs.id()).second || stored(cs)) {
        ++report.duplicates;
        continue;
      }
      candidates.push_back({&cs, true, false, &opened[i]});
    }
    for (const Changeset& cs : waiting)
      if (!seen_in_batch.count(cs.id())) candidates.push_back({&cs, false});
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.cs->body().seq < b.cs->body().seq; });
    for (bool progress = true; progress;) {
      progress = false;
      for (Candidate& c : candidates) {
        if (c.done) continue;
        try {
          if (!blocker(*c.cs).empty()) continue;
          apply(*c.cs, c.ops ? std::move(*c.ops) : std::vector<Op>{});  // throws before writing anything
          ++report.applied;
        } catch (const Error&) {
          // A bad changeset in this import is refused outright. One left waiting
          // by an earlier import is set aside, so it cannot block later imports.
          if (c.from_batch) throw;
          db->prepare("INSERT OR IGNORE INTO refused(id, bytes) VALUES(?, ?)").bind(1, c.cs->id()).bind(2, c.cs->bytes()).run();
        }
        c.done = progress = true;
      }
    }
    for (const Candidate& c : candidates) {
      if (c.done && !c.from_batch) db->prepare("DELETE FROM pending WHERE id = ?").bind(1, c.cs->id()).run();
      if (!c.done && c.from_batch)
        db->prepare("INSERT OR IGNORE INTO pending(id, seq, bytes) VALUES(?, ?, ?)")
            .bind(1, c.cs->id()).bind(2, static_cast<std::int64_t>(c.cs->body().seq)).bind(3, c.cs->bytes()).run();
      if (!c.done) ++report.pending;
    }
    flush_records();
    persist_hlc();
    for (const auto& [key, value] : sync_settings) put_sync_setting(key, value);
    t.commit();
  } catch (...) {
    forget_caches();
    throw;
  }
  space_facts.clear();
  // A page's changesets are tens of thousands of small frees (a twentieth of
  // a pull's time): done beside this thread.
  retire_meanwhile([gone = std::move(checked)]() mutable { gone = CheckedBatch(); });
  return report;
}

ImportReport Vault::import_changesets(const std::vector<Bytes>& changesets) {
  return impl_->import(CheckedBatch::check(changesets));
}

ImportReport Vault::import_checked(CheckedBatch batch, const std::map<std::string, std::string>& sync_settings) {
  return impl_->import(std::move(batch), sync_settings);
}

std::vector<Bytes> Vault::export_changesets() const {
  std::vector<Bytes> out;
  auto& q = impl_->db->prepare("SELECT bytes FROM changesets ORDER BY rowid");
  while (q.step()) out.push_back(q.column_bytes(0));
  return out;
}

}  // namespace casekeep
