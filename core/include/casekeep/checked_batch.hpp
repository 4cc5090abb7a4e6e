// Changesets as an import receives them, checked alone: each decodes, carries
// a valid device signature (check_device_signatures) and a device certificate
// its author signed; and the payloads whose keys were given are opened. None
// of this reads a vault, so a sync client checks the next pull page on the
// thread that fetched it while the vault imports the page before
// (Vault::import_checked).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "casekeep/changeset.hpp"
#include "casekeep/error.hpp"

namespace casekeep {

struct Op;  // a decrypted op (core/src/record_state.hpp)

// Copies of the space keys a vault holds (Vault::payload_keys), for opening
// payloads away from the vault's thread.
class PayloadKeys {
 public:
  const SecretBytes* find(const Bytes& space, std::uint64_t generation) const;

 private:
  friend class Vault;
  std::map<std::pair<Bytes, std::uint64_t>, SecretBytes> keys_;
};

class CheckedBatch {
 public:
  // Decodes and opens on every core. Never throws for a bad changeset: the
  // batch keeps the refusal of the first bad one, in input order, for the
  // import to throw. A payload that `keys` cannot open is left to the import.
  static CheckedBatch check(const std::vector<Bytes>& input, const PayloadKeys* keys = nullptr);
  CheckedBatch();  // no changesets
  ~CheckedBatch();
  CheckedBatch(CheckedBatch&&) noexcept;
  CheckedBatch& operator=(CheckedBatch&&) noexcept;

  const std::vector<Changeset>& changesets() const { return changesets_; }
  // Throws the refusal of the first bad changeset, if there is one.
  void throw_if_refused() const;
  // opened()[i]: the ops of changesets()[i] if it was opened here; else empty.
  std::vector<std::vector<Op>>& opened() { return opened_; }

 private:
  std::vector<Changeset> changesets_;
  std::vector<std::vector<Op>> opened_;
  std::optional<Error> refusal_;
};

}  // namespace casekeep
