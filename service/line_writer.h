#ifndef DXLEDGER_SERVICE_LINE_WRITER_H_
#define DXLEDGER_SERVICE_LINE_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

// The log's output: lines are appended to a buffer under a mutex (one
// memcpy, no syscall, no wake-up) and a thread writes the buffer out every
// interval, or sooner once it passes 64 KiB. spdlog's async logger, used
// before, woke its worker for every line: under load a futex call and a
// context switch per RPC. Past `max_buffered_bytes` new lines are dropped and
// counted, so a stalled stderr never slows calls or grows memory; the next
// write reports the count. Thread-safe.
namespace dxledger::service::log {

class LineWriter {
 public:
  static constexpr size_t kFlushBytes = 64 << 10;

  // Writes to `out`, which must outlive the writer.
  LineWriter(std::FILE* out, size_t max_buffered_bytes)
      : out_(out), max_buffered_bytes_(max_buffered_bytes) {}

  // Starts the thread that drains every `interval`. The thread is detached:
  // once started, the writer must never be destroyed.
  void StartDraining(absl::Duration interval);
  // Buffers `line` and a newline, or drops it when the buffer is full.
  void Append(std::string_view line);
  // Writes out everything appended so far, in order, then flushes `out`.
  void Drain();

 private:
  std::FILE* const out_;
  const size_t max_buffered_bytes_;
  absl::Mutex mu_;
  absl::CondVar wake_;
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex write_mu_;  // one Drain at a time keeps lines in order
  std::string writing_ ABSL_GUARDED_BY(write_mu_);
};

}  // namespace dxledger::service::log

#endif  // DXLEDGER_SERVICE_LINE_WRITER_H_
