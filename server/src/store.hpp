// The sync server's durable store: DIR/server.db (SQLite, WAL, group commit:
// commits write the WAL, and wait_durable() flushes it before any answer).
// It holds the directory (users, enrolment codes, devices), login state
// (challenges, hashes of tokens) and the blind log of changeset bytes with the
// clear metadata the server checks (chains, spaces, members, conflict registers).
// Not thread-safe: one Store per thread (SyncService serializes its calls).
// Every failure throws casekeep::Error(storage); every write method is one
// transaction (or savepoint, inside transaction()), so a failed call leaves
// the store as it was.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casekeep/bytes.hpp"
#include "casekeep/changeset.hpp"
#include "checkpointer.hpp"
#include "group_sync.hpp"
#include "sqlite.hpp"

namespace casekeep::server {

struct UserEntry {
  std::string name;
  std::string role;  // the operator's note of the user's role; may be empty
  Bytes user;        // Ed25519 public key; empty until the first enrolment
  Bytes box;         // X25519 public key from the user card
  Bytes card;        // the user's signature over {box, user}
};

struct DeviceEntry {
  Bytes device;
  Bytes user;
  Bytes cert;
  bool revoked = false;
};

struct ChainHead {
  std::uint64_t seq = 0;  // 0 when the chain is empty
  Bytes head;             // id of the changeset at seq; empty when none
};

struct LogRef {
  std::uint64_t seq = 0;   // server seq
  std::size_t size = 0;    // bytes of the changeset
  Bytes device;            // the device whose chain it extends
  std::uint64_t device_seq = 0;
};

// What a pull already holds of its own device's chain in a space: the
// changesets of `device` up to device seq `held` (0: none).
struct HeldChain {
  Bytes device;
  std::uint64_t held = 0;
};

// One space's part of a pull page: its changesets after a cursor, and how far
// the look went. Every changeset of the space up to `covered` that is not in
// `refs` was stepped over; `more` says whether any lie beyond it.
struct LogWindow {
  std::vector<LogRef> refs;
  std::uint64_t covered = 0;
  bool more = false;
};

struct OpenConflict {
  Bytes record;
  Bytes field_tag;
  std::vector<Bytes> heads;  // op ids, sorted bytewise
};

class Store {
 public:
  // Opens DIR/server.db, creating DIR (mode 0700) and the schema when missing.
  explicit Store(const std::filesystem::path& dir);
  ~Store();  // flushes what was written (an operator command's writes)
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  static std::filesystem::path file_in(const std::filesystem::path& dir) { return dir / "server.db"; }

  // Directory. add_code creates the user's entry when the name is new and
  // records the hash of a one-time enrolment code for it; a non-empty role
  // replaces the entry's role.
  void add_code(const std::string& name, const std::string& role, const Bytes& code_hash, std::uint64_t now_ms);
  std::optional<std::string> name_for_code(const Bytes& code_hash);  // an unused code only
  std::optional<UserEntry> user_by_name(const std::string& name);
  std::optional<UserEntry> user_by_key(const Bytes& user);
  std::vector<UserEntry> users();
  // One transaction: consume the code, bind the user key to the entry if it is
  // not bound yet, and enrol the device.
  void enrol(const Bytes& code_hash, const UserEntry& user, const DeviceEntry& device, std::uint64_t now_ms);
  std::optional<DeviceEntry> device(const Bytes& device);
  std::vector<DeviceEntry> devices_of(const Bytes& user);
  // Marks the device revoked and forgets its tokens. False for an unknown device.
  bool revoke_device(const Bytes& device);

  // Login. Expired challenges and tokens are swept on each write.
  void add_challenge(const Bytes& challenge, const Bytes& device, std::uint64_t expires_ms, std::uint64_t now_ms);
  // The device a live challenge was issued to.
  std::optional<Bytes> challenge_device(const Bytes& challenge, std::uint64_t now_ms);
  // One transaction: the challenge is used up and the token (its hash) issued.
  void exchange_challenge(const Bytes& challenge, const Bytes& token_hash, const Bytes& device,
                          std::uint64_t expires_ms, std::uint64_t now_ms);
  std::optional<Bytes> token_device(const Bytes& token_hash, std::uint64_t now_ms);

  // The log and what the server knows of spaces.
  // The server seq of this very changeset, if the log holds it (at its
  // place in its chain: another changeset there is a fork, not it).
  std::optional<std::uint64_t> server_seq_of(const Changeset& changeset);
  ChainHead chain(const Bytes& device, const Bytes& space);
  std::optional<Bytes> space_creator(const Bytes& space);
  std::uint64_t current_generation(const Bytes& space);  // 0 for an unknown space
  std::vector<std::string> roles_of(const Bytes& space, std::uint64_t generation, const Bytes& user);
  bool is_member(const Bytes& space, const Bytes& user);   // at the space's current generation
  bool was_member(const Bytes& space, const Bytes& user);  // at any generation
  std::vector<Bytes> member_spaces(const Bytes& user);
  // A changeset into the log with the next server seq (and, for a genesis or
  // a membership change, the space and member entries), atomically. Its
  // chain's new head is written by set_chain_head(): a push of many writes
  // each chain's head once, before it commits (PushFacts keeps them meanwhile).
  // Conflict registers follow the log when they are read (conflicts()).
  std::uint64_t append_to_log(const Changeset& changeset, std::uint64_t now_ms);
  void set_chain_head(const Bytes& device, const Bytes& space, const ChainHead& head);
  // Up to `limit` changesets of `space` with server seq > `after`, in seq order;
  // sizes first, so a page can be cut to a byte budget before any bytes are read.
  // Those of `own.device`'s chain up to `own.held` are stepped over, not
  // listed, and the look goes at most `span` server seqs past `after`.
  LogWindow log_after(const Bytes& space, std::uint64_t after, std::size_t limit, const HeldChain& own,
                      std::uint64_t span);
  Bytes log_bytes(std::uint64_t seq);
  // The space's registers with more than one head, after bringing them up to
  // date with the log (catch_up_registers).
  std::vector<OpenConflict> conflicts(const Bytes& space);

  // Several writes in one transaction: each write method above is then a
  // savepoint inside it, and all become durable together at its commit().
  Transaction transaction() { return Transaction(db_); }

  // Group commit (group_sync.hpp): commits made so far, and a wait until
  // they are on disk. Thread-safe, unlike the rest: called outside the lock.
  std::uint64_t commits() const noexcept { return sync_.mark(); }
  void wait_durable(std::uint64_t commits) { sync_.wait_durable(commits); }

  // BLAKE2b-256 over every row of every table: equal digests, equal stores.
  std::string digest();

 private:
  // Applies the set ops of the space's changesets the registers have not seen
  // yet, in log order, and records how far they have got.
  void catch_up_registers(const Bytes& space);

  static int on_commit(void* store, sqlite3*, const char*, int wal_pages);  // SQLite's WAL hook

  Database db_;
  GroupSync sync_;
  std::unique_ptr<Checkpointer> checkpointer_;  // after the schema exists; stops before db_ closes
};

}  // namespace casekeep::server
