// The fixed, seeded benchmark workload (issue 6): notes with a 40-character
// title and about 1,000 characters of words, the same on every run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace casekeep::bench {

struct NoteInput {
  std::string title;  // 40 characters
  std::string body;   // ~1,000 characters of words
};

std::vector<NoteInput> make_notes(std::size_t count, std::uint64_t seed = 42);

}  // namespace casekeep::bench
