// The clock is handed in, never read directly, so time-dependent logic
// (hybrid logical clocks, timestamps in history) is testable with a fake clock.
#pragma once
#include <cstdint>
#include <string>

namespace casekeep {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_ms() = 0;  // milliseconds since the Unix epoch
};

class SystemClock final : public Clock {
 public:
  std::uint64_t now_ms() override;
};

// Hybrid logical clock packed in 64 bits: (milliseconds << 16) | counter.
// Monotonic on one replica, and after observe() greater than every seen stamp.
class Hlc {
 public:
  explicit Hlc(std::uint64_t last = 0) : last_(last) {}
  std::uint64_t tick(Clock& clock);
  void observe(std::uint64_t remote) { if (remote > last_) last_ = remote; }
  std::uint64_t last() const { return last_; }
  static std::uint64_t millis(std::uint64_t stamp) { return stamp >> 16; }

 private:
  std::uint64_t last_;
};

// "2024-05-01T09:30:00.123Z" from a hybrid logical clock stamp.
std::string format_hlc(std::uint64_t hlc);

}  // namespace casekeep
