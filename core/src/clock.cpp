#include "casekeep/clock.hpp"

#include <chrono>

namespace casekeep {

std::uint64_t SystemClock::now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::uint64_t Hlc::tick(Clock& clock) {
  std::uint64_t physical = clock.now_ms() << 16;
  last_ = physical > last_ ? physical : last_ + 1;
  return last_;
}

}  // namespace casekeep
