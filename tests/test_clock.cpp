// The hybrid logical clock: monotonic even when the wall clock steps back, and
// ahead of every stamp it has observed from other replicas.
#include <catch2/catch.hpp>

#include "casekeep/clock.hpp"

using namespace casekeep;

namespace {
class SteppingClock final : public Clock {
 public:
  std::uint64_t ms = 1000;
  std::uint64_t now_ms() override { return ms; }
};
}  // namespace

TEST_CASE("the HLC never goes backwards and follows observed stamps", "[clock]") {
  SteppingClock wall;
  Hlc hlc;
  std::uint64_t a = hlc.tick(wall);
  CHECK(Hlc::millis(a) == 1000);
  std::uint64_t b = hlc.tick(wall);  // same millisecond: the counter moves
  CHECK(b == a + 1);
  wall.ms = 500;  // the wall clock steps back
  std::uint64_t c = hlc.tick(wall);
  CHECK(c > b);
  hlc.observe((5000ULL << 16) + 7);  // a replica far ahead
  std::uint64_t d = hlc.tick(wall);
  CHECK(d == (5000ULL << 16) + 8);
  wall.ms = 9000;
  CHECK(hlc.tick(wall) == 9000ULL << 16);
}
