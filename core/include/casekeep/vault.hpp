// The vault: one user's encrypted local store on one device.
//
// A Vault is opened locked; unlock() derives the passphrase key (Argon2id),
// opens the master key and the identity, and lock() wipes them. Every write is
// one changeset, committed in one SQLite transaction or not at all. Every error
// is a casekeep::Error whose message is a sentence; a failed call changes nothing.
// Not thread-safe: use one Vault per thread.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casekeep/bytes.hpp"
#include "casekeep/checked_batch.hpp"
#include "casekeep/clock.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/records.hpp"

namespace casekeep {

struct VaultOptions {
  crypto::PwhashParams kdf = crypto::PwhashParams::browser_friendly();
  Clock* clock = nullptr;  // not owned; nullptr means the system clock
  // WAL pages between automatic checkpoints. A checkpoint is the slow commit
  // (it copies the WAL into the file and syncs it), so fewer of them keep a
  // single-note commit's p99 low (docs/performance.md, S1b).
  int wal_checkpoint_pages = 4000;
  // Empty the WAL file when a large commit (a bulk write, a pull page)
  // checkpoints in itself. The browser's store writes back every chunk of the
  // files a write touched: that commit's WAL pages would be written out too.
  bool wal_truncate = false;
};

class Vault {
 public:
  // Create a new vault file with a fresh user identity and device. Throws
  // Error(already_exists) when `path` already holds a vault.
  static std::unique_ptr<Vault> create(const std::string& path, const std::string& passphrase,
                                       const std::string& display_name, VaultOptions options = {});
  // Open an existing vault, locked. Throws Error(not_found) when there is none.
  static std::unique_ptr<Vault> open(const std::string& path, VaultOptions options = {});
  ~Vault();

  // Throws Error(wrong_passphrase) and stays locked when the passphrase is wrong.
  void unlock(const std::string& passphrase);
  void lock() noexcept;
  bool unlocked() const noexcept;
  // Rewraps the master key only; records are untouched.
  void change_passphrase(const std::string& old_passphrase, const std::string& new_passphrase);

  std::string user_id() const;    // hex
  std::string device_id() const;  // hex
  std::string display_name() const;
  UserCard user_card() const;
  std::string device_certificate() const;  // hex: the user key's signature over the device key
  // The device key's signature over PAE(type, challenge), for the server's login.
  Bytes sign_with_device(const char* type, const Bytes& challenge) const;

  // Cases and interviews are spaces: each has its own content key.
  std::string create_case(const CaseInput& input);
  std::string create_interview(const InterviewInput& input);
  std::string add_evidence(const EvidenceInput& input);
  // Seal the space's key to `card` and record the member. A practitioner added
  // to an interview space becomes the one person who may agree its notes.
  void add_member(const std::string& space, const UserCard& card, const std::string& role,
                  const std::string& name);

  // Remove a member: everyone else gets a new space key (the next generation),
  // so the removed member cannot read anything written afterwards. Their past
  // changesets stay. The space's founder cannot be removed.
  void remove_member(const std::string& space, const std::string& user, const std::string& reason);

  std::string add_note(const std::string& interview, const std::string& title, const std::string& body);
  // Many notes in one transaction, as few changesets as fit under
  // kNotesPerChangesetBytes of text each (a transaction's ops are one
  // changeset: DESIGN §4). All are written, or none is. Returns their ids, in order.
  std::vector<std::string> add_notes(const std::string& interview, const std::vector<NoteDraft>& notes);
  // Throws Error(rule_violation) when the note is signed: add an addendum instead.
  void edit_note(const std::string& note, const std::optional<std::string>& title,
                 const std::optional<std::string>& body);
  void sign_note(const std::string& note);
  // Only the interview's practitioner may agree or dispute (Error(forbidden)).
  void agree_note(const std::string& note);
  void dispute_note(const std::string& note, const std::string& comment);
  std::string add_addendum(const std::string& note, const std::string& title, const std::string& body);

  // Run `writes` (calls of this vault that write) in one SQLite transaction:
  // all of their changesets become durable together, or none does.
  void write_batch(const std::function<void()>& writes);

  // Generic edits: set a field, delete with a reason (a tombstone, never an erase).
  void set_field(const std::string& record, const std::string& field, const json& value);
  void tombstone(const std::string& record, const std::string& reason);
  // Replace every head of the field with `value` (a resolution op).
  void resolve(const std::string& record, const std::string& field, const json& value);

  RecordView get(const std::string& record) const;
  std::vector<RecordView> list(const std::string& type, const std::string& space = "") const;
  std::vector<RecordView> interviews_of(const std::string& case_id) const;
  NoteView note(const std::string& note) const;
  std::vector<NoteView> notes_of(const std::string& interview) const;
  std::vector<Conflict> conflicts(const std::string& space = "") const;
  std::vector<HistoryEntry> history(const std::string& record) const;
  // Re-check every stored changeset (id, signature, certificate, chain, payload),
  // every record row against a rebuild from the changesets, and every note signature.
  std::vector<VerifyProblem> verify() const;

  // Replication between replicas in one process (the sync engine builds on it).
  std::vector<Bytes> export_changesets() const;
  // Verifies each changeset before applying any. Throws, naming the changeset,
  // when one is malformed, tampered, forged or forks a chain; nothing is applied
  // then. Changesets that wait for an earlier one are kept pending, not lost.
  ImportReport import_changesets(const std::vector<Bytes>& changesets);
  // The same, for changesets checked already (perhaps on another thread), and
  // saves `sync_settings` (as set_sync_setting would) in the same transaction:
  // a pull page's cursors move with the page, or not at all.
  ImportReport import_checked(CheckedBatch batch, const std::map<std::string, std::string>& sync_settings = {});
  // Copies of the space keys this device holds, for CheckedBatch::check to
  // open payloads with on another thread.
  PayloadKeys payload_keys() const;
  // The outbox: changesets made on this device and not yet acknowledged by a
  // server, oldest first (so each device chain is pushed in order).
  std::vector<Bytes> outbox(std::size_t limit, std::size_t skip = 0) const;  // oldest first, after `skip`
  std::size_t outbox_size() const;
  // Remove acknowledged changesets (by id) from the outbox. Unknown ids are ignored.
  void acknowledge(const std::vector<Bytes>& ids);
  // The last seq of this device's own chain in each space it has written to
  // (space id hex -> seq): a pull asks the server not to send those back.
  std::map<std::string, std::uint64_t> own_chain_seqs() const;
  // Small clear settings of the sync client (server URL, cursors, last sync).
  // Never record content: they live unencrypted in the vault's meta table.
  std::string sync_setting(const std::string& key) const;
  void set_sync_setting(const std::string& key, const std::string& value);

  // A digest of the visible state (records, heads, conflicts) for convergence
  // checks: of every space this device holds, or of one space.
  std::string state_digest(const std::string& space = "") const;

  struct Impl;

 private:
  explicit Vault(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace casekeep
