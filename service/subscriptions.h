#ifndef DXLEDGER_SERVICE_SUBSCRIPTIONS_H_
#define DXLEDGER_SERVICE_SUBSCRIPTIONS_H_

#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "dxledger/v1/ledger.pb.h"
#include "service/ledger/ledger.h"
#include "service/ledger/notary.h"

// Live subscriptions. One hub thread feeds every subscriber from the log by
// position, so the catch-up and the live tail are the same reads: no gap, no
// duplicate. Each subscriber has at most one message in flight; the writer
// only wakes the hub, so a slow subscriber never slows a write. A subscriber
// whose write stalls while it falls too far behind is cut off with
// RESOURCE_EXHAUSTED; Stop() ends every subscription with UNAVAILABLE. Both
// name the position to resume from. Thread-safe.
namespace dxledger::service {

struct SubscriptionOptions {
  // How far behind the head a stalled subscriber may fall. Default: 10000 events.
  uint64_t max_lag = 10000;
  // How long a write may stall before a lagging subscriber is cut off. Default: 10 s.
  absl::Duration stall_timeout = absl::Seconds(10);
  // A checkpoint-only message goes out after this long without one. Default: 5 s.
  absl::Duration checkpoint_interval = absl::Seconds(5);
};

struct SubscriptionFilter {
  std::string organization;  // empty: every organization
  std::set<std::string> event_types;
  std::set<std::string> departments;
  int fiscal_year = 0;
  // Events only as far as the latest signed checkpoint, each with its
  // inclusion proof in it, the checkpoint with them.
  bool with_proofs = false;
};

// INVALID_ARGUMENT for an event type that is no Event payload.
absl::StatusOr<SubscriptionFilter> MakeFilter(const v1::SubscribeRequest& request,
                                              std::string organization);

class SubscriptionHub {
 public:
  // `notary` signs the checkpoints that proofs are given in; it must outlive
  // the hub.
  SubscriptionHub(ledger::Ledger& ledger, ledger::Notary& notary, SubscriptionOptions options);
  ~SubscriptionHub();  // Stop()

  // A reactor streaming from `next_position` on; it owns itself.
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(SubscriptionFilter filter,
                                                             uint64_t next_position);
  // The log grew (called by the writer after a commit).
  void Wake();
  // Ends every subscription with UNAVAILABLE and stops feeding them.
  void Stop();
  size_t subscribers() const;
  // Subscribers cut off for lagging, since the start.
  uint64_t cut_off() const { return cut_off_.load(std::memory_order_relaxed); }

 private:
  class Subscriber;
  void Run();
  void Pump(Subscriber& subscriber) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads the subscriber's next message from the log into its spare one;
  // true when there is one to send. `ahead`: one is on its way, so only a
  // message with events is kept.
  bool Prepare(Subscriber& subscriber, absl::Time now, bool ahead)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The latest signed checkpoint, for a subscriber that wants proofs; false
  // (the subscriber ended) when it cannot be had.
  bool Checkpoint(Subscriber& subscriber, storage::StoredCheckpoint& checkpoint)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ledger::Ledger& ledger_;
  ledger::Notary& notary_;
  const SubscriptionOptions options_;
  mutable absl::Mutex mu_;
  std::set<Subscriber*> subscribers_ ABSL_GUARDED_BY(mu_);
  absl::CondVar wake_;  // woken_ or stopping_ was set
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> cut_off_{0};
  v1::Event scratch_ ABSL_GUARDED_BY(mu_);  // a filtered event, read by Pump
  std::thread thread_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_SUBSCRIPTIONS_H_
