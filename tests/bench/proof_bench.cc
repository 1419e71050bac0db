// dxledger_proof_bench: how an inclusion proof's cost grows with the log.
// Fills one RocksDB store with SMALL events and one with LARGE, then times
// inclusion proofs of random positions against each head, alternating
// rounds (the machine's speed drifts), and prints each mean and the ratio.
//   dxledger_proof_bench [--small 10000] [--large 1000000] [--proofs 2000]
//                        [--settle 20] [--warmup 2000] [--rounds 3]
//                        [--reopen [--warm-at-open]]
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "CLI/CLI.hpp"
#include "fmt/format.h"
#include "storage/stores.h"

namespace {

using dxledger::storage::AppendRequest;
using dxledger::storage::LogStore;

std::unique_ptr<LogStore> Fill(const std::string& dir, uint64_t events,
                               const dxledger::storage::RocksDbOptions& options) {
  std::filesystem::remove_all(dir);
  std::unique_ptr<LogStore> store = *dxledger::storage::OpenRocksDbEventStore(dir, false, options);
  const std::string body(300, 'e');
  constexpr uint64_t kPerAppend = 500;
  for (uint64_t done = 0; done < events; done += kPerAppend) {
    AppendRequest request;
    request.streams.push_back({fmt::format("o/g{}", done), 0, {}, "view"});
    for (uint64_t i = done; i < std::min(events, done + kPerAppend); ++i) {
      request.streams.back().events.push_back(body);
    }
    if (!store->AppendAndWait(std::move(request)).ok()) std::abort();
  }
  return store;
}

// Mean microseconds of `proofs` inclusion proofs of random positions.
double MeanProofMicros(LogStore& store, int proofs, std::mt19937_64& random) {
  const uint64_t size = store.GetHead().position;
  std::uniform_int_distribution<uint64_t> position(1, size);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < proofs; ++i) {
    if (!store.InclusionProof(position(random), size).ok()) std::abort();
  }
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
             .count() /
         proofs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dxledger_proof_bench: inclusion proofs at two log sizes"};
  uint64_t small = 10'000, large = 1'000'000;
  int proofs = 2000, rounds = 3, warmup = 2000;
  app.add_option("--small", small)->capture_default_str();
  app.add_option("--large", large)->capture_default_str();
  app.add_option("--proofs", proofs, "proofs a round")->capture_default_str();
  app.add_option("--rounds", rounds)->capture_default_str();
  app.add_option("--warmup", warmup,
                 "proofs against each store before the rounds (enough to touch every tree "
                 "record: the cache as a server that has served proofs a while has it)")
      ->capture_default_str();
  dxledger::storage::RocksDbOptions options;
  size_t memtable_kib = options.memtable_bytes >> 10;
  app.add_option("--memtable-kib", memtable_kib,
                 "memtable of a column family (small: the small log's tree is read from table "
                 "files too, as a long-running store's is)")
      ->capture_default_str();
  int settle = 20;
  app.add_option("--settle", settle,
                 "seconds to wait once both stores are filled, for their compactions to end "
                 "(else the large store's compete with its proofs)")
      ->capture_default_str();
  bool reopen = false, warm_at_open = false;
  app.add_flag("--reopen", reopen,
               "close both stores once settled and open them again, as a restarted server does");
  app.add_flag("--warm-at-open", warm_at_open,
               "with --reopen: warm each store's proofs at open (StartWarmingProofs), as "
               "dxledgerd does, and wait for it before the first proof");
  CLI11_PARSE(app, argc, argv);
  options.memtable_bytes = memtable_kib << 10;
  const std::string base = fmt::format("/tmp/dxledger-proof-bench-{}", ::getpid());
  std::unique_ptr<LogStore> small_store = Fill(base + "-small", small, options);
  std::unique_ptr<LogStore> large_store = Fill(base + "-large", large, options);
  std::this_thread::sleep_for(std::chrono::seconds(settle));
  if (reopen) {
    for (auto& [store, suffix] : {std::pair(&small_store, "-small"), {&large_store, "-large"}}) {
      store->reset();
      *store = *dxledger::storage::OpenRocksDbEventStore(base + suffix, false, options);
      if (!warm_at_open) continue;
      const auto start = std::chrono::steady_clock::now();
      (*store)->StartWarmingProofs();
      if (!(*store)->WaitProofsWarm().ok()) std::abort();
      fmt::print("warmed the proofs of {} events at open in {:.0f} ms\n",
                 (*store)->GetHead().position,
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    }
  }
  std::mt19937_64 random(42);
  MeanProofMicros(*small_store, warmup, random);  // warm both caches
  MeanProofMicros(*large_store, warmup, random);
  double small_sum = 0, large_sum = 0;
  for (int round = 0; round < rounds; ++round) {
    const double s = MeanProofMicros(*small_store, proofs, random);
    const double l = MeanProofMicros(*large_store, proofs, random);
    fmt::print("round {}: {} events {:.1f} us a proof, {} events {:.1f} us\n", round + 1, small, s,
               large, l);
    small_sum += s;
    large_sum += l;
  }
  fmt::print("inclusion proof at {} vs at {} events: {:.2f}x\n", large, small,
             large_sum / small_sum);
  small_store.reset();
  large_store.reset();
  std::filesystem::remove_all(base + "-small");
  std::filesystem::remove_all(base + "-large");
}
