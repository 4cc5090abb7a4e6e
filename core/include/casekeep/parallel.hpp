// Run independent work on every core. Used where the cost is per item and
// the items share nothing: decoding and signature checks of an import.
#pragma once
#include <cstddef>
#include <functional>

namespace casekeep {

// Call work(i) for every i in [0, n), spread over the machine's cores. `work`
// must not throw and must touch only item i's own state. Where threads are
// unavailable (WebAssembly without threads), it runs them all on this thread.
void for_each_index(std::size_t n, const std::function<void(std::size_t)>& work);

}  // namespace casekeep
