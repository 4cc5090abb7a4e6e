// The bound S3 is judged against: Ed25519 verifications per second on one core.
#include "casekeep/crypto.hpp"
#include "scenarios.hpp"

namespace casekeep::bench {

double ed25519_verifications_per_core() {
  auto keys = crypto::SignKeyPair::generate();
  Bytes message(1200, 0x61), sig = crypto::sign(keys.secret_key, message);
  const int rounds = 4000;
  auto start = Stopwatch::now();
  for (int r = 0; r < rounds; ++r) crypto::verify(keys.public_key, message, sig);
  return rounds / seconds_since(start);
}

}  // namespace casekeep::bench
