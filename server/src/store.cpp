// The server store's schema, directory and login state (store.hpp). The log,
// spaces and conflict registers are in store_log.cpp.
#include "store.hpp"

#include "casekeep/error.hpp"

namespace casekeep::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users(
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL DEFAULT '',
  user BLOB UNIQUE,
  box BLOB,
  card BLOB,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS enrolment_codes(
  hash BLOB PRIMARY KEY,
  name TEXT NOT NULL REFERENCES users(name),
  created_at INTEGER NOT NULL,
  used_at INTEGER);
CREATE TABLE IF NOT EXISTS devices(
  device BLOB PRIMARY KEY,
  user BLOB NOT NULL,
  cert BLOB NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  enrolled_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS devices_user ON devices(user);
CREATE TABLE IF NOT EXISTS challenges(
  challenge BLOB PRIMARY KEY,
  device BLOB NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens(
  hash BLOB PRIMARY KEY,
  device BLOB NOT NULL,
  expires_at INTEGER NOT NULL);
-- A changeset is found by its place in its chain, not by its id: ids are
-- random, so an index of them took a random page per append (most of what a
-- push wrote), while each chain's entries are one run of the index. A store
-- made before keeps its index of ids as well, which costs only speed. Two
-- entries never share an id: the same id is the same bytes, so the same place.
CREATE TABLE IF NOT EXISTS log(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id BLOB NOT NULL,
  space BLOB NOT NULL,
  device BLOB NOT NULL,
  device_seq INTEGER NOT NULL,
  author BLOB NOT NULL,
  bytes BLOB NOT NULL,
  received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS log_space ON log(space, seq);
CREATE UNIQUE INDEX IF NOT EXISTS log_chain ON log(device, space, device_seq);
CREATE TABLE IF NOT EXISTS chains(
  device BLOB NOT NULL,
  space BLOB NOT NULL,
  seq INTEGER NOT NULL,
  head BLOB NOT NULL,
  PRIMARY KEY(device, space));
CREATE TABLE IF NOT EXISTS spaces(
  id BLOB PRIMARY KEY,
  creator BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS members(
  space BLOB NOT NULL,
  generation INTEGER NOT NULL,
  user BLOB NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY(space, generation, user, role));
CREATE INDEX IF NOT EXISTS members_user ON members(user, space);
-- The registers are WITHOUT ROWID: each row is its key, so an insert touches
-- one b-tree, not two. A store made before that keeps its rowid tables, which
-- hold the same rows and answer the same queries.
CREATE TABLE IF NOT EXISTS register_heads(
  space BLOB NOT NULL,
  record BLOB NOT NULL,
  field_tag BLOB NOT NULL,
  op BLOB NOT NULL,
  PRIMARY KEY(space, record, field_tag, op)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS register_superseded(
  space BLOB NOT NULL,
  record BLOB NOT NULL,
  field_tag BLOB NOT NULL,
  op BLOB NOT NULL,
  PRIMARY KEY(space, record, field_tag, op)) WITHOUT ROWID;
-- How far each space's registers have followed the log (a server seq). A store
-- made when pushes still updated the registers starts at 0 and re-applies its
-- set ops, which changes nothing: applying an op twice is applying it once.
CREATE TABLE IF NOT EXISTS register_progress(
  space BLOB PRIMARY KEY,
  seq INTEGER NOT NULL);
PRAGMA user_version = 1;
)sql";

std::filesystem::path prepared_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::storage, "Cannot create the data directory " + dir.string() + ": " + ec.message() + ".");
    // The directory holds the user directory and the log: keep it to the server's user.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  return Store::file_in(dir);
}

UserEntry read_user(const Statement& q) {
  return {q.column_text(0), q.column_text(1), q.column_bytes(2), q.column_bytes(3), q.column_bytes(4)};
}

constexpr const char* kUserColumns = "SELECT name, role, user, box, card FROM users";

}  // namespace

Store::Store(const std::filesystem::path& dir)
    : db_(prepared_dir(dir).string()), sync_(GroupSync::fdatasync_of(file_in(dir).string() + "-wal")) {
  db_.exec("PRAGMA journal_mode=WAL");
  // A commit writes the WAL without flushing it: nothing is acknowledged
  // before wait_durable() has (group commit, group_sync.hpp).
  db_.exec("PRAGMA synchronous=NORMAL");
  db_.exec("PRAGMA foreign_keys=ON");
  // 32 MiB of page cache (SQLite's default is 2 MiB): a push's index inserts
  // land on random pages, and re-reading them from the OS made each push
  // slower than the last as the log grew.
  db_.exec("PRAGMA cache_size=-32768");
  db_.set_wal_hook(&Store::on_commit, this);
  db_.exec(kSchema);
  checkpointer_ = std::make_unique<Checkpointer>(file_in(dir).string());
}

Store::~Store() {
  checkpointer_.reset();
  try {
    sync_.wait_durable(sync_.mark());  // an operator command's writes, as the server's
  } catch (const Error&) {  // reported to the request that wrote, when there was one
  }
}

int Store::on_commit(void* context, sqlite3*, const char*, int wal_pages) {
  Store& store = *static_cast<Store*>(context);
  store.sync_.committed();
  // Checkpoints are the Checkpointer's, off the push path; this connection
  // checkpoints itself only if the WAL passes 64 MiB (the thread fell behind).
  constexpr int kBackstopPages = 16384;
  if (wal_pages >= kBackstopPages) store.db_.checkpoint_passive();
  return SQLITE_OK;
}

void Store::add_code(const std::string& name, const std::string& role, const Bytes& code_hash, std::uint64_t now_ms) {
  Transaction t(db_);
  db_.prepare("INSERT OR IGNORE INTO users(name, role, created_at) VALUES(?, ?, ?)")
      .bind(1, name).bind(2, role).bind(3, now_ms).run();
  if (!role.empty()) db_.prepare("UPDATE users SET role = ? WHERE name = ?").bind(1, role).bind(2, name).run();
  db_.prepare("INSERT INTO enrolment_codes(hash, name, created_at) VALUES(?, ?, ?)")
      .bind(1, code_hash).bind(2, name).bind(3, now_ms).run();
  t.commit();
}

std::optional<std::string> Store::name_for_code(const Bytes& code_hash) {
  auto q = db_.prepare("SELECT name FROM enrolment_codes WHERE hash = ? AND used_at IS NULL");
  q.bind(1, code_hash);
  if (!q.step()) return std::nullopt;
  return q.column_text(0);
}

std::optional<UserEntry> Store::user_by_name(const std::string& name) {
  auto q = db_.prepare(std::string(kUserColumns) + " WHERE name = ?");
  q.bind(1, name);
  if (!q.step()) return std::nullopt;
  return read_user(q);
}

std::optional<UserEntry> Store::user_by_key(const Bytes& user) {
  auto q = db_.prepare(std::string(kUserColumns) + " WHERE user = ?");
  q.bind(1, user);
  if (!q.step()) return std::nullopt;
  return read_user(q);
}

std::vector<UserEntry> Store::users() {
  auto q = db_.prepare(std::string(kUserColumns) + " ORDER BY name");
  std::vector<UserEntry> out;
  while (q.step()) out.push_back(read_user(q));
  return out;
}

void Store::enrol(const Bytes& code_hash, const UserEntry& user, const DeviceEntry& device, std::uint64_t now_ms) {
  Transaction t(db_);
  db_.prepare("UPDATE enrolment_codes SET used_at = ? WHERE hash = ? AND used_at IS NULL")
      .bind(1, now_ms).bind(2, code_hash).run();
  if (db_.changes() != 1) throw Error(ErrorCode::storage, "The enrolment code was used by another request.");
  db_.prepare("UPDATE users SET user = ?, box = ?, card = ? WHERE name = ? AND user IS NULL")
      .bind(1, user.user).bind(2, user.box).bind(3, user.card).bind(4, user.name).run();
  db_.prepare("INSERT OR IGNORE INTO devices(device, user, cert, revoked, enrolled_at) VALUES(?, ?, ?, 0, ?)")
      .bind(1, device.device).bind(2, device.user).bind(3, device.cert).bind(4, now_ms).run();
  t.commit();
}

std::optional<DeviceEntry> Store::device(const Bytes& device) {
  auto q = db_.prepare("SELECT device, user, cert, revoked FROM devices WHERE device = ?");
  q.bind(1, device);
  if (!q.step()) return std::nullopt;
  return DeviceEntry{q.column_bytes(0), q.column_bytes(1), q.column_bytes(2), q.column_int(3) != 0};
}

std::vector<DeviceEntry> Store::devices_of(const Bytes& user) {
  auto q = db_.prepare("SELECT device, user, cert, revoked FROM devices WHERE user = ? ORDER BY enrolled_at, device");
  q.bind(1, user);
  std::vector<DeviceEntry> out;
  while (q.step()) out.push_back({q.column_bytes(0), q.column_bytes(1), q.column_bytes(2), q.column_int(3) != 0});
  return out;
}

bool Store::revoke_device(const Bytes& device) {
  Transaction t(db_);
  db_.prepare("UPDATE devices SET revoked = 1 WHERE device = ?").bind(1, device).run();
  bool known = db_.changes() == 1;
  db_.prepare("DELETE FROM tokens WHERE device = ?").bind(1, device).run();
  db_.prepare("DELETE FROM challenges WHERE device = ?").bind(1, device).run();
  t.commit();
  return known;
}

void Store::add_challenge(const Bytes& challenge, const Bytes& device, std::uint64_t expires_ms, std::uint64_t now_ms) {
  Transaction t(db_);
  db_.prepare("DELETE FROM challenges WHERE expires_at <= ?").bind(1, now_ms).run();
  db_.prepare("INSERT INTO challenges(challenge, device, expires_at) VALUES(?, ?, ?)")
      .bind(1, challenge).bind(2, device).bind(3, expires_ms).run();
  t.commit();
}

std::optional<Bytes> Store::challenge_device(const Bytes& challenge, std::uint64_t now_ms) {
  auto q = db_.prepare("SELECT device FROM challenges WHERE challenge = ? AND expires_at > ?");
  q.bind(1, challenge).bind(2, now_ms);
  if (!q.step()) return std::nullopt;
  return q.column_bytes(0);
}

void Store::exchange_challenge(const Bytes& challenge, const Bytes& token_hash, const Bytes& device,
                               std::uint64_t expires_ms, std::uint64_t now_ms) {
  Transaction t(db_);
  db_.prepare("DELETE FROM challenges WHERE challenge = ?").bind(1, challenge).run();
  if (db_.changes() != 1) throw Error(ErrorCode::storage, "The login challenge was used by another request.");
  db_.prepare("DELETE FROM tokens WHERE expires_at <= ?").bind(1, now_ms).run();
  db_.prepare("INSERT INTO tokens(hash, device, expires_at) VALUES(?, ?, ?)")
      .bind(1, token_hash).bind(2, device).bind(3, expires_ms).run();
  t.commit();
}

std::optional<Bytes> Store::token_device(const Bytes& token_hash, std::uint64_t now_ms) {
  auto q = db_.prepare("SELECT device FROM tokens WHERE hash = ? AND expires_at > ?");
  q.bind(1, token_hash).bind(2, now_ms);
  if (!q.step()) return std::nullopt;
  return q.column_bytes(0);
}

}  // namespace casekeep::server
