#include "service/clock_watch.h"

#include <string>

#include "service/log.h"

namespace dxledger::service {

void ClockWatch::Observe(int64_t behind_micros) {
  absl::MutexLock lock(&mu_);
  if (behind_micros > 0) ++held_batches_;
  if ((behind_micros > 0) == behind_) return;
  behind_ = behind_micros > 0;
  if (behind_) {
    log::Warning(
        "the system clock stepped back behind the log: record times stay at the log's last "
        "until the clock passes it, so they never go backwards; check NTP and the host's clock",
        {{"step_back_seconds", static_cast<double>(behind_micros) / 1e6}});
  } else {
    log::Info("the system clock passed the log's last record time again; record times follow it",
              {});
  }
}

uint64_t ClockWatch::held_batches() {
  absl::MutexLock lock(&mu_);
  return held_batches_;
}

}  // namespace dxledger::service
