// from_cbor_canonical (libcbor's streaming decoder plus casekeep's rules) must
// accept exactly the encodings nlohmann's to_cbor writes, and give back the
// value it wrote. The oracle is the definition it replaced: parse with
// nlohmann, refuse floats, re-encode, demand the same bytes.
#include <catch2/catch.hpp>
#include <optional>
#include <random>

#include "casekeep/changeset.hpp"
#include "casekeep/error.hpp"

using namespace casekeep;

namespace {

// The round-trip definition: the value when `b` is canonical, nothing otherwise.
std::optional<json> oracle(const Bytes& b) {
  try {
    json v = json::from_cbor(b, true, true, json::cbor_tag_handler_t::error);
    if (contains_float(v) || json::to_cbor(v) != b) return std::nullopt;
    return v;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// Equal values of equal types all the way down (== takes 1 and 1u as equal).
bool same_types(const json& a, const json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
      if (ia.key() != ib.key() || !same_types(*ia, *ib)) return false;
  } else if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_types(a[i], b[i])) return false;
  }
  return true;
}

std::optional<json> decoded(const Bytes& b) {
  try {
    return from_cbor_canonical(b, "value");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::malformed);
    return std::nullopt;
  }
}

// A random float-free value: every CBOR head width, nesting, maps with keys
// that share prefixes (so order matters), and byte strings of every length class.
json random_value(std::mt19937_64& rng, int depth) {
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  static const std::uint64_t edges[] = {0, 1, 23, 24, 255, 256, 65535, 65536, 0xFFFFFFFFull, 0x100000000ull,
                                        0xFFFFFFFFFFFFFFFFull};
  switch (pick(depth > 3 ? 6 : 8)) {
    case 0: return json(edges[pick(11)] - pick(2));
    case 1: return json(-static_cast<std::int64_t>(edges[pick(10)] / 2) - static_cast<std::int64_t>(pick(3)));
    case 2: {
      std::string s(pick(3) == 0 ? 300 : static_cast<std::size_t>(pick(30)), 'a');
      for (char& c : s) c = static_cast<char>('a' + pick(3));
      return json(s);
    }
    case 3: {
      // A long string of bytes that are each a whole item (small integers): a
      // mutant whose length head shrinks reads them as items, and a run of
      // container heads would nest 70,000 deep, which nlohmann (the oracle)
      // follows by recursion until the stack overflows. casekeep stops at 64.
      if (pick(4) == 0) return json::binary(Bytes(70000, static_cast<std::uint8_t>(pick(24))));
      return json::binary(Bytes(static_cast<std::size_t>(pick(40)), static_cast<std::uint8_t>(pick(256))));
    }
    case 4: return pick(3) == 0 ? json(nullptr) : json(pick(2) == 0);
    case 5: return json(static_cast<std::uint64_t>(pick(30)));
    case 6: {
      json a = json::array();
      for (std::uint64_t n = pick(pick(5) == 0 ? 30 : 4); n > 0; --n) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json m = json::object();
      static const char* keys[] = {"", "a", "aa", "ab", "b", "body", "sig", "v", "\xff", "zz"};
      for (std::uint64_t n = pick(6); n > 0; --n) m[keys[pick(10)]] = random_value(rng, depth + 1);
      return m;
    }
  }
}

}  // namespace

TEST_CASE("canonical CBOR: what to_cbor writes decodes to the same value", "[cbor]") {
  std::mt19937_64 rng(20261201);
  for (int i = 0; i < 400; ++i) {
    json v = random_value(rng, 0);
    Bytes b = json::to_cbor(v);
    auto got = decoded(b);
    REQUIRE(got);
    CHECK(*got == v);
    CHECK(json::to_cbor(*got) == b);
    // Its types are nlohmann's too (an unsigned stays unsigned: fields check it).
    auto want = oracle(b);
    REQUIRE(want);
    CHECK(same_types(*got, *want));
  }
}

TEST_CASE("canonical CBOR: each non-canonical form is refused", "[cbor][negative]") {
  struct Case {
    const char* name;
    Bytes bytes;
  };
  const std::vector<Case> refused = {
      {"1 in two bytes", {0x18, 0x01}},
      {"255 in three bytes", {0x19, 0x00, 0xFF}},
      {"-1 in two bytes", {0x38, 0x00}},
      {"a negative integer below INT64_MIN", {0x3B, 0x80, 0, 0, 0, 0, 0, 0, 0}},
      {"a length in a longer form", {0x58, 0x01, 0xAA}},
      {"a text length in a longer form", {0x78, 0x01, 'a'}},
      {"an array count in a longer form", {0x98, 0x01, 0x00}},
      {"a map count in a longer form", {0xB8, 0x01, 0x61, 'a', 0x00}},
      {"an indefinite byte string", {0x5F, 0x41, 0xAA, 0xFF}},
      {"an indefinite text", {0x7F, 0x61, 'a', 0xFF}},
      {"an indefinite array", {0x9F, 0x00, 0xFF}},
      {"an indefinite map", {0xBF, 0x61, 'a', 0x00, 0xFF}},
      {"keys out of order", {0xA2, 0x61, 'b', 0x00, 0x61, 'a', 0x00}},
      {"a repeated key", {0xA2, 0x61, 'a', 0x00, 0x61, 'a', 0x01}},
      {"a longer key before its prefix", {0xA2, 0x62, 'a', 'a', 0x00, 0x61, 'a', 0x00}},
      {"a key that is not text", {0xA1, 0x01, 0x00}},
      {"a tag", {0xC2, 0x41, 0x01}},
      {"a half float", {0xF9, 0x3C, 0x00}},
      {"a double", {0xFB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}},
      {"undefined", {0xF7}},
      {"a simple value", {0xF0}},
      {"a break", {0xFF}},
      {"bytes after the value", {0x00, 0x00}},
      {"nothing", {}},
      {"a truncated byte string", {0x45, 0x01, 0x02}},
      {"a truncated head", {0x19, 0x01}},
      {"an array missing items", {0x82, 0x00}},
      {"a count larger than the input", {0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
      {"a length larger than the input", {0x5B, 0, 0, 0, 1, 0, 0, 0, 2, 0xAA, 0xBB}},
  };
  for (const Case& c : refused) {
    INFO(c.name);
    CHECK_FALSE(oracle(c.bytes));
    CHECK_THROWS_AS(from_cbor_canonical(c.bytes, "value"), Error);
  }
  CHECK_THROWS_WITH(from_cbor_canonical(Bytes{0xF9, 0x3C, 0x00}, "payload"), "The payload contains a floating-point number.");
  CHECK_THROWS_WITH(from_cbor_canonical(Bytes{0x18, 0x01}, "payload"), Catch::Contains("not in canonical encoding"));
  CHECK_THROWS_WITH(from_cbor_canonical(Bytes{0x45, 0x01}, "payload"), Catch::Contains("truncated"));
}

TEST_CASE("canonical CBOR: nesting is bounded", "[cbor][negative]") {
  Bytes deep(64, 0x81);
  deep.push_back(0x00);
  CHECK(decoded(deep));  // 64 levels: accepted
  deep.insert(deep.begin(), 0x81);
  CHECK_THROWS_WITH(from_cbor_canonical(deep, "value"), Catch::Contains("nested deeper than 64"));
  // As deep as a 4 MiB changeset could nest: refused at once, without recursion.
  Bytes abyss(4u * 1024 * 1024, 0x81);
  CHECK_THROWS_WITH(from_cbor_canonical(abyss, "value"), Catch::Contains("nested deeper than 64"));
}

TEST_CASE("canonical CBOR: mutated encodings are accepted exactly when the round trip accepts them", "[cbor][property]") {
  std::mt19937_64 rng(7);
  int accepted_mutants = 0;
  for (int i = 0; i < 3000; ++i) {
    Bytes b = json::to_cbor(random_value(rng, 1));
    if (b.empty()) continue;
    // Flip, insert or delete a byte; sometimes several.
    for (std::uint64_t k = 1 + rng() % 3; k > 0; --k) {
      std::size_t at = rng() % b.size();
      switch (rng() % 3) {
        case 0: b[at] = static_cast<std::uint8_t>(rng()); break;
        case 1: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng())); break;
        default: if (b.size() > 1) b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
      }
    }
    auto want = oracle(b);
    auto got = decoded(b);
    INFO("mutant " << i << ": " << to_hex(b).substr(0, 120));
    REQUIRE(want.has_value() == got.has_value());
    if (want) {
      CHECK(*want == *got);
      CHECK(same_types(*want, *got));
      ++accepted_mutants;
    }
  }
  CHECK(accepted_mutants > 100);  // the property also covered valid mutants, not only refusals
}
