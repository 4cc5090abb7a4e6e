#include "casekeep/checked_batch.hpp"

#include <set>

#include "casekeep/chain_check.hpp"
#include "casekeep/crypto.hpp"
#include "casekeep/parallel.hpp"
#include "vault_impl.hpp"  // open_ops

namespace casekeep {
const SecretBytes* PayloadKeys::find(const Bytes& space, std::uint64_t generation) const {
  auto found = keys_.find({space, generation});
  return found == keys_.end() ? nullptr : &found->second;
}

CheckedBatch::CheckedBatch() = default;
CheckedBatch::~CheckedBatch() = default;
CheckedBatch::CheckedBatch(CheckedBatch&&) noexcept = default;
CheckedBatch& CheckedBatch::operator=(CheckedBatch&&) noexcept = default;

CheckedBatch CheckedBatch::check(const std::vector<Bytes>& input, const PayloadKeys* keys) {
  CheckedBatch out;
  std::vector<Changeset>& batch = out.changesets_;
  batch.resize(input.size());
  std::vector<std::optional<Error>> undecodable(input.size());
  for_each_index(input.size(), [&](std::size_t i) {
    try {
      batch[i] = Changeset::decode(input[i]);
    } catch (const Error& e) {
      undecodable[i] = e;
    }
  });
  std::vector<const Changeset*> decoded(input.size(), nullptr);
  for (std::size_t i = 0; i < input.size(); ++i)
    if (!undecodable[i]) decoded[i] = &batch[i];
  const std::vector<char> signed_by_device = check_device_signatures(decoded).valid;
  std::set<Bytes> certified;  // author || device || certificate: each checked once
  for (std::size_t i = 0; i < input.size(); ++i) {
    const Changeset& cs = batch[i];
    if (undecodable[i]) {
      out.refusal_ = Error(undecodable[i]->code(), "Changeset " + short_hex(crypto::hash(input[i])) + " (item " +
                                                       std::to_string(i + 1) + " of the import) was refused: " +
                                                       undecodable[i]->what() + " Nothing was imported.");
      return out;
    }
    // Altered bytes hash to a new id, so also say where the changeset claims to sit.
    auto which = [&] {
      return "Changeset " + cs.short_id() + " (seq " + std::to_string(cs.body().seq) + " of device " +
             short_hex(cs.body().device) + " in space " + short_hex(cs.body().space) + ")";
    };
    if (!signed_by_device[i]) {
      out.refusal_ = Error(ErrorCode::bad_signature,
                           which() + " is not signed by its device key: it was altered or forged. Nothing was imported.");
      return out;
    }
    Bytes cert_key = cs.body().author;
    cert_key.insert(cert_key.end(), cs.body().device.begin(), cs.body().device.end());
    cert_key.insert(cert_key.end(), cs.body().cert.begin(), cs.body().cert.end());
    if (certified.count(cert_key)) continue;
    if (!cs.cert_valid()) {
      out.refusal_ = Error(ErrorCode::bad_signature,
                           which() + " comes from a device its author did not certify. Nothing was imported.");
      return out;
    }
    certified.insert(std::move(cert_key));
  }
  out.opened_.resize(batch.size());
  if (!keys) return out;
  std::vector<PayloadKeyPair> found(batch.size(), {nullptr, nullptr});
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const ChangesetBody& b = batch[i].body();
    if (!b.meta.empty()) found[i] = {keys->find(b.space, b.generation), keys->find(b.space, 1)};
  }
  open_each(batch, found, out.opened_);
  return out;
}

void CheckedBatch::throw_if_refused() const {
  if (refusal_) throw *refusal_;
}

}  // namespace casekeep
