// Run independent work on every core. Used where the cost is per item and
// the items share nothing: decoding and signature checks of an import; and
// work that can go on beside this thread's (the next request's round trip,
// the next chunk of a push's decoding).
#pragma once
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <system_error>
#include <utility>

namespace casekeep {

// Call work(i) for every i in [0, n), spread over the machine's cores. `work`
// must not throw and must touch only item i's own state. Where threads are
// unavailable (WebAssembly without threads), it runs them all on this thread.
void for_each_index(std::size_t n, const std::function<void(std::size_t)>& work);

// work() on another thread, its result (or exception) in the future; where no
// thread can be had (WebAssembly without threads), it runs when get() or
// wait() is called. A future from here waits for its thread when destroyed.
template <typename Work>
auto run_meanwhile(Work work) -> std::future<decltype(work())> {
  // Shared, not copied: the work may own a lot (a chunk of changesets), and
  // the second launch needs it if the first could not start a thread.
  auto shared = std::make_shared<Work>(std::move(work));
  auto call = [shared] { return (*shared)(); };
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  // WebAssembly without threads: std::async(launch::async) neither starts a
  // thread nor throws, and its future is never ready (a vault hung on it).
  return std::async(std::launch::deferred, call);
#else
  try {
    return std::async(std::launch::async, call);
  } catch (const std::system_error&) {
    return std::async(std::launch::deferred, call);
  }
#endif
}

}  // namespace casekeep
