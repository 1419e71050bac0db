#ifndef DXLEDGER_SERVICE_CLOCK_WATCH_H_
#define DXLEDGER_SERVICE_CLOCK_WATCH_H_

#include <cstdint>

#include "absl/synchronization/mutex.h"

// Says when the system clock stepped back behind the log (NTP, a VM
// migration, a hand-set clock): record times then stay at the log's last
// until the clock passes it, which the writer does by itself; this logs a
// warning with the size of the step when it starts, and an info line when
// the clock has caught up. Fed from the commit listener. Thread-safe.
namespace dxledger::service {

class ClockWatch {
 public:
  // `behind_micros`: CommitStats::clock_behind_micros of a batch.
  void Observe(int64_t behind_micros);
  // The batches planned while the clock was behind, since start.
  uint64_t held_batches();

 private:
  absl::Mutex mu_;
  bool behind_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t held_batches_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_CLOCK_WATCH_H_
