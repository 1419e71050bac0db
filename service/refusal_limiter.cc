#include "service/refusal_limiter.h"

#include <algorithm>

namespace dxledger::service {

std::optional<uint64_t> RefusalLimiter::Admit(std::string_view peer, absl::Time now) {
  absl::MutexLock lock(&mu_);
  Bucket* bucket = nullptr;
  if (auto it = peers_.find(absl::string_view(peer.data(), peer.size())); it != peers_.end()) {
    bucket = &it->second;
  } else {
    if (peers_.size() >= limits_.max_peers) {
      // Forget peers whose buckets have refilled: they are as new.
      const absl::Duration full = absl::Seconds(limits_.burst / limits_.per_second);
      absl::erase_if(peers_, [&](const auto& entry) {
        return entry.second.suppressed == 0 && now - entry.second.updated >= full;
      });
    }
    bucket = peers_.size() < limits_.max_peers
                 ? &peers_.try_emplace(std::string(peer), Bucket{limits_.burst, now}).first->second
                 : &others_;
  }
  if (bucket->updated != absl::InfinitePast()) {
    const double refill = absl::ToDoubleSeconds(now - bucket->updated) * limits_.per_second;
    bucket->tokens = std::min(limits_.burst, bucket->tokens + std::max(0.0, refill));
  } else {
    bucket->tokens = limits_.burst;
  }
  bucket->updated = now;
  if (bucket->tokens < 1) {
    ++bucket->suppressed;
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  bucket->tokens -= 1;
  const uint64_t before = bucket->suppressed;
  bucket->suppressed = 0;
  return before;
}

std::string_view PeerAddress(std::string_view peer) {
  const size_t colon = peer.rfind(':');
  const size_t scheme = peer.find(':');
  if (colon == std::string_view::npos || colon == scheme) return peer;  // no port
  return peer.substr(0, colon);
}

}  // namespace dxledger::service
