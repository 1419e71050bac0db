#ifndef DXLEDGER_TESTS_BENCH_LOAD_H_
#define DXLEDGER_TESTS_BENCH_LOAD_H_

#include <grpcpp/support/status.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

// A closed-loop load generator on gRPC's callback API: `in_flight` calls
// are outstanding at all times; each completion starts the next call, until
// the duration is over or `max_calls` have started.
namespace dxledger::bench {

struct LoadResult {
  uint64_t calls = 0;
  uint64_t errors = 0;
  double seconds = 0;
  std::string first_error;
  std::vector<double> latency_us;  // sorted

  double rate() const { return seconds > 0 ? static_cast<double>(calls) / seconds : 0; }
  double percentile_us(double q) const;
};

// Starts call number `n` on slot `slot` and calls `done` when it ends. The
// function must keep what the call needs alive until then.
using StartCall =
    std::function<void(int slot, uint64_t n, std::function<void(const grpc::Status&)> done)>;

LoadResult RunLoad(int in_flight, absl::Duration duration, uint64_t max_calls,
                   const StartCall& start);

}  // namespace dxledger::bench

#endif  // DXLEDGER_TESTS_BENCH_LOAD_H_
