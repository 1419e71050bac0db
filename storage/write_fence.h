#ifndef DXLEDGER_STORAGE_WRITE_FENCE_H_
#define DXLEDGER_STORAGE_WRITE_FENCE_H_

#include <atomic>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/status.h"

// Stops every write after the first that failed on the disk. A failed
// fsync leaves the page cache in a state nobody knows; retrying the sync
// and calling the data durable is the "fsyncgate" mistake, and RocksDB
// (Debian builds it with assertions) aborts the process when it is asked
// to write after a failed WAL write or sync. So after a failed write, sync,
// flush or compaction, no write reaches RocksDB again until the fence is
// lifted:
// - a full disk (ENOSPC) is lifted by Resume once space is back, after
//   RocksDB's own resume (which flushes and starts a fresh WAL);
// - any other I/O error or corruption only by reopening the store;
// - so is a full disk again after a resume and before any write succeeded:
//   RocksDB resumed twice like that aborts the process on the next write.
// Checking the fence is one atomic load. Thread-safe.
namespace dxledger::storage {

class WriteFence {
 public:
  // OK while writes may go on; else UNAVAILABLE saying what failed, when,
  // and what the operator does.
  absl::Status Check() const;
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  // Whether `status` (from a write, sync, flush or compaction) stops writes.
  static bool Stops(const rocksdb::Status& status);
  // Stops writes for `status` (if none stopped them before) and returns the
  // fence's status. `during`: what failed, "a write" or "a flush".
  absl::Status Stop(const rocksdb::Status& status, std::string_view during);
  // Whether the failure that stopped writes is a full disk (the one a
  // resume may clear).
  bool stopped_for_space() const;
  void Lift();
  // A write went through: a full disk after this may be resumed again.
  void Succeeded() {
    if (untried_.load(std::memory_order_relaxed)) untried_.store(false, std::memory_order_relaxed);
  }

 private:
  mutable absl::Mutex mu_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> untried_{false};  // lifted, and no write has succeeded since
  bool no_space_ ABSL_GUARDED_BY(mu_) = false;
  std::string reason_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_WRITE_FENCE_H_
