#include "service/disk_watch.h"

#include <sys/statvfs.h>

#include <chrono>

#include "fmt/format.h"

namespace dxledger::service {
namespace {

constexpr int64_t kSampleNanos = 250'000'000;

double Mib(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

}  // namespace

uint64_t DiskWatch::free_bytes() {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t sampled = sampled_at_.load(std::memory_order_relaxed);
  if ((sampled == 0 || now - sampled >= kSampleNanos) &&
      sampled_at_.compare_exchange_strong(sampled, now, std::memory_order_relaxed)) {
    struct statvfs stats;
    if (::statvfs(directory_.c_str(), &stats) == 0) {
      free_.store(static_cast<uint64_t>(stats.f_bavail) * stats.f_frsize,
                  std::memory_order_relaxed);
    }
  }
  return free_.load(std::memory_order_relaxed);
}

absl::Status DiskWatch::CheckReserve() {
  if (reserve_ == 0) return absl::OkStatus();
  const uint64_t free = free_bytes();
  if (free >= reserve_) return absl::OkStatus();
  return absl::ResourceExhaustedError(fmt::format(
      "the disk holding {} is full: {:.1f} MiB free, below the reserve of {:.1f} MiB "
      "(--disk-reserve-mb); writes are refused until space is freed, reads, verify and backups "
      "to another disk go on",
      directory_, Mib(free), Mib(reserve_)));
}

}  // namespace dxledger::service
