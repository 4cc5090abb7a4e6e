#include "casekeep/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace casekeep {

void for_each_index(std::size_t n, const std::function<void(std::size_t)>& work) {
  // Below this many items a thread costs more than it saves.
  constexpr std::size_t kMinItemsPerThread = 32;
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::min(cores, n / kMinItemsPerThread);
  std::atomic<std::size_t> next{0};
  auto drain = [&] {
    for (std::size_t i = next++; i < n; i = next++) work(i);
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(drain);
    } catch (const std::system_error&) {
      break;  // no threads here (e.g. WebAssembly): this thread does the rest
    }
  }
  drain();
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace casekeep
