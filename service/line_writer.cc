#include "service/line_writer.h"

#include <thread>
#include <utility>

#include "base/thread_name.h"
#include "service/log.h"

namespace dxledger::service::log {

void LineWriter::StartDraining(absl::Duration interval) {
  std::thread([this, interval] {
    base::NameThisThread("dxl-log");
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        if (buffer_.size() < kFlushBytes) wake_.WaitWithTimeout(&mu_, interval);
      }
      Drain();
    }
  }).detach();
}

void LineWriter::Append(std::string_view line) {
  absl::MutexLock lock(&mu_);
  if (buffer_.size() + line.size() + 1 > max_buffered_bytes_) {
    ++dropped_;
    return;
  }
  buffer_.append(line);
  buffer_ += '\n';
  // The drainer waits only while the buffer is below kFlushBytes: wake it
  // once, as the buffer crosses.
  if (buffer_.size() >= kFlushBytes && buffer_.size() - line.size() - 1 < kFlushBytes) {
    wake_.Signal();
  }
}

void LineWriter::Drain() {
  absl::MutexLock write_lock(&write_mu_);
  uint64_t dropped;
  {
    absl::MutexLock lock(&mu_);
    writing_.swap(buffer_);
    dropped = std::exchange(dropped_, 0);
  }
  if (dropped > 0) {
    const Field count("lines", dropped);
    writing_ += Format(Level::kWarning, "log lines dropped: the output did not keep up", &count, 1);
    writing_ += '\n';
  }
  if (writing_.empty()) return;
  std::fwrite(writing_.data(), 1, writing_.size(), out_);
  std::fflush(out_);
  writing_.clear();
}

}  // namespace dxledger::service::log
