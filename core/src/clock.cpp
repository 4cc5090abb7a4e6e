#include "casekeep/clock.hpp"

#include <chrono>
#include <ctime>
#include <iomanip>
#include <sstream>

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

std::string format_hlc(std::uint64_t hlc) {
  const std::uint64_t millis = Hlc::millis(hlc);
  const auto seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  // Callers are single-threaded (a Vault is per thread), so gmtime's shared buffer is safe to copy from.
  if (const std::tm* parts = std::gmtime(&seconds); parts != nullptr) utc = *parts;
  std::ostringstream text;
  text << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(3) << std::setfill('0')
       << millis % 1000 << 'Z';
  return text.str();
}

}  // namespace casekeep
