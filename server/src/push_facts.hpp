// What the checks of one push read from the store, read once per push: a push
// of 1,024 changesets to one space asked the store the same five questions
// for each of them, and those queries were half of its time under the lock.
// Valid only inside the push's transaction; a changeset that changes members
// or founds a space makes it forget what it read about that space. It also
// holds the chains' new heads until store_chain_heads(), before the commit.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "casekeep/changeset.hpp"
#include "store.hpp"

namespace casekeep::server {

class PushFacts {
 public:
  explicit PushFacts(Store& store) : store_(store) {}

  const ChainHead& chain(const Bytes& device, const Bytes& space) {
    return remembered(chains_, std::make_pair(device, space), [&] { return store_.chain(device, space); });
  }
  const std::optional<Bytes>& space_creator(const Bytes& space) {
    return remembered(creators_, space, [&] { return store_.space_creator(space); });
  }
  std::uint64_t current_generation(const Bytes& space) {
    return remembered(generations_, space, [&] { return store_.current_generation(space); });
  }
  const std::vector<std::string>& roles_of(const Bytes& space, std::uint64_t generation, const Bytes& user) {
    return remembered(roles_, std::make_tuple(space, generation, user),
                      [&] { return store_.roles_of(space, generation, user); });
  }

  // Writes the heads of the chains this push moved (the log entries are in already).
  void store_chain_heads() {
    for (const auto& key : moved_) store_.set_chain_head(key.first, key.second, chains_.at(key));
    moved_.clear();
  }

  // After `changeset` was appended: its chain moved, and its space may have.
  void appended(const Changeset& changeset) {
    const ChangesetBody& b = changeset.body();
    auto key = std::make_pair(b.device, b.space);
    chains_[key] = ChainHead{b.seq, changeset.id()};
    moved_.insert(std::move(key));
    if (b.genesis.empty() && b.members.empty()) return;
    creators_.erase(b.space);
    generations_.erase(b.space);
    for (auto it = roles_.begin(); it != roles_.end();)
      it = std::get<0>(it->first) == b.space ? roles_.erase(it) : std::next(it);
  }

 private:
  // What `read` answered for `key` the first time it was asked.
  template <typename Map, typename Key, typename Read>
  static const typename Map::mapped_type& remembered(Map& map, Key key, Read read) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::move(key), read()).first;
    return it->second;
  }

  Store& store_;
  std::map<std::pair<Bytes, Bytes>, ChainHead> chains_;
  std::set<std::pair<Bytes, Bytes>> moved_;  // chains whose new heads the store has not yet
  std::map<Bytes, std::optional<Bytes>> creators_;
  std::map<Bytes, std::uint64_t> generations_;
  std::map<std::tuple<Bytes, std::uint64_t, Bytes>, std::vector<std::string>> roles_;
};

}  // namespace casekeep::server
