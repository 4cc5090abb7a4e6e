// Device signatures of a batch of changesets, checked as docs/protocol.md §5.2
// argues: a changeset's `prev` is the id of the one before it on its (device,
// space) chain, and that id hashes the earlier changeset's exact bytes,
// signature included. So a valid signature on a
// changeset vouches for the predecessor it names, and one Ed25519 check at the
// head of a contiguous run covers the whole run.
#pragma once
#include <cstddef>
#include <vector>

#include "casekeep/changeset.hpp"

namespace casekeep {

struct SignatureCheck {
  // valid[i]: batch[i]'s device signature verifies, or a changeset of the
  // batch whose signature is valid vouches for it through `prev` links. A
  // null entry (one that did not decode) is never valid.
  std::vector<char> valid;
  std::size_t signatures_checked = 0;  // Ed25519 verifications done
};

// Same answer as checking each changeset's own signature, except for one a
// device signed a successor of while its own signature was bad: that device
// has vouched for its bytes, so it counts as valid (Vault::verify still
// checks every signature alone and would name it).
SignatureCheck check_device_signatures(const std::vector<const Changeset*>& batch);

}  // namespace casekeep
