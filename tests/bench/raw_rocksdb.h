#ifndef DXLEDGER_TESTS_BENCH_RAW_ROCKSDB_H_
#define DXLEDGER_TESTS_BENCH_RAW_ROCKSDB_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

// The ceilings the ledger is measured against: RocksDB alone, no gRPC, no
// domain, on the same disk.
namespace dxledger::bench {

// One thread writing WriteBatches of `batch` puts of `value_bytes` each with
// sync=true into a fresh database under `dir`, for `duration`. Events per
// second.
double RawSyncBatches(const std::string& dir, int batch, size_t value_bytes,
                      absl::Duration duration);

// Reads every entry of the "log" column family of the ledger database at
// `db_path` in key order; entries per second (`entries` gets the count).
// With `hash`, also computes each event's SHA-256 over the bytes its chain
// hash covers (the previous hash, the position, the body), as a verifier must.
double RawLogScan(const std::string& db_path, uint64_t* entries, bool hash = false);

// Compacts every column family of the (closed) database at `db_path`, as a
// store that has run for a while is: no measurement then competes with the
// compactions a bulk load leaves behind.
void Settle(const std::string& db_path);

}  // namespace dxledger::bench

#endif  // DXLEDGER_TESTS_BENCH_RAW_ROCKSDB_H_
