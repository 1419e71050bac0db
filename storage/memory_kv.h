#ifndef DXLEDGER_STORAGE_MEMORY_KV_H_
#define DXLEDGER_STORAGE_MEMORY_KV_H_

#include <array>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/kv.h"

// A KvBackend in memory (ordered maps), for tests. Writes are atomic under
// one lock; `sync` is ignored. Thread-safe.
namespace dxledger::storage {

class MemoryKv : public KvBackend {
 public:
  absl::StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) override;
  absl::Status Scan(Family family, std::string_view prefix, std::string_view start,
                    absl::FunctionRef<bool(std::string_view, std::string_view)> visit) override;
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Floor(
      Family family, std::string_view prefix, std::string_view key) override;
  absl::Status Write(std::span<const Put> puts, bool sync) override;
  absl::Status ReplaceFamilies(
      std::span<const std::pair<Family, const SortedEntries*>> families) override;
  uint64_t ApproximateBytes() override;
  absl::StatusOr<std::unique_ptr<KvBackend>> Checkpoint(const std::string&) override {
    return absl::UnimplementedError("the memory store keeps nothing to back up");
  }
  // A copy of every map, read-only.
  std::unique_ptr<KvBackend> Snapshot() override;

 private:
  using Map = std::map<std::string, std::string, std::less<>>;
  bool read_only_ = false;  // a snapshot
  absl::Mutex mu_;
  std::array<Map, kFamilyCount> maps_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_MEMORY_KV_H_
