#ifndef DXLEDGER_STORAGE_ROCKSDB_KV_H_
#define DXLEDGER_STORAGE_ROCKSDB_KV_H_

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "storage/kv.h"
#include "storage/write_fence.h"

// A KvBackend on RocksDB, one column family per Family. Thread-safe.
namespace dxledger::storage {

struct RocksDbOptions {
  // LRU block cache shared by all column families. Default: 64 MiB.
  size_t block_cache_bytes = 64 << 20;
  // Bloom filter bits per key on point-read families. Default: 10.
  int bloom_bits_per_key = 10;
  // Memtable size of one column family before it is flushed. Default: 16 MiB.
  size_t memtable_bytes = 16 << 20;
  // All memtables together; past it the largest is flushed. Default: 64 MiB.
  // With the block cache this bounds the store's memory.
  size_t total_memtable_bytes = 64 << 20;
};

// The one place rocksdb::Status becomes absl::Status.
absl::Status FromRocksDb(const rocksdb::Status& status);

class RocksDbKv : public KvBackend {
 public:
  // Creates the database and its column families when missing.
  static absl::StatusOr<std::unique_ptr<RocksDbKv>> Open(const std::string& path,
                                                         const RocksDbOptions& options);
  ~RocksDbKv() override;

  absl::StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) override;
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Family family, std::span<const std::string> keys) override;
  absl::Status Scan(Family family, std::string_view prefix, std::string_view start,
                    absl::FunctionRef<bool(std::string_view, std::string_view)> visit) override;
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Floor(
      Family family, std::string_view prefix, std::string_view key) override;
  absl::Status Write(std::span<const Put> puts, bool sync) override;
  // Writes each family's new contents, and deletions of what it held
  // besides, into a table file beside the database, and ingests the files
  // in one atomic step: no memtable, no WAL, at sequential-write speed.
  absl::Status ReplaceFamilies(
      std::span<const std::pair<Family, const SortedEntries*>> families) override;
  absl::StatusOr<std::unique_ptr<KvBackend>> Checkpoint(const std::string& directory) override;
  uint64_t ApproximateBytes() override;
  std::unique_ptr<KvBackend> Snapshot() override;
  absl::Status WriteHealth() override { return fence_->Check(); }
  absl::Status ResumeWrites() override;
  // Flushes and compacts every column family down to its last level, with
  // the store's own table options (bloom filters and all).
  absl::Status CompactAll();

 private:
  RocksDbKv(std::string path, const RocksDbOptions& options, std::shared_ptr<WriteFence> fence)
      : path_(std::move(path)), options_(options), fence_(std::move(fence)) {}
  // Writes the table file that makes `family` hold `entries`; false in
  // `written` when it would be empty (nothing held, nothing wanted).
  absl::Status WriteReplacement(Family family, const SortedEntries& entries,
                                const std::string& file, bool& written);

  const std::string path_;
  const RocksDbOptions options_;
  // Shared with the listener RocksDB reports background errors to.
  const std::shared_ptr<WriteFence> fence_;
  absl::Mutex resume_mu_;  // one resume at a time
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> families_{};  // owned by db_
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_ROCKSDB_KV_H_
