#include "casekeep/chain_check.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "casekeep/parallel.hpp"

namespace casekeep {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// For each changeset, the index of the next changeset of its chain in the
// batch (same device and space, seq + 1, naming it as prev), or kNone.
std::vector<std::size_t> successors(const std::vector<const Changeset*>& batch) {
  using Position = std::tuple<const Bytes&, const Bytes&, std::uint64_t>;  // device, space, seq
  std::map<Position, std::vector<std::size_t>> at;
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i]) at[Position(batch[i]->body().device, batch[i]->body().space, batch[i]->body().seq)].push_back(i);
  std::vector<std::size_t> next(batch.size(), kNone);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i]) continue;
    const ChangesetBody& b = batch[i]->body();
    auto found = at.find(Position(b.device, b.space, b.seq + 1));
    if (found == at.end()) continue;
    for (std::size_t j : found->second)
      if (batch[j]->body().prev == batch[i]->id()) {
        next[i] = j;
        break;
      }
  }
  return next;
}

// Verify the signatures of batch[i] for every i in `which`, on every core.
std::size_t verify_alone(const std::vector<const Changeset*>& batch, const std::vector<std::size_t>& which,
                         std::vector<char>& valid) {
  for_each_index(which.size(), [&](std::size_t k) { valid[which[k]] = batch[which[k]]->signature_valid(); });
  return which.size();
}

}  // namespace

SignatureCheck check_device_signatures(const std::vector<const Changeset*>& batch) {
  SignatureCheck result;
  result.valid.assign(batch.size(), 0);
  std::vector<std::size_t> next = successors(batch);

  // 1. The heads of the batch's runs: changesets with no successor in it.
  std::vector<std::size_t> heads;
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i] && next[i] == kNone) heads.push_back(i);
  result.signatures_checked += verify_alone(batch, heads, result.valid);

  // 2. Every other changeset takes its successor's answer: later seqs first, so
  //    a successor is settled before the changesets it vouches for.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i] && next[i] != kNone) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return batch[a]->body().seq > batch[b]->body().seq; });
  std::vector<std::size_t> unvouched;
  for (std::size_t i : order) {
    result.valid[i] = result.valid[next[i]];
    if (!result.valid[i]) unvouched.push_back(i);
  }

  // 3. A run whose head failed proves nothing: each of its changesets stands
  //    on its own signature, so a forged head refuses only itself.
  result.signatures_checked += verify_alone(batch, unvouched, result.valid);
  return result;
}

}  // namespace casekeep
