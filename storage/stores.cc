#include "storage/stores.h"

#include "storage/memory_kv.h"

namespace dxledger::storage {

std::unique_ptr<LogStore> NewMemoryEventStore() {
  absl::StatusOr<std::unique_ptr<LogStore>> store =
      LogStore::Open(std::make_unique<MemoryKv>(), /*sync=*/false);
  // An empty map has no head record, so opening cannot fail.
  return *std::move(store);
}

absl::StatusOr<std::unique_ptr<LogStore>> OpenRocksDbEventStore(const std::string& path, bool sync,
                                                                const RocksDbOptions& options) {
  absl::StatusOr<std::unique_ptr<RocksDbKv>> kv = RocksDbKv::Open(path, options);
  if (!kv.ok()) return kv.status();
  return LogStore::Open(*std::move(kv), sync);
}

}  // namespace dxledger::storage
