#include "storage/write_fence.h"

#include "fmt/format.h"

namespace dxledger::storage {

bool WriteFence::Stops(const rocksdb::Status& status) {
  // NoSpace is an IOError subcode. Busy, TryAgain and the like leave the
  // files as they were.
  return status.IsIOError() || status.IsCorruption();
}

absl::Status WriteFence::Stop(const rocksdb::Status& status, std::string_view during) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_.load(std::memory_order_relaxed)) {
      const bool again = status.IsNoSpace() && untried_.load(std::memory_order_relaxed);
      no_space_ = status.IsNoSpace() && !again;
      reason_ = again ? fmt::format(
                            "writes are stopped: the disk filled again during {} ({}) after "
                            "writing had resumed, before any write succeeded; RocksDB cannot "
                            "be resumed safely a second time like this. Nothing since is "
                            "acknowledged: free space above the reserve (--disk-reserve-mb), "
                            "then restart dxledgerd",
                            during, status.ToString())
                : no_space_
                    ? fmt::format(
                          "writes are stopped: the disk filled during {} ({}); nothing since is "
                          "acknowledged. Writing resumes by itself once space above the reserve "
                          "(--disk-reserve-mb) is free",
                          during, status.ToString())
                    : fmt::format(
                          "writes are stopped: {} to the disk failed ({}) and was not "
                          "acknowledged, nor anything since. A failed write or sync is not "
                          "retried: check the disk (dmesg, SMART), then restart dxledgerd; on "
                          "start it checks the log against its last signed checkpoint",
                          during, status.ToString());
      stopped_.store(true, std::memory_order_release);
    }
  }
  return Check();
}

absl::Status WriteFence::Check() const {
  if (!stopped()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  return absl::UnavailableError(reason_);
}

bool WriteFence::stopped_for_space() const {
  absl::MutexLock lock(&mu_);
  return stopped_.load(std::memory_order_relaxed) && no_space_;
}

void WriteFence::Lift() {
  absl::MutexLock lock(&mu_);
  untried_.store(true, std::memory_order_relaxed);
  stopped_.store(false, std::memory_order_release);
  no_space_ = false;
  reason_.clear();
}

}  // namespace dxledger::storage
