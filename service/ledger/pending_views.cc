#include "service/ledger/pending_views.h"

#include <cassert>

#include "absl/hash/hash.h"

namespace dxledger::ledger {
namespace {

// Debian's Abseil predates absl::string_view being std::string_view.
absl::string_view Key(std::string_view stream) { return {stream.data(), stream.size()}; }

}  // namespace

size_t PendingViews::ShardOf(std::string_view stream) const {
  return absl::Hash<std::string_view>{}(stream) % kShards;
}

PendingViews::Claim::Claim(PendingViews& views, absl::Span<const std::string> streams)
    : views_(views) {
  for (const std::string& stream : streams) held_[views_.ShardOf(stream)] = true;
  for (size_t i = 0; i < kShards; ++i) {
    if (held_[i]) views_.shards_[i].mu.Lock();
  }
}

PendingViews::Claim::~Claim() {
  for (size_t i = kShards; i-- > 0;) {
    if (held_[i]) views_.shards_[i].mu.Unlock();
  }
}

PendingViews::Shard& PendingViews::Claim::Held(std::string_view stream) {
  const size_t index = views_.ShardOf(stream);
  assert(held_[index] && "the stream is not one of the claim's");
  return views_.shards_[index];
}

const std::string* PendingViews::Claim::view(std::string_view stream) {
  Shard& shard = Held(stream);
  auto it = shard.streams.find(Key(stream));
  if (it == shard.streams.end() || it->second.reread) return nullptr;
  return &it->second.view;
}

uint64_t PendingViews::Claim::Submitted(std::string_view stream, std::string view) {
  Stream& pending = Held(stream).streams[Key(stream)];
  pending.view = std::move(view);
  pending.reread = false;
  ++pending.in_flight;
  return ++pending.latest;
}

void PendingViews::Finished(std::string_view stream, uint64_t ticket, bool written) {
  Shard& shard = shards_[ShardOf(stream)];
  absl::MutexLock lock(&shard.mu);
  auto it = shard.streams.find(Key(stream));
  assert(it != shard.streams.end() && it->second.in_flight > 0);
  Stream& pending = it->second;
  // The writer answers a stream's appends in ticket order, so when this one
  // failed, everything before it is already stored and everything after it
  // was decided on top of it and fails as well: the store is current for
  // the next claimant. A failure up to `doomed_until` was foreseen.
  if (!written && ticket > pending.doomed_until) {
    pending.doomed_until = pending.latest;
    pending.reread = true;
  }
  if (--pending.in_flight == 0) shard.streams.erase(it);
}

}  // namespace dxledger::ledger
