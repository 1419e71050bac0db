// How RocksDB's errors reach callers: a client reads NOT_FOUND as "unknown
// goal" and INVALID_ARGUMENT as "bad input", so neither may come from the
// backend's own failures.
#include <gtest/gtest.h>

#include "storage/rocksdb_kv.h"

namespace dxledger::storage {
namespace {

TEST(FromRocksDbTest, BackendFailuresAreTheServersNotTheCallers) {
  const std::pair<rocksdb::Status, absl::StatusCode> cases[] = {
      {rocksdb::Status::OK(), absl::StatusCode::kOk},
      {rocksdb::Status::NotFound("a table file is missing"), absl::StatusCode::kInternal},
      {rocksdb::Status::InvalidArgument("an option was refused"), absl::StatusCode::kInternal},
      {rocksdb::Status::IOError("disk"), absl::StatusCode::kInternal},
      {rocksdb::Status::Corruption("block checksum mismatch"), absl::StatusCode::kDataLoss},
      {rocksdb::Status::Busy(), absl::StatusCode::kUnavailable},
      {rocksdb::Status::TryAgain(), absl::StatusCode::kUnavailable},
      {rocksdb::Status::ShutdownInProgress(), absl::StatusCode::kUnavailable},
  };
  for (const auto& [status, code] : cases) {
    EXPECT_EQ(FromRocksDb(status).code(), code) << status.ToString();
  }
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NotFound("a table file is missing")).message(),
            "storage: NotFound: a table file is missing");
}

}  // namespace
}  // namespace dxledger::storage
