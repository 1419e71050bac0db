#ifndef DXLEDGER_TESTS_BENCH_CATCH_UP_H_
#define DXLEDGER_TESTS_BENCH_CATCH_UP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "dxledger/v1/ledger.pb.h"

// A subscription's catch-up against its ceiling: a gRPC server stream that
// sends the same messages, already built, with as few in flight (one).
namespace dxledger::bench {

struct StreamRun {
  uint64_t events = 0;
  uint64_t messages = 0;
  double seconds = 0;
  double rate() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// Subscribes to the server at `address` from the start of its log and reads
// until `events` events have arrived; keeps the messages in `kept` when set.
StreamRun CatchUp(const std::string& address, const std::string& token, uint64_t events,
                  std::vector<v1::SubscribeResponse>* kept);

// Serves `messages` from an in-process Subscribe with one message in flight,
// and reads them with the same client as CatchUp.
StreamRun RawStream(const std::vector<v1::SubscribeResponse>& messages);

}  // namespace dxledger::bench

#endif  // DXLEDGER_TESTS_BENCH_CATCH_UP_H_
