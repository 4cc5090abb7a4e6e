#include "workload.hpp"

#include <random>

namespace casekeep::bench {
namespace {

const std::vector<std::string> kWords = {
    "child", "visit", "mother", "school", "nurse", "referral", "bruise", "clinic", "health", "record",
    "concern", "family", "meeting", "social", "worker", "practitioner", "agreed", "reported", "home", "late",
    "appointment", "missed", "weight", "growth", "observed", "discussed", "plan", "review", "safeguarding", "the",
    "and", "was", "with", "on", "at", "for", "to", "of", "a", "in"};

std::string words(std::mt19937_64& rng, std::size_t length) {
  std::string out;
  while (out.size() < length) {
    if (!out.empty()) out += ' ';
    out += kWords[rng() % kWords.size()];
  }
  out.resize(length);
  return out;
}

}  // namespace

std::vector<NoteInput> make_notes(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<NoteInput> notes;
  notes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) notes.push_back({words(rng, 40), words(rng, 1000)});
  return notes;
}

}  // namespace casekeep::bench
