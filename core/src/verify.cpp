// verify(): re-derive everything from the stored changesets and compare. It
// trusts nothing in the file: not ids, not chains, not the materialized rows.
#include <sodium.h>

#include "vault_impl.hpp"

namespace casekeep {

std::vector<VerifyProblem> Vault::verify() const {
  impl_->require_unlocked();
  std::vector<VerifyProblem> problems;
  auto problem = [&](const std::string& subject, const std::string& message) { problems.push_back({subject, message}); };

  struct Row {
    Bytes id, bytes;
    std::int64_t materialized;
  };
  std::vector<Row> rows;  // in chain order
  auto& q = impl_->db->prepare("SELECT id, bytes, materialized FROM changesets ORDER BY device, space, seq");
  while (q.step()) rows.push_back({q.column_bytes(0), q.column_bytes(1), q.column_int(2)});

  std::map<std::pair<Bytes, Bytes>, std::pair<std::uint64_t, Bytes>> chains;  // (device, space) -> (seq, id)
  std::map<Bytes, RecordState> rebuilt;
  for (const auto& [stored_id, bytes, materialized] : rows) {
    std::string subject = "changeset " + to_hex(stored_id);
    if (crypto::hash(bytes) != stored_id) {
      problem(subject, "its stored bytes do not hash to its id: it was altered in the store.");
      continue;
    }
    Changeset cs;
    try {
      cs = Changeset::decode(bytes);
    } catch (const Error& e) {
      problem(subject, e.what());
      continue;
    }
    if (!cs.signature_valid()) problem(subject, "its device signature does not verify.");
    if (!cs.cert_valid()) problem(subject, "its device is not certified by its author.");
    const ChangesetBody& b = cs.body();
    auto& link = chains[{b.device, b.space}];
    if (b.seq != link.first + 1 || b.prev != link.second)
      problem(subject, "it does not extend its device chain (seq " + std::to_string(b.seq) + ").");
    link = {b.seq, cs.id()};
    if (materialized == 0) continue;  // this device holds no key for it: nothing to rebuild
    try {
      for (const Op& op : impl_->open_payload(cs)) {
        RecordState& r = rebuilt[op.record];
        r.id = op.record;
        r.apply(op);
      }
    } catch (const Error& e) {
      problem(subject, e.what());
    }
  }

  std::vector<Bytes> stored;
  auto& r = impl_->db->prepare("SELECT id FROM records ORDER BY id");
  while (r.step()) stored.push_back(r.column_bytes(0));
  for (const Bytes& id : stored) {
    std::string subject = "record " + to_hex(id);
    try {
      auto row = impl_->load_record(id);
      auto it = rebuilt.find(id);
      if (it == rebuilt.end() || !(it->second == *row))
        problem(subject, "its stored row does not match what its changesets say.");
    } catch (const Error& e) {
      problem(subject, e.what());
    }
  }
  if (stored.size() != rebuilt.size()) problem("store", "some records of the changesets have no stored row.");

  for (const auto& [id, state] : rebuilt) {
    if (state.type != "note") continue;
    for (const auto& s : impl_->note_view(state, nullptr).signatures)
      if (!s.valid) problem("record " + to_hex(id), "a '" + s.kind + "' signature by " + s.signer_name + " does not verify.");
  }
  return problems;
}

}  // namespace casekeep
