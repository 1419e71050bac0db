#ifndef DXLEDGER_SERVICE_REFUSAL_LIMITER_H_
#define DXLEDGER_SERVICE_REFUSAL_LIMITER_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

// How many refusals from one peer the security log records: a token bucket
// per peer address, so that a client hammering the server with bad tokens
// cannot fill the disk or bury other refusals. What is not recorded is
// counted, per peer (the next record from that peer says how many it
// follows) and in total (a metric). Thread-safe.
namespace dxledger::service {

struct RefusalLimits {
  double per_second = 10;  // records a second, sustained, per peer
  double burst = 100;      // records a peer may have in a burst
  size_t max_peers = 10000;
};

class RefusalLimiter {
 public:
  explicit RefusalLimiter(RefusalLimits limits = {}) : limits_(limits) {}

  // Whether a refusal from `peer` at `now` is recorded; if so, how many from
  // it were not since its last record.
  std::optional<uint64_t> Admit(std::string_view peer, absl::Time now);
  // Refusals not recorded, since the start.
  uint64_t suppressed() const { return suppressed_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
    uint64_t suppressed = 0;
  };
  const RefusalLimits limits_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> peers_ ABSL_GUARDED_BY(mu_);
  // Peers beyond max_peers share one bucket, so memory stays bounded.
  Bucket others_ ABSL_GUARDED_BY(mu_) = {0, absl::InfinitePast()};
  std::atomic<uint64_t> suppressed_{0};
};

// The address part of a gRPC peer ("ipv4:10.0.0.1:5000" → "ipv4:10.0.0.1",
// "ipv6:[::1]:5000" → "ipv6:[::1]"): one client's connections share it.
std::string_view PeerAddress(std::string_view peer);

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_REFUSAL_LIMITER_H_
