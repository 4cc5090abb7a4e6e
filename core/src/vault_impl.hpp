// Internals shared by the vault's source files: keys, the store, the replica
// machinery (commit, apply, import) and the record cache of one transaction.
#pragma once
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "casekeep/changeset.hpp"
#include "casekeep/clock.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/error.hpp"
#include "casekeep/parallel.hpp"
#include "casekeep/rules.hpp"
#include "casekeep/vault.hpp"
#include "record_state.hpp"
#include "sqlite_db.hpp"

namespace casekeep {

struct Identity {
  std::string name;
  crypto::SignKeyPair user;
  crypto::BoxKeyPair box;
  crypto::SignKeyPair device;
  Bytes cert;      // device certificate by the user key
  Bytes card_sig;  // user card: the user key's signature over the box key
};

// The ops of one local transaction, before they become a changeset.
struct Txn {
  Bytes space;
  std::vector<Op> ops;               // field, value, parents, kind, record
  std::vector<MemberEntry> members;  // membership entries (clear)
  Bytes genesis;                     // set only for a new space
  SecretBytes new_space_key;         // the generation-1 key of a new space
  SecretBytes rotated_key;           // set when this change starts the next generation
  // Records are created with a nonce; their id is record_id_for(creator, nonce).
  void create(const Bytes& record, const Bytes& nonce, const std::string& type) {
    ops.push_back(make(OpKind::create, record, "", json{{"type", type}, {"nonce", bin(nonce)}}));
  }
  void add(const Bytes& record, const std::string& field, json value) {
    ops.push_back(make(OpKind::add, record, field, std::move(value)));
  }
  void tombstone(const Bytes& record, const std::string& reason) {
    ops.push_back(make(OpKind::tombstone, record, "", reason));
  }
  // Parents are filled in at commit from the heads this replica knows.
  void set(const Bytes& record, const std::string& field, json value) {
    ops.push_back(make(OpKind::set, record, field, std::move(value)));
  }
  static Op make(OpKind kind, const Bytes& record, const std::string& field, json value) {
    Op op;
    op.kind = kind;
    op.record = record;
    op.field = field;
    op.value = std::move(value);
    return op;
  }
};

struct Vault::Impl {
  std::unique_ptr<Database> db;
  SystemClock system_clock;
  Clock* clock = nullptr;
  crypto::PwhashParams kdf{};
  Hlc hlc;

  // Present only while unlocked.
  SecretBytes master, record_key, space_key_key;
  std::optional<Identity> me;

  // Space keys by (space, generation), loaded on demand; dropped on rollback and lock.
  std::map<std::pair<Bytes, std::uint64_t>, SecretBytes> space_keys;
  // Records touched in the current transaction, written back before COMMIT,
  // with the version of their stored row (0: none yet), so the write-back
  // reads nothing again.
  struct Dirty {
    std::uint64_t stored_version = 0;
    std::int64_t row = 0;  // the number of its stored row; 0: none yet
    Bytes stored_space;    // the space and type its stored row is listed under
    std::string stored_type;
    RecordState state;
    std::vector<std::int64_t> changesets;  // numbers of the changesets applied to it since
  };
  std::map<Bytes, Dirty> dirty;
  // Decrypted records as stored, with their row version: reads skip the
  // decryption and parsing while the version is unchanged. Dropped on
  // rollback and lock.
  mutable std::map<Bytes, std::pair<std::uint64_t, RecordState>> clean;
  // Frees what is done with (a full clean cache, an imported page) on another
  // thread, one job at a time: the next waits for the one before.
  mutable std::future<void> retired;
  template <typename Work>
  void retire_meanwhile(Work work) const {
    if (retired.valid()) retired.get();
    retired = run_meanwhile(std::move(work));
  }
  // blocker()'s reads of a space during one import (see there); empty otherwise.
  struct SpaceFacts {
    Bytes creator;
    std::uint64_t generation = 0;
    std::map<std::pair<std::uint64_t, Bytes>, std::optional<std::string>> roles;  // (generation, user)
  };
  std::map<Bytes, SpaceFacts> space_facts;
  // Heads of the (device, space) chains this transaction moved: written once
  // each by flush_records(), not once per changeset (an import of one chain's
  // thousand changesets rewrote its row a thousand times).
  struct ChainHead {
    std::uint64_t seq = 0;  // 0: the chain is empty
    Bytes head;
  };
  std::map<std::pair<Bytes, Bytes>, ChainHead> moved_chains;
  ChainHead chain_head(const Bytes& device, const Bytes& space) const;
  void remember_clean(const Bytes& id, std::uint64_t version, RecordState state) const;

  // --- keys and identity (vault.cpp)
  void require_unlocked() const;
  void put_sync_setting(const std::string& key, const std::string& value);  // as Vault::set_sync_setting
  const Identity& identity() const;

  // --- store (store.cpp)
  void create_schema(int wal_checkpoint_pages, bool wal_truncate);
  void index_conflict(const Bytes& id, const RecordState& state);
  void index_conflicts_once();
  std::optional<RecordState> load_record(const Bytes& id) const;
  // The stored record, its row version and its row's number (0, 0 and nothing when there is no row).
  std::optional<RecordState> load_stored(const Bytes& id, std::uint64_t& version, std::int64_t& row) const;
  // The record as this transaction changes it; `changeset` (a number) is noted for its history.
  RecordState& record_for_update(const Bytes& id, std::int64_t changeset);
  // Writes back the dirty records and the moved chain heads. Their rows are
  // built on every core, or on this thread only where another is busy beside it.
  void flush_records(bool on_every_core = true);
  void save_space_key(const Bytes& space, std::uint64_t generation, const SecretBytes& key);
  // Keys of generations 1..generation concatenated: what a member entry seals, so a
  // member added later can still read what was written before.
  SecretBytes key_chain(const Bytes& space, std::uint64_t generation);
  // Store the keys a wrap (sealed to this user) carries; returns the last one.
  SecretBytes open_key_chain(const Bytes& space, std::uint64_t generation, const Bytes& wrap);
  const SecretBytes* space_key(const Bytes& space, std::uint64_t generation);
  std::uint64_t current_generation(const Bytes& space) const;
  SecretBytes field_tag_key(const Bytes& space);
  std::optional<std::string> member_role(const Bytes& space, std::uint64_t generation, const Bytes& user) const;
  bool space_known(const Bytes& space) const;
  Bytes space_creator(const Bytes& space) const;
  void forget_caches() noexcept;

  // --- replica (replica.cpp)
  // Seal the ops as one changeset by this device, store it and apply it, in one
  // SQLite transaction. Returns the changeset's id. Consumes txn.ops.
  Bytes commit(Txn& txn);
  // Commit changes one after another in one SQLite transaction, each its own
  // changeset: `next` fills the next one, or returns false. It runs on another
  // thread beside this one's writes, so it may read the identity and nothing
  // else of the vault.
  void commit_each(const std::function<bool(Txn&)>& next);
  // commit()'s steps. What a change needs of the store (read here; a genesis
  // or a rotation saves its new key); its body and clear payload after `head`
  // on this device's chain (reads stored records only for the parents of
  // fields it sets on records it does not create); that encrypted and signed
  // (touches no state: any thread); and stored and applied.
  struct ChangeKeys {
    std::uint64_t generation = 0;
    const SecretBytes* key = nullptr;
    SecretBytes tag_key;
  };
  struct Unsealed {
    ChangesetBody body;
    Bytes payload;  // clear CBOR, wiped once encrypted
    const SecretBytes* key = nullptr;
    std::vector<Op> ops;
  };
  struct Sealed {
    Changeset cs;
    std::vector<Op> ops;
  };
  ChangeKeys keys_for(const Txn& txn);
  Unsealed build_change(Txn& txn, const ChangeKeys& keys, const ChainHead& head, std::uint64_t hlc_stamp) const;
  static Changeset seal_change(Unsealed& change, const SecretBytes& device_secret_key);
  void store_change(const Changeset& cs, std::vector<Op> ops);
  Sealed make_change(Txn& txn, const ChangeKeys& keys);  // build_change and seal_change, after the chain's head
  // Why this changeset cannot be applied yet (empty when it can). Throws for a
  // changeset that can never be applied (a fork, a forged genesis).
  std::string blocker(const Changeset& cs);
  // Store the changeset, record its membership entries and apply its ops.
  // `ops` is given by the local write path; an import decrypts them here.
  std::int64_t apply(const Changeset& cs, std::vector<Op> ops = {});  // returns the number of its row
  bool stored(const Changeset& cs) const;  // this very changeset is in the store
  void persist_hlc();
  // Decrypt and check a changeset's ops. `key` defaults to the stored space key.
  std::vector<Op> open_payload(const Changeset& cs, const SecretBytes* key = nullptr);
  // Opens the payloads of `batch` not opened yet, with the keys this device holds.
  void open_on_every_core(const std::vector<Changeset>& batch, std::vector<std::vector<Op>>& opened);
  // Apply the ops of stored changesets of `space` that waited for a key this device now holds.
  void materialize_backlog(const Bytes& space);
  void apply_ops(std::int64_t changeset, std::vector<Op>&& ops);  // changeset: its row's number
  ImportReport import(CheckedBatch batch, const std::map<std::string, std::string>& sync_settings = {});

  // --- domain helpers (records.cpp)
  RecordState existing(const Bytes& id, const char* what) const;
  void require_role(const Bytes& space, const std::set<std::string>& roles, const std::string& action) const;
  std::string name_of(const Bytes& space, const Bytes& user) const;
  std::string practitioner_of(const Bytes& interview) const;  // user id hex, or ""
  Bytes note_signing_bytes(const RecordState& note) const;
  // A note's status from its verified signatures (views.cpp).
  NoteView note_view(const RecordState& note, const std::vector<RecordView>* siblings) const;
};

// Decrypt and check a changeset's ops with the key of its generation and that
// of generation 1 (the field tag key). Touches no state: safe on any thread.
std::vector<Op> open_ops(const Changeset& cs, const SecretBytes& key, const SecretBytes& first_key);
// Each changeset's key of its generation and of generation 1; null where not held.
using PayloadKeyPair = std::pair<const SecretBytes*, const SecretBytes*>;
// open_ops for every changeset with both its keys, on every core; one that
// does not open is left empty.
void open_each(const std::vector<Changeset>& batch, const std::vector<PayloadKeyPair>& keys,
               std::vector<std::vector<Op>>& opened);
// Whether every op of the change is on a record the change itself creates.
bool only_new_records(const Txn& txn);
inline Bytes record_id_for(const Bytes& creator, const Bytes& nonce) { return space_id_for(creator, nonce); }
Bytes parse_id(const std::string& hex, std::size_t size, const char* what);
std::string kind_name(OpKind kind);

}  // namespace casekeep
