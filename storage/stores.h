#ifndef DXLEDGER_STORAGE_STORES_H_
#define DXLEDGER_STORAGE_STORES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/log_store.h"
#include "storage/rocksdb_kv.h"

// Factories for the two EventStore implementations.
namespace dxledger::storage {

// The in-memory store, for tests. Never fails.
std::unique_ptr<LogStore> NewMemoryEventStore();

// The RocksDB store under `path` (created when missing). With `sync` false a
// write is acknowledged before its WAL reaches the disk: a crash may lose the
// last acknowledged appends (never part of one).
absl::StatusOr<std::unique_ptr<LogStore>> OpenRocksDbEventStore(const std::string& path, bool sync,
                                                                const RocksDbOptions& options = {});

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_STORES_H_
