// Changesets as an import receives them, checked alone: each decodes, carries
// a valid device signature (check_device_signatures) and a device certificate
// its author signed. None of this reads a vault, so a sync client checks the
// next pull page on the thread that fetched it while the vault imports the
// page before (Vault::import_checked).
#pragma once
#include <optional>
#include <vector>

#include "casekeep/changeset.hpp"
#include "casekeep/error.hpp"

namespace casekeep {

class CheckedBatch {
 public:
  // Decodes on every core. Never throws for a bad changeset: the batch keeps
  // the refusal of the first bad one, in input order, for the import to throw.
  static CheckedBatch check(const std::vector<Bytes>& input);
  CheckedBatch() = default;  // no changesets

  const std::vector<Changeset>& changesets() const { return changesets_; }
  // Throws the refusal of the first bad changeset, if there is one.
  void throw_if_refused() const;

 private:
  std::vector<Changeset> changesets_;
  std::optional<Error> refusal_;
};

}  // namespace casekeep
