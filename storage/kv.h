#ifndef DXLEDGER_STORAGE_KV_H_
#define DXLEDGER_STORAGE_KV_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

// The byte layer under the log: named key families, point reads, ordered
// prefix scans and atomic multi-family writes. RocksDB (one column family a
// family) in production, a map in tests.
namespace dxledger::storage {

enum class Family : int { kLog = 0, kStreams, kViews, kRequests, kIndex, kMeta, kSecurity, kTree };
inline constexpr int kFamilyCount = 8;

struct Put {
  Family family;
  std::string key;
  std::string value;
  bool erase = false;  // delete `key` instead of writing `value`
};

// Thread-safe.
class KvBackend {
 public:
  virtual ~KvBackend() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) = 0;
  // Several point reads at once, one result per key in order. The default
  // reads them one by one; RocksDB batches them.
  virtual absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Family family, std::span<const std::string> keys);
  // Visits keys that start with `prefix` and are >= `start`, in order, until
  // `visit` returns false.
  virtual absl::Status Scan(Family family, std::string_view prefix, std::string_view start,
                            absl::FunctionRef<bool(std::string_view, std::string_view)> visit) = 0;
  // The last entry with `prefix` whose key is <= `key`; nullopt when none.
  virtual absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Floor(
      Family family, std::string_view prefix, std::string_view key) = 0;
  // A consistent copy of everything into `directory` (not existing yet),
  // opened with this backend's options.
  virtual absl::StatusOr<std::unique_ptr<KvBackend>> Checkpoint(const std::string& directory) = 0;
  // Approximate bytes held on disk and in memory.
  virtual uint64_t ApproximateBytes() = 0;
  // All puts or none; durable before returning when `sync`.
  virtual absl::Status Write(std::span<const Put> puts, bool sync) = 0;
  // Makes each family hold exactly its entries (sorted by key, no key
  // twice), all families at once or none: a bulk load for a rebuild. Only
  // while nothing else writes. Durable before returning.
  using SortedEntries = std::vector<std::pair<std::string, std::string>>;
  virtual absl::Status ReplaceFamilies(
      std::span<const std::pair<Family, const SortedEntries*>> families) = 0;
  // The store as it is now, for reads that must agree with each other while
  // others write: every family at one point in time. Writing to it fails.
  // It must not outlive this backend.
  virtual std::unique_ptr<KvBackend> Snapshot() = 0;
  // OK while writes can reach the disk; UNAVAILABLE, saying why, once one
  // failed there (storage/write_fence.h): every write is refused until
  // ResumeWrites or a reopen.
  virtual absl::Status WriteHealth() { return absl::OkStatus(); }
  // Takes writes again after a full disk, once space is back. OK when
  // writes go on; FAILED_PRECONDITION for a failure only a reopen clears;
  // UNAVAILABLE when resuming failed (the disk is still full).
  virtual absl::Status ResumeWrites() { return absl::OkStatus(); }
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_KV_H_
