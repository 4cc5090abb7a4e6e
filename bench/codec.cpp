// casekeep-codec-bench (Google Benchmark): the changeset codec on its own,
// for the costs the scenarios of casekeep-bench are made of: sealing (CBOR
// body, signature, id) and decoding, for one note (S1b, S2, S3: a changeset
// per note) and for a bulk write's changeset (S1a: a MiB of notes).
#include <benchmark/benchmark.h>

#include "casekeep/changeset.hpp"
#include "casekeep/crypto.hpp"
#include "workload.hpp"

namespace casekeep::bench {
namespace {

struct Sealer {
  crypto::SignKeyPair user = crypto::SignKeyPair::generate();
  crypto::SignKeyPair device = crypto::SignKeyPair::generate();

  // A changeset of `notes` notes' metadata (four ops each, as add_note writes)
  // and a payload of their size (its bytes are opaque to the codec).
  ChangesetBody body(std::size_t notes) const {
    ChangesetBody b;
    b.space = Bytes(kSpaceIdSize, 0x11);
    b.author = user.public_key;
    b.device = device.public_key;
    b.cert = Bytes(crypto::kSignatureSize, 0x12);
    b.seq = 2;
    b.prev = Bytes(crypto::kHashSize, 0x22);
    b.hlc = 1;
    std::size_t text = 0;
    for (std::size_t k = 0; k < notes; ++k) {
      Bytes record = crypto::random_bytes(kRecordIdSize);
      b.meta.push_back({OpKind::create, record, {}, {}});
      for (int field = 0; field < 3; ++field) b.meta.push_back({OpKind::set, record, Bytes(kFieldTagSize, 0x44), {}});
      NoteDraft n = make_note(k);
      text += n.title.size() + n.body.size() + 120;
    }
    b.payload = crypto::random_bytes(text);
    return b;
  }
};

void seal(benchmark::State& state) {
  crypto::init();
  Sealer s;
  ChangesetBody body = s.body(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Changeset::seal(body, s.device.secret_key));
  state.SetItemsProcessed(state.iterations() * state.range(0));  // notes
}

void decode(benchmark::State& state) {
  crypto::init();
  Sealer s;
  Bytes bytes = Changeset::seal(s.body(static_cast<std::size_t>(state.range(0))), s.device.secret_key).bytes();
  for (auto _ : state) benchmark::DoNotOptimize(Changeset::decode(bytes));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

BENCHMARK(seal)->Arg(1)->Arg(1000);
BENCHMARK(decode)->Arg(1)->Arg(1000);

}  // namespace
}  // namespace casekeep::bench

BENCHMARK_MAIN();
