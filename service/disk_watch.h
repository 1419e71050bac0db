#ifndef DXLEDGER_SERVICE_DISK_WATCH_H_
#define DXLEDGER_SERVICE_DISK_WATCH_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"

// The free space on the data directory's filesystem, against a reserve.
// Below the reserve, writes are refused up front (RESOURCE_EXHAUSTED) and
// the server is not ready, before RocksDB itself runs out of space: reads,
// verify and backups to another disk go on, and a write never fails half
// way. The space is sampled at most every 250 ms (one statvfs), so a write
// pays a clock read. Thread-safe.
namespace dxledger::service {

class DiskWatch {
 public:
  DiskWatch(std::string directory, uint64_t reserve_bytes)
      : directory_(std::move(directory)), reserve_(reserve_bytes) {}

  // OK, or RESOURCE_EXHAUSTED saying the disk is full and how much is free.
  absl::Status CheckReserve();
  uint64_t free_bytes();
  uint64_t reserve_bytes() const { return reserve_; }

 private:
  const std::string directory_;
  const uint64_t reserve_;
  std::atomic<uint64_t> free_{UINT64_MAX};
  std::atomic<int64_t> sampled_at_{0};  // steady clock, ns; 0: never
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_DISK_WATCH_H_
