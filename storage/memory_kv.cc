#include "storage/memory_kv.h"

#include <utility>
#include <vector>

namespace dxledger::storage {

absl::StatusOr<std::vector<std::optional<std::string>>> KvBackend::MultiGet(
    Family family, std::span<const std::string> keys) {
  std::vector<std::optional<std::string>> values;
  values.reserve(keys.size());
  for (const std::string& key : keys) {
    absl::StatusOr<std::optional<std::string>> value = Get(family, key);
    if (!value.ok()) return value.status();
    values.push_back(*std::move(value));
  }
  return values;
}

absl::StatusOr<std::optional<std::string>> MemoryKv::Get(Family family, std::string_view key) {
  absl::MutexLock lock(&mu_);
  const Map& map = maps_[static_cast<int>(family)];
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

absl::Status MemoryKv::ReplaceFamilies(
    std::span<const std::pair<Family, const SortedEntries*>> families) {
  absl::MutexLock lock(&mu_);
  if (read_only_) return absl::FailedPreconditionError("a snapshot of the store is read-only");
  for (const auto& [family, entries] : families) {
    Map& map = maps_[static_cast<int>(family)];
    map.clear();
    for (const auto& [key, value] : *entries) map.emplace_hint(map.end(), key, value);
  }
  return absl::OkStatus();
}

absl::Status MemoryKv::Scan(Family family, std::string_view prefix, std::string_view start,
                            absl::FunctionRef<bool(std::string_view, std::string_view)> visit) {
  // Copy the matching page out so the visitor runs without the lock (it may
  // read again).
  std::vector<std::pair<std::string, std::string>> entries;
  {
    absl::MutexLock lock(&mu_);
    const Map& map = maps_[static_cast<int>(family)];
    for (auto it = map.lower_bound(std::max(start, prefix)); it != map.end(); ++it) {
      if (!std::string_view(it->first).starts_with(prefix)) break;
      entries.emplace_back(it->first, it->second);
    }
  }
  for (const auto& [key, value] : entries) {
    if (!visit(key, value)) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> MemoryKv::Floor(
    Family family, std::string_view prefix, std::string_view key) {
  absl::MutexLock lock(&mu_);
  const Map& map = maps_[static_cast<int>(family)];
  auto it = map.upper_bound(key);
  if (it == map.begin()) return std::nullopt;
  --it;
  if (!std::string_view(it->first).starts_with(prefix)) return std::nullopt;
  return std::pair(it->first, it->second);
}

std::unique_ptr<KvBackend> MemoryKv::Snapshot() {
  auto snapshot = std::make_unique<MemoryKv>();
  absl::MutexLock lock(&mu_);
  absl::MutexLock theirs(&snapshot->mu_);
  snapshot->maps_ = maps_;
  snapshot->read_only_ = true;
  return snapshot;
}

absl::Status MemoryKv::Write(std::span<const Put> puts, bool /*sync*/) {
  if (read_only_) return absl::FailedPreconditionError("a snapshot of the store is read-only");
  absl::MutexLock lock(&mu_);
  for (const Put& put : puts) {
    Map& map = maps_[static_cast<int>(put.family)];
    if (put.erase) {
      map.erase(put.key);
    } else {
      map[put.key] = put.value;
    }
  }
  return absl::OkStatus();
}

uint64_t MemoryKv::ApproximateBytes() {
  absl::MutexLock lock(&mu_);
  uint64_t bytes = 0;
  for (const Map& map : maps_) {
    for (const auto& [key, value] : map) bytes += key.size() + value.size();
  }
  return bytes;
}

}  // namespace dxledger::storage
