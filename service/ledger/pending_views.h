#ifndef DXLEDGER_SERVICE_LEDGER_PENDING_VIEWS_H_
#define DXLEDGER_SERVICE_LEDGER_PENDING_VIEWS_H_

#include <array>
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

// Streams with appends submitted to the group-commit writer but not yet
// answered, each with its view as it will read once they commit. A command on
// such a stream decides against that view instead of the stored one, so
// commands on one goal line up in the same batch behind each other instead of
// racing to one version and being told to retry. The store's version check
// stays the arbiter: a view built on an append that then fails makes the
// appends built on it fail too, and the next claimant reads the store again.
// Thread-safe; sharded so commands on different streams rarely contend.
namespace dxledger::ledger {

class PendingViews {
  static constexpr size_t kShards = 64;
  struct Shard;

 public:
  // Holds the shards of its streams from reading their views until their
  // append is submitted, so the writer receives a stream's appends in the
  // order they were decided. Submit the append while the claim is held.
  class Claim {
   public:
    // Locks the shards of `streams` in shard order, so claims on several
    // streams cannot deadlock one another.
    Claim(PendingViews& views, absl::Span<const std::string> streams);
    ~Claim();
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;

    // The view of one of the claim's streams after every submitted append,
    // or nullptr when the stored view is current (nothing in flight, or what
    // was in flight failed).
    const std::string* view(std::string_view stream);
    // Records that an append leaving the stream as `view` is being
    // submitted; returns the ticket to hand to Finished.
    uint64_t Submitted(std::string_view stream, std::string view);

   private:
    Shard& Held(std::string_view stream);

    PendingViews& views_;
    std::bitset<kShards> held_;
  };

  // The append with `ticket` was answered: written (`written`) or not.
  void Finished(std::string_view stream, uint64_t ticket, bool written);

 private:
  struct Stream {
    std::string view;           // as it reads once ticket `latest` commits
    uint64_t latest = 0;        // the last ticket submitted
    uint64_t doomed_until = 0;  // tickets up to here build on a failed append
    int in_flight = 0;
    bool reread = false;  // `view` builds on a failed append: read the store
  };
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Stream> streams ABSL_GUARDED_BY(mu);
  };
  size_t ShardOf(std::string_view stream) const;

  std::array<Shard, kShards> shards_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_PENDING_VIEWS_H_
