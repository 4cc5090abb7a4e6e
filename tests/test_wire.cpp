// wire::base64 against libsodium's strict coder as the oracle: the same text
// for any bytes, the same bytes back, and a refusal of everything that is not
// canonical padded base64 (OpenSSL's decoder alone accepts much of it).
#include <catch2/catch.hpp>

#include <sodium.h>

#include <random>

#include "casekeep/error.hpp"
#include "casekeep/wire.hpp"

using namespace casekeep;

namespace {

std::string sodium_base64(const Bytes& b) {
  std::string out(sodium_base64_encoded_len(b.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("base64 matches the strict coder for bytes of every length", "[wire]") {
  std::mt19937 rng(11);
  for (std::size_t len = 0; len < 300; ++len) {
    Bytes b(len);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    std::string text = wire::base64(b);
    INFO("length " << len);
    CHECK(text == sodium_base64(b));
    CHECK(wire::unbase64(text) == b);
  }
}

TEST_CASE("unbase64 refuses what is not canonical padded base64", "[wire][negative]") {
  for (const char* bad : {"A", "AA", "AAA", "A===", "====", "AA=A", "=AAA", " AAA", "AAA ", "AA\nA", "AA==AAAA",
                          "AAA*", "AAAAA===", "AB==", "AAB="})
    CHECK_THROWS_AS(wire::unbase64(bad), Error);
  CHECK(wire::unbase64("").empty());
  CHECK(wire::unbase64("AA==") == Bytes{0});
  CHECK(wire::unbase64("AAE=") == Bytes{0, 1});
}

TEST_CASE("frames carry any bytes and refuse a length that does not fit", "[wire][frames]") {
  std::vector<Bytes> items = {Bytes{}, Bytes{1, 2, 3}, Bytes(70000, 0xab)};
  std::string body = wire::frames(items);
  CHECK(body.size() == 3 * 4 + 3 + 70000);
  CHECK(body.substr(4, 4) == std::string("\0\0\0\3", 4));
  CHECK(wire::unframe(body) == items);
  CHECK(wire::unframe("").empty());
  // The test vector of docs/http-api.md §Frames.
  CHECK(wire::frames({Bytes{1, 2, 3}, Bytes{}}) == std::string("\0\0\0\3\1\2\3\0\0\0\0", 11));
  CHECK_THROWS_AS(wire::unframe(body.substr(0, body.size() - 1)), Error);  // runs past the end
  CHECK_THROWS_AS(wire::unframe(body + std::string("\0\0", 2)), Error);      // a cut-short length
  CHECK_THROWS_AS(wire::unframe(std::string("\0\x40\0\x01", 4) + std::string(0x400001, 'x')), Error);  // over 4 MiB
  CHECK(wire::is_frames_type("application/vnd.casekeep.frames"));
  CHECK(wire::is_frames_type("application/vnd.casekeep.frames; v=1"));
  CHECK(!wire::is_frames_type("application/json"));
}
