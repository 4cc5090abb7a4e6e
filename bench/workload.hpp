// The fixed, seeded benchmark workload (issue 6): notes with a 40-character
// title and about 1,000 characters of words, the same on every run and in
// both systems: bench/compare/workload.js is a line-for-line port (mulberry32
// seeded per note), so casekeep and PouchDB store byte-identical texts.
// Notes are made one at a time from their index, so a run need not hold them
// all (S1a does, as PouchDB's bulkDocs does).
#pragma once
#include <cstdint>
#include <string>

#include "casekeep/records.hpp"

namespace casekeep::bench {

NoteDraft make_note(std::size_t index, std::uint32_t seed = 42);

}  // namespace casekeep::bench
