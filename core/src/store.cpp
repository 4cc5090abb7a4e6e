// The vault's SQLite tables and the encrypted rows in them. Record rows and
// cached space keys are AEAD ciphertext whose associated data binds them to
// their place (table, id, version), so rows cannot be swapped or moved.
#include <sodium.h>

#include <exception>

#include "casekeep/parallel.hpp"
#include "vault_impl.hpp"

namespace casekeep {
namespace {

void put_u64be(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

Bytes record_ad(const Bytes& id, std::uint64_t version) {
  Bytes ad = to_bytes("casekeep/record/v1");
  ad.insert(ad.end(), id.begin(), id.end());
  put_u64be(ad, version);
  return ad;
}

Bytes space_key_ad(const Bytes& space, std::uint64_t generation) {
  Bytes ad = space;
  put_u64be(ad, generation);
  return ad;
}

}  // namespace

void Vault::Impl::create_schema(int wal_checkpoint_pages, bool wal_truncate) {
  db->checkpoint_meanwhile(wal_checkpoint_pages, wal_truncate);
  // 16 MiB of page cache (SQLite's default is 2 MiB): a pull's record and op
  // index inserts land on random pages, and at 100,000 notes re-reading them
  // from the OS cost a sixth of the pull (S5: 20 s -> 17 s; 64 MiB was no better).
  db->exec("PRAGMA cache_size = -16384");
  // A write inside write_batch() is a savepoint, whose undo copies are a
  // temporary file by default: a thousand notes in one batch wrote 89 KB per
  // note to it (S5's writer). In memory, they are dropped when it is released.
  db->exec("PRAGMA temp_store = MEMORY");
  db->exec(R"sql(
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;  -- a commit is durable before the call returns
    PRAGMA foreign_keys = ON;
    CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
    -- A changeset is found by its place in its chain, not by its id, and is
    -- referred to by its number: ids are hashes, so an index of them took a
    -- random page per insert, and at 100,000 changesets a pull page's commit
    -- rewrote most of that index (S5). A vault made before keeps its index of
    -- ids, which costs only speed. Two rows never share an id: the same id is
    -- the same bytes, so the same place in the same chain.
    CREATE TABLE IF NOT EXISTS changesets(
      n INTEGER PRIMARY KEY, id BLOB NOT NULL, space BLOB NOT NULL, device BLOB NOT NULL, seq INTEGER NOT NULL,
      author BLOB NOT NULL, hlc INTEGER NOT NULL, bytes BLOB NOT NULL,
      -- 1: ops applied; 0: waiting for this device to receive the space key; -1: unreadable
      materialized INTEGER NOT NULL DEFAULT 1,
      UNIQUE(device, space, seq));
    -- Only the changesets waiting for a key: nearly always none, so a
    -- changeset's insert skips this index (it replaces changesets_waiting,
    -- which listed every changeset).
    DROP INDEX IF EXISTS changesets_waiting;
    CREATE INDEX IF NOT EXISTS changesets_unread ON changesets(space) WHERE materialized = 0;
    CREATE TABLE IF NOT EXISTS chains(
      device BLOB NOT NULL, space BLOB NOT NULL, seq INTEGER NOT NULL, head BLOB NOT NULL,
      PRIMARY KEY(device, space));
    CREATE TABLE IF NOT EXISTS pending(id BLOB PRIMARY KEY, seq INTEGER NOT NULL, bytes BLOB NOT NULL);
    -- Which changesets hold ops on a record (history reads their ops from the
    -- changeset: its clear metadata names each op's record). One row per
    -- record and changeset, not per op, WITHOUT ROWID, and by the numbers of
    -- both rows: a new record's entries go at the end of the index, where
    -- entries keyed by random ids went anywhere in it.
    CREATE TABLE IF NOT EXISTS record_changes(
      record INTEGER NOT NULL, changeset INTEGER NOT NULL, PRIMARY KEY(record, changeset)) WITHOUT ROWID;
    -- A record keeps its number for life (its row is updated in place, never
    -- replaced), so record_changes can name it.
    CREATE TABLE IF NOT EXISTS records(
      n INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, space BLOB NOT NULL, type TEXT NOT NULL,
      version INTEGER NOT NULL, row BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS records_by_space ON records(space, type);
    CREATE TABLE IF NOT EXISTS spaces(id BLOB PRIMARY KEY, creator BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS space_keys(
      space BLOB NOT NULL, generation INTEGER NOT NULL, key BLOB NOT NULL, PRIMARY KEY(space, generation));
    CREATE TABLE IF NOT EXISTS members(
      space BLOB NOT NULL, generation INTEGER NOT NULL, user BLOB NOT NULL, role TEXT NOT NULL, box BLOB NOT NULL,
      card BLOB NOT NULL,
      PRIMARY KEY(space, generation, user, role));
    CREATE TABLE IF NOT EXISTS refused(id BLOB PRIMARY KEY, bytes BLOB NOT NULL);
    -- Records with a field in conflict, so listing conflicts reads these and not
    -- every record. Clear ids only; the server knows as much from metadata.
    CREATE TABLE IF NOT EXISTS conflicted(id BLOB PRIMARY KEY, space BLOB NOT NULL);
    -- The outbox: numbers of changesets made here and not yet acknowledged, in
    -- the order they were made (it replaces outbox, which listed their ids).
    CREATE TABLE IF NOT EXISTS unsent(changeset INTEGER PRIMARY KEY);
  )sql");
  // Vaults made before named records and changesets by id: a row per op in
  // op_index, then a row per record and changeset in record_changesets, and
  // the outbox's ids. Their rows move over, by number, and the old table goes.
  auto move_over = [&](const std::string& old, const std::string& insert_from_old) {
    bool present = db->prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").bind(1, old).step();
    db->finish_statements();  // a DROP waits for no open statement
    if (!present) return;
    Transaction t(*db);
    db->exec(insert_from_old + "; DROP TABLE " + old + ";");
    t.commit();
  };
  for (const char* old : {"op_index", "record_changesets"})
    move_over(old, std::string("INSERT OR IGNORE INTO record_changes(record, changeset) SELECT r.rowid, c.rowid FROM ") +
                       old + " o JOIN records r ON r.id = o.record JOIN changesets c ON c.id = o.changeset");
  move_over("outbox", "INSERT OR IGNORE INTO unsent(changeset) SELECT c.rowid FROM outbox o JOIN changesets c ON c.id = o.changeset");
}

std::optional<RecordState> Vault::Impl::load_record(const Bytes& id) const {
  auto found = dirty.find(id);
  if (found != dirty.end()) return found->second.state;
  std::uint64_t version = 0;
  std::int64_t row = 0;
  return load_stored(id, version, row);
}

std::optional<RecordState> Vault::Impl::load_stored(const Bytes& id, std::uint64_t& version, std::int64_t& row_number) const {
  require_unlocked();
  auto& q = db->prepare("SELECT version, rowid FROM records WHERE id = ?").bind(1, id);
  version = 0;
  row_number = 0;
  if (!q.step()) return std::nullopt;
  version = static_cast<std::uint64_t>(q.column_int(0));
  row_number = q.column_int(1);
  // Reading the version is cheap; decrypting and parsing the row is not. The
  // cache is keyed by version, so a row another writer changed is read afresh.
  auto cached = clean.find(id);
  if (cached != clean.end() && cached->second.first == version) return cached->second.second;
  auto& row = db->prepare("SELECT row FROM records WHERE rowid = ?").bind(1, row_number);
  row.step();
  SecretBytes plain;
  try {
    plain = crypto::aead_decrypt(record_key, row.column_bytes(0), record_ad(id, version));
  } catch (const Error&) {
    throw Error(ErrorCode::tampered, "The stored row of record " + to_hex(id) + " has been altered or moved.");
  }
  RecordState state = RecordState::decode(plain.data(), plain.size());
  remember_clean(id, version, state);
  return state;
}

void Vault::Impl::remember_clean(const Bytes& id, std::uint64_t version, RecordState state) const {
  constexpr std::size_t kMaxCleanRecords = 4096;  // bounds the memory; a full cache starts over
  if (clean.size() >= kMaxCleanRecords) {
    // Freeing 4,096 states is thousands of small frees (a fifteenth of a
    // pull's time): they are done beside this thread, one full cache at a time.
    retire_meanwhile([old = std::move(clean)]() mutable { old.clear(); });
    clean.clear();
  }
  clean[id] = {version, std::move(state)};
}

RecordState& Vault::Impl::record_for_update(const Bytes& id, std::int64_t changeset) {
  auto found = dirty.find(id);
  if (found == dirty.end()) {
    Dirty d;
    std::optional<RecordState> loaded = load_stored(id, d.stored_version, d.row);
    if (loaded) {
      d.stored_space = loaded->space;
      d.stored_type = loaded->type;
      d.state = std::move(*loaded);
    } else {
      d.state.id = id;  // its space is set by its create op, wherever that comes from
    }
    found = dirty.emplace(id, std::move(d)).first;
  }
  Dirty& d = found->second;
  if (d.changesets.empty() || d.changesets.back() != changeset) d.changesets.push_back(changeset);
  return d.state;
}

void Vault::Impl::flush_records(bool on_every_core) {
  // Row versions come from SQLite on this thread; the rows themselves (CBOR of
  // the registers, then AEAD) are built on every core when asked: a pull page
  // touches hundreds of records, and building rows was most of that cost.
  struct Pending {
    const Bytes* id;
    Dirty* d;
    std::uint64_t version;
    Bytes row;
    std::exception_ptr failed;
  };
  std::vector<Pending> rows;
  rows.reserve(dirty.size());
  for (auto& [id, d] : dirty) rows.push_back({&id, &d, d.stored_version + 1, {}, nullptr});
  auto build = [&](std::size_t i) {
    Pending& r = rows[i];
    try {
      Bytes plain = r.d->state.encode();
      r.row = crypto::aead_encrypt(record_key, plain, record_ad(*r.id, r.version));
      sodium_memzero(plain.data(), plain.size());
    } catch (...) {
      r.failed = std::current_exception();
    }
  };
  if (on_every_core) {
    for_each_index(rows.size(), build);
  } else {
    for (std::size_t i = 0; i < rows.size(); ++i) build(i);
  }
  for (const Pending& r : rows) {
    if (r.failed) std::rethrow_exception(r.failed);
    RecordState& state = r.d->state;
    std::int64_t number = r.d->row;
    const auto version = static_cast<std::int64_t>(r.version);
    if (number == 0) {
      db->prepare("INSERT INTO records(id, space, type, version, row) VALUES(?, ?, ?, ?, ?)")
          .bind(1, *r.id).bind(2, state.space).bind(3, state.type).bind(4, version).bind(5, r.row).run();
      number = db->last_insert_rowid();
    } else if (r.d->stored_space == state.space && r.d->stored_type == state.type) {  // the index of them is not touched
      db->prepare("UPDATE records SET version = ?, row = ? WHERE rowid = ?").bind(1, version).bind(2, r.row).bind(3, number).run();
    } else {
      db->prepare("UPDATE records SET space = ?, type = ?, version = ?, row = ? WHERE rowid = ?")
          .bind(1, state.space).bind(2, state.type).bind(3, version).bind(4, r.row).bind(5, number).run();
    }
    for (std::int64_t changeset : r.d->changesets)
      db->prepare("INSERT OR IGNORE INTO record_changes(record, changeset) VALUES(?, ?)").bind(1, number).bind(2, changeset).run();
    // A record's first row cannot be in the conflict index yet: nothing to delete.
    if (r.version > 1 || state.in_conflict()) index_conflict(*r.id, state);
    remember_clean(*r.id, r.version, std::move(state));  // dirty is cleared below
  }
  dirty.clear();
  for (const auto& [chain, head] : moved_chains)
    db->prepare("INSERT OR REPLACE INTO chains(device, space, seq, head) VALUES(?, ?, ?, ?)")
        .bind(1, chain.first).bind(2, chain.second).bind(3, static_cast<std::int64_t>(head.seq)).bind(4, head.head).run();
  moved_chains.clear();
}

Vault::Impl::ChainHead Vault::Impl::chain_head(const Bytes& device, const Bytes& space) const {
  auto moved = moved_chains.find({device, space});
  if (moved != moved_chains.end()) return moved->second;
  auto& q = db->prepare("SELECT seq, head FROM chains WHERE device = ? AND space = ?").bind(1, device).bind(2, space);
  if (!q.step()) return {};
  return {static_cast<std::uint64_t>(q.column_int(0)), q.column_bytes(1)};
}

void Vault::Impl::index_conflict(const Bytes& id, const RecordState& state) {
  if (state.in_conflict())
    db->prepare("INSERT OR IGNORE INTO conflicted(id, space) VALUES(?, ?)").bind(1, id).bind(2, state.space).run();
  else
    db->prepare("DELETE FROM conflicted WHERE id = ?").bind(1, id).run();
}

// Vaults made before the conflict index existed build it once, when unlocked.
void Vault::Impl::index_conflicts_once() {
  if (db->prepare("SELECT 1 FROM meta WHERE key = 'conflicts_indexed'").step()) return;
  std::vector<Bytes> ids;
  auto& q = db->prepare("SELECT id FROM records");
  while (q.step()) ids.push_back(q.column_bytes(0));
  Transaction t(*db);
  for (const Bytes& id : ids)
    if (auto state = load_record(id)) index_conflict(id, *state);
  db->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('conflicts_indexed', '1')").run();
  t.commit();
}

void Vault::Impl::save_space_key(const Bytes& space, std::uint64_t generation, const SecretBytes& key) {
  Bytes boxed = crypto::aead_encrypt(space_key_key, key, space_key_ad(space, generation));
  db->prepare("INSERT OR REPLACE INTO space_keys(space, generation, key) VALUES(?, ?, ?)")
      .bind(1, space).bind(2, static_cast<std::int64_t>(generation)).bind(3, boxed).run();
  space_keys[{space, generation}] = key.clone();
}

SecretBytes Vault::Impl::key_chain(const Bytes& space, std::uint64_t generation) {
  SecretBytes chain(static_cast<std::size_t>(crypto::kKeySize * generation));
  for (std::uint64_t g = 1; g <= generation; ++g) {
    const SecretBytes* key = space_key(space, g);
    if (!key) throw Error(ErrorCode::forbidden, "This device lacks a key of space " + to_hex(space) + ".");
    std::copy(key->data(), key->data() + crypto::kKeySize, chain.data() + (g - 1) * crypto::kKeySize);
  }
  return chain;
}

SecretBytes Vault::Impl::open_key_chain(const Bytes& space, std::uint64_t generation, const Bytes& wrap) {
  SecretBytes chain = crypto::seal_open(identity().box, wrap);
  if (chain.size() != crypto::kKeySize * generation)
    throw Error(ErrorCode::tampered, "A sealed key chain of space " + to_hex(space) + " has the wrong length.");
  SecretBytes last;
  for (std::uint64_t g = 1; g <= generation; ++g) {
    SecretBytes key(chain.data() + (g - 1) * crypto::kKeySize, crypto::kKeySize);
    if (g == generation) last = key.clone();
    else if (!space_key(space, g)) save_space_key(space, g, key);
  }
  return last;
}

const SecretBytes* Vault::Impl::space_key(const Bytes& space, std::uint64_t generation) {
  auto found = space_keys.find({space, generation});
  if (found != space_keys.end()) return &found->second;
  require_unlocked();
  auto& q = db->prepare("SELECT key FROM space_keys WHERE space = ? AND generation = ?")
                .bind(1, space).bind(2, static_cast<std::int64_t>(generation));
  if (!q.step()) return nullptr;
  SecretBytes key = crypto::aead_decrypt(space_key_key, q.column_bytes(0), space_key_ad(space, generation));
  return &space_keys.emplace(std::make_pair(space, generation), std::move(key)).first->second;
}

PayloadKeys Vault::payload_keys() const {
  impl_->require_unlocked();
  PayloadKeys out;
  auto& q = impl_->db->prepare("SELECT space, generation, key FROM space_keys");
  while (q.step()) {
    Bytes space = q.column_bytes(0);
    auto generation = static_cast<std::uint64_t>(q.column_int(1));
    SecretBytes key = crypto::aead_decrypt(impl_->space_key_key, q.column_bytes(2), space_key_ad(space, generation));
    out.keys_.emplace(std::make_pair(std::move(space), generation), std::move(key));
  }
  return out;
}

std::uint64_t Vault::Impl::current_generation(const Bytes& space) const {
  auto& q = db->prepare("SELECT MAX(generation) FROM members WHERE space = ?").bind(1, space);
  if (!q.step() || q.column_is_null(0))
    throw Error(ErrorCode::not_found, "Space " + to_hex(space) + " is not known on this device.");
  return static_cast<std::uint64_t>(q.column_int(0));
}

SecretBytes Vault::Impl::field_tag_key(const Bytes& space) {
  // Derived from generation 1's key so a field's tag never changes across rotations.
  const SecretBytes* first = space_key(space, 1);
  if (!first) throw Error(ErrorCode::forbidden, "This device holds no key for space " + to_hex(space) + ".");
  return crypto::derive_subkey(*first, 1, "ckfldtag");
}

std::optional<std::string> Vault::Impl::member_role(const Bytes& space, std::uint64_t generation,
                                                    const Bytes& user) const {
  auto& q = db->prepare("SELECT role FROM members WHERE space = ? AND generation = ? AND user = ? ORDER BY role")
                .bind(1, space).bind(2, static_cast<std::int64_t>(generation)).bind(3, user);
  std::optional<std::string> best;
  while (q.step()) {
    std::string role = q.column_text(0);
    if (!best || role_may_manage(role) || (role_may_write(role) && !role_may_write(*best))) best = role;
  }
  return best;
}

bool Vault::Impl::space_known(const Bytes& space) const {
  return db->prepare("SELECT 1 FROM spaces WHERE id = ?").bind(1, space).step();
}

Bytes Vault::Impl::space_creator(const Bytes& space) const {
  auto& q = db->prepare("SELECT creator FROM spaces WHERE id = ?").bind(1, space);
  return q.step() ? q.column_bytes(0) : Bytes{};
}

void Vault::Impl::forget_caches() noexcept {
  space_keys.clear();
  space_facts.clear();
  dirty.clear();
  clean.clear();
  moved_chains.clear();
}

}  // namespace casekeep
