#include "workload.hpp"

#include <array>

namespace casekeep::bench {
namespace {

const std::array<const char*, 40> kWords = {
    "child", "visit", "mother", "school", "nurse", "referral", "bruise", "clinic", "health", "record",
    "concern", "family", "meeting", "social", "worker", "practitioner", "agreed", "reported", "home", "late",
    "appointment", "missed", "weight", "growth", "observed", "discussed", "plan", "review", "safeguarding", "the",
    "and", "was", "with", "on", "at", "for", "to", "of", "a", "in"};

// mulberry32: tiny, and the same bits in JavaScript (bench/compare/workload.js).
class Mulberry32 {
 public:
  explicit Mulberry32(std::uint32_t state) : a_(state) {}
  std::uint32_t next() {
    a_ += 0x6D2B79F5u;
    std::uint32_t t = (a_ ^ (a_ >> 15)) * (a_ | 1u);
    t = (t + (t ^ (t >> 7)) * (t | 61u)) ^ t;
    return t ^ (t >> 14);
  }

 private:
  std::uint32_t a_;
};

std::string words(Mulberry32& rng, std::size_t length) {
  std::string out;
  while (out.size() < length) {
    if (!out.empty()) out += ' ';
    out += kWords[rng.next() % kWords.size()];
  }
  out.resize(length);
  return out;
}

}  // namespace

NoteDraft make_note(std::size_t index, std::uint32_t seed) {
  Mulberry32 rng(seed * 0x9E3779B1u + static_cast<std::uint32_t>(index));
  NoteDraft note;
  note.title = words(rng, 40);
  note.body = words(rng, 1000);
  return note;
}

}  // namespace casekeep::bench
