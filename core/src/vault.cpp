// Vault lifecycle: create, open, unlock, lock, passphrase change, identity.
// The passphrase only ever unwraps the master key; everything else hangs off
// the master key's subkeys, so a passphrase change rewrites one row.
#include <sodium.h>

#include <filesystem>
#include <set>

#include "vault_impl.hpp"

namespace casekeep {
namespace {

const Bytes kMasterAd = to_bytes("casekeep/master/v1");
const Bytes kIdentityAd = to_bytes("casekeep/identity/v1");
constexpr std::uint64_t kIdentitySubkey = 1, kRecordSubkey = 2, kSpaceKeySubkey = 3;

Bytes meta_get(Database& db, const std::string& key) {
  auto& q = db.prepare("SELECT value FROM meta WHERE key = ?").bind(1, key);
  if (!q.step()) throw Error(ErrorCode::tampered, "The vault file lacks its '" + key + "' entry.");
  return q.column_bytes(0);
}

void meta_put(Database& db, const std::string& key, const Bytes& value) {
  db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)").bind(1, key).bind(2, value).run();
}

std::uint64_t meta_uint(Database& db, const std::string& key) {
  Bytes b = meta_get(db, key);
  return std::stoull(std::string(b.begin(), b.end()));
}

void meta_put_uint(Database& db, const std::string& key, std::uint64_t v) { meta_put(db, key, to_bytes(std::to_string(v))); }

// Secrets pass through a JSON/CBOR value on their way into and out of the
// encrypted identity blob; wipe those copies as soon as they are used.
void wipe(Bytes& b) { sodium_memzero(b.data(), b.size()); }
void wipe(json& j) {
  for (auto& [k, v] : j.items())
    if (v.is_binary()) wipe(v.get_binary());
}

SecretBytes secret(const json& v) { return SecretBytes(v.get_binary().data(), v.get_binary().size()); }

Bytes seal_identity(const Identity& id, const SecretBytes& key) {
  auto b = [](const SecretBytes& s) { return json::binary(Bytes(s.data(), s.data() + s.size())); };
  json j = {{"name", id.name},        {"user_pk", bin(id.user.public_key)}, {"user_sk", b(id.user.secret_key)},
            {"box_pk", bin(id.box.public_key)}, {"box_sk", b(id.box.secret_key)}, {"device_pk", bin(id.device.public_key)},
            {"device_sk", b(id.device.secret_key)}, {"cert", bin(id.cert)},     {"card", bin(id.card_sig)}};
  Bytes plain = to_cbor(j);
  wipe(j);
  Bytes boxed = crypto::aead_encrypt(key, plain, kIdentityAd);
  wipe(plain);
  return boxed;
}

Identity open_identity(const Bytes& boxed, const SecretBytes& key) {
  SecretBytes plain = crypto::aead_decrypt(key, boxed, kIdentityAd);
  json j = json::from_cbor(plain.data(), plain.data() + plain.size());
  Identity id;
  id.name = j.at("name").get<std::string>();
  id.user = {j.at("user_pk").get_binary(), secret(j.at("user_sk"))};
  id.box = {j.at("box_pk").get_binary(), secret(j.at("box_sk"))};
  id.device = {j.at("device_pk").get_binary(), secret(j.at("device_sk"))};
  id.cert = j.at("cert").get_binary();
  id.card_sig = j.at("card").get_binary();
  wipe(j);
  return id;
}

std::string vault_path_error(const std::string& path) {
  return "There is no casekeep vault at " + path + "; run 'casekeep init' first.";
}

}  // namespace

Vault::Vault(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Vault::~Vault() { lock(); }

std::unique_ptr<Vault> Vault::create(const std::string& path, const std::string& passphrase,
                                     const std::string& display_name, VaultOptions options) {
  crypto::init();
  if (passphrase.empty()) throw Error(ErrorCode::invalid_argument, "The passphrase must not be empty.");
  if (display_name.empty()) throw Error(ErrorCode::invalid_argument, "The user's name must not be empty.");
  if (std::filesystem::exists(path))
    throw Error(ErrorCode::already_exists, "A vault already exists at " + path + "; it was left untouched.");

  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock ? options.clock : &impl->system_clock;
  impl->kdf = options.kdf;
  impl->db = std::make_unique<Database>(path);
  impl->create_schema(options.wal_checkpoint_pages, options.wal_truncate);

  Identity id;
  id.name = display_name;
  id.user = crypto::SignKeyPair::generate();
  id.box = crypto::BoxKeyPair::generate();
  id.device = crypto::SignKeyPair::generate();
  id.cert = crypto::sign_typed(id.user.secret_key, sigtype::device_cert,
                               device_cert_message(id.user.public_key, id.device.public_key));
  id.card_sig = crypto::sign_typed(id.user.secret_key, sigtype::user_card,
                                   user_card_message(id.user.public_key, id.box.public_key));

  Bytes salt = crypto::random_bytes(crypto::kSaltSize);
  SecretBytes kek = crypto::derive_from_passphrase(passphrase, salt, options.kdf);
  SecretBytes master = crypto::random_key();
  SecretBytes identity_key = crypto::derive_subkey(master, kIdentitySubkey, "ckident_");

  Transaction t(*impl->db);
  meta_put(*impl->db, "format", to_bytes("casekeep-vault/1"));
  meta_put(*impl->db, "kdf", to_bytes("argon2id13"));
  meta_put_uint(*impl->db, "kdf_opslimit", options.kdf.opslimit);
  meta_put_uint(*impl->db, "kdf_memlimit", options.kdf.memlimit);
  meta_put(*impl->db, "salt", salt);
  meta_put(*impl->db, "master", crypto::aead_encrypt(kek, master, kMasterAd));
  meta_put(*impl->db, "identity", seal_identity(id, identity_key));
  meta_put_uint(*impl->db, "hlc", 0);
  meta_put(*impl->db, "conflicts_indexed", to_bytes("1"));  // a new vault has no records to index
  t.commit();

  std::unique_ptr<Vault> vault(new Vault(std::move(impl)));
  vault->unlock(passphrase);
  return vault;
}

std::unique_ptr<Vault> Vault::open(const std::string& path, VaultOptions options) {
  crypto::init();
  if (!std::filesystem::is_regular_file(path)) throw Error(ErrorCode::not_found, vault_path_error(path));
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock ? options.clock : &impl->system_clock;
  impl->db = std::make_unique<Database>(path);
  try {
    Bytes format = meta_get(*impl->db, "format");
    if (format != to_bytes("casekeep-vault/1")) throw Error(ErrorCode::not_found, vault_path_error(path));
  } catch (const Error&) {
    throw Error(ErrorCode::not_found, path + " is not a casekeep vault.");
  }
  impl->kdf = {meta_uint(*impl->db, "kdf_opslimit"), meta_uint(*impl->db, "kdf_memlimit")};
  impl->create_schema(options.wal_checkpoint_pages, options.wal_truncate);  // idempotent: brings an older file's tables up to date
  return std::unique_ptr<Vault>(new Vault(std::move(impl)));
}

void Vault::unlock(const std::string& passphrase) {
  if (unlocked()) return;
  Database& db = *impl_->db;
  SecretBytes kek = crypto::derive_from_passphrase(passphrase, meta_get(db, "salt"), impl_->kdf);
  SecretBytes master;
  try {
    master = crypto::aead_decrypt(kek, meta_get(db, "master"), kMasterAd);
  } catch (const Error&) {
    throw Error(ErrorCode::wrong_passphrase, "The passphrase is wrong; the vault stays locked and nothing was changed.");
  }
  SecretBytes identity_key = crypto::derive_subkey(master, kIdentitySubkey, "ckident_");
  impl_->me = open_identity(meta_get(db, "identity"), identity_key);
  impl_->record_key = crypto::derive_subkey(master, kRecordSubkey, "ckrecord");
  impl_->space_key_key = crypto::derive_subkey(master, kSpaceKeySubkey, "ckspacek");
  impl_->master = std::move(master);
  impl_->hlc = Hlc(meta_uint(db, "hlc"));
  impl_->index_conflicts_once();
}

void Vault::lock() noexcept {
  if (!impl_) return;
  impl_->forget_caches();
  impl_->master.clear();
  impl_->record_key.clear();
  impl_->space_key_key.clear();
  impl_->me.reset();  // SecretBytes members wipe themselves
}

bool Vault::unlocked() const noexcept { return impl_->me.has_value(); }

void Vault::change_passphrase(const std::string& old_passphrase, const std::string& new_passphrase) {
  if (new_passphrase.empty()) throw Error(ErrorCode::invalid_argument, "The new passphrase must not be empty.");
  Database& db = *impl_->db;
  SecretBytes old_kek = crypto::derive_from_passphrase(old_passphrase, meta_get(db, "salt"), impl_->kdf);
  SecretBytes master;
  try {
    master = crypto::aead_decrypt(old_kek, meta_get(db, "master"), kMasterAd);
  } catch (const Error&) {
    throw Error(ErrorCode::wrong_passphrase, "The current passphrase is wrong; the passphrase was not changed.");
  }
  Bytes salt = crypto::random_bytes(crypto::kSaltSize);
  SecretBytes kek = crypto::derive_from_passphrase(new_passphrase, salt, impl_->kdf);
  Transaction t(db);
  meta_put(db, "salt", salt);
  meta_put(db, "master", crypto::aead_encrypt(kek, master, kMasterAd));
  t.commit();
}

void Vault::Impl::require_unlocked() const {
  if (!me) throw Error(ErrorCode::locked, "The vault is locked; unlock it with its passphrase first.");
}

const Identity& Vault::Impl::identity() const {
  require_unlocked();
  return *me;
}

std::string Vault::user_id() const { return to_hex(impl_->identity().user.public_key); }
std::map<std::string, std::uint64_t> Vault::own_chain_seqs() const {
  std::map<std::string, std::uint64_t> out;
  auto& q = impl_->db->prepare("SELECT space, seq FROM chains WHERE device = ?").bind(1, impl_->identity().device.public_key);
  while (q.step()) out[to_hex(q.column_bytes(0))] = static_cast<std::uint64_t>(q.column_int(1));
  return out;
}

std::string Vault::device_id() const { return to_hex(impl_->identity().device.public_key); }
std::string Vault::display_name() const { return impl_->identity().name; }
void Vault::write_batch(const std::function<void()>& writes) {
  impl_->require_unlocked();
  Transaction t(*impl_->db);
  try {
    writes();
    t.commit();
  } catch (...) {
    impl_->forget_caches();
    throw;
  }
}

std::string Vault::device_certificate() const { return to_hex(impl_->identity().cert); }

Bytes Vault::sign_with_device(const char* type, const Bytes& challenge) const {
  return crypto::sign_typed(impl_->identity().device.secret_key, type, challenge);
}

std::vector<Bytes> Vault::outbox(std::size_t limit, std::size_t skip) const {
  std::vector<Bytes> out;
  auto& q = impl_->db->prepare(
      "SELECT c.bytes FROM unsent u JOIN changesets c ON c.rowid = u.changeset ORDER BY u.changeset LIMIT ? OFFSET ?")
                .bind(1, static_cast<std::int64_t>(limit)).bind(2, static_cast<std::int64_t>(skip));
  while (q.step()) out.push_back(q.column_bytes(0));
  return out;
}

std::size_t Vault::outbox_size() const {
  auto& q = impl_->db->prepare("SELECT COUNT(*) FROM unsent");
  q.step();
  return static_cast<std::size_t>(q.column_int(0));
}

void Vault::acknowledge(const std::vector<Bytes>& ids) {
  RelaxedDurability relaxed(*impl_->db);  // a lost acknowledgment is pushed again, and answered as a replay
  Transaction t(*impl_->db);
  // The outbox knows its changesets by number. A push sends them in order and
  // the server answers in order, so what it acknowledges is at the front:
  // walk from there until every id is found.
  std::set<Bytes> left(ids.begin(), ids.end());
  std::vector<std::int64_t> done;
  auto& q = impl_->db->prepare("SELECT u.changeset, c.id FROM unsent u JOIN changesets c ON c.rowid = u.changeset ORDER BY u.changeset");
  while (!left.empty() && q.step())
    if (left.erase(q.column_bytes(1))) done.push_back(q.column_int(0));
  q.reset();
  for (std::int64_t number : done) impl_->db->prepare("DELETE FROM unsent WHERE changeset = ?").bind(1, number).run();
  t.commit();
}

std::string Vault::sync_setting(const std::string& key) const {
  auto& q = impl_->db->prepare("SELECT value FROM meta WHERE key = ?").bind(1, "sync." + key);
  if (!q.step()) return {};
  Bytes b = q.column_bytes(0);
  return std::string(b.begin(), b.end());
}

void Vault::Impl::put_sync_setting(const std::string& key, const std::string& value) {
  meta_put(*db, "sync." + key, to_bytes(value));
}

void Vault::set_sync_setting(const std::string& key, const std::string& value) { impl_->put_sync_setting(key, value); }

UserCard Vault::user_card() const {
  const Identity& id = impl_->identity();
  return {to_hex(id.user.public_key), to_hex(id.box.public_key), to_hex(id.card_sig)};
}

}  // namespace casekeep
