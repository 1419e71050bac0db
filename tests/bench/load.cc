#include "tests/bench/load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>

#include "absl/synchronization/mutex.h"

namespace dxledger::bench {

double LoadResult::percentile_us(double q) const {
  if (latency_us.empty()) return 0;
  const size_t index =
      std::min(latency_us.size() - 1, static_cast<size_t>(std::ceil(q * latency_us.size())) - 1);
  return latency_us[index];
}

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  const StartCall& start;
  Clock::time_point end;
  uint64_t max_calls;
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> errors{0};
  std::vector<std::vector<double>> latencies;  // one per slot: no sharing
  absl::Mutex mu;
  absl::CondVar done;
  int slots_running = 0;
  std::string first_error;

  void Next(int slot) {
    const uint64_t n = next.fetch_add(1, std::memory_order_relaxed);
    if (n >= max_calls || Clock::now() >= end) {
      absl::MutexLock lock(&mu);
      if (--slots_running == 0) done.Signal();
      return;
    }
    const Clock::time_point started = Clock::now();
    start(slot, n, [this, slot, started](const grpc::Status& status) {
      latencies[slot].push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - started).count());
      if (!status.ok() && errors.fetch_add(1) == 0) {
        absl::MutexLock lock(&mu);
        first_error = status.error_message();
      }
      Next(slot);
    });
  }
};

}  // namespace

LoadResult RunLoad(int in_flight, absl::Duration duration, uint64_t max_calls,
                   const StartCall& start) {
  Run run{.start = start,
          .end = Clock::now() + absl::ToChronoNanoseconds(duration),
          .max_calls = max_calls,
          .latencies = {},
          .mu = {},
          .done = {},
          .slots_running = 0,
          .first_error = {}};
  run.latencies.resize(in_flight);
  for (auto& slot : run.latencies) slot.reserve(1 << 16);
  run.slots_running = in_flight;
  const Clock::time_point began = Clock::now();
  for (int slot = 0; slot < in_flight; ++slot) run.Next(slot);
  {
    absl::MutexLock lock(&run.mu);
    while (run.slots_running > 0) run.done.Wait(&run.mu);
  }
  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  for (auto& slot : run.latencies) {
    result.latency_us.insert(result.latency_us.end(), slot.begin(), slot.end());
  }
  std::sort(result.latency_us.begin(), result.latency_us.end());
  result.calls = result.latency_us.size();
  result.errors = run.errors.load();
  result.first_error = run.first_error;
  return result;
}

}  // namespace dxledger::bench
