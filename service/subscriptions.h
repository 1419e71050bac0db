#ifndef DXLEDGER_SERVICE_SUBSCRIPTIONS_H_
#define DXLEDGER_SERVICE_SUBSCRIPTIONS_H_

#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "dxledger/v1/ledger.pb.h"
#include "service/ledger/ledger.h"
#include "service/ledger/notary.h"

// Live subscriptions. One hub thread feeds every subscriber from the log by
// position, so the catch-up and the live tail are the same reads: no gap, no
// duplicate. Each subscriber has at most one message in flight. The writer
// only wakes the hub, under a lock of its own that no read is made under, so
// neither a slow subscriber nor hundreds catching up ever hold a write. A subscriber
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
  // Subscriptions one principal may hold open at once. Default: 16.
  size_t max_per_principal = 16;
};

struct SubscriptionFilter {
  std::string organization;  // empty: every organization
  std::set<std::string> event_types;
  std::set<std::string> departments;
  int fiscal_year = 0;
  // Events only as far as the latest signed checkpoint, each with its
  // inclusion proof in it, the checkpoint with them.
  bool with_proofs = false;
  // The caller is no admin: token hashes are cleared, and the proofs of
  // their events carry the leaf's hash, not its bytes.
  bool redact_secrets = true;
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

  // A reactor streaming from `next_position` on; it owns itself. Refused
  // with RESOURCE_EXHAUSTED when `principal` holds max_per_principal open.
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(SubscriptionFilter filter,
                                                             uint64_t next_position,
                                                             std::string principal);
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
  // Has the hub thread look at every subscriber again soon. Never waits for
  // a read.
  void Signal();
  // Pump, Prepare and Checkpoint run on the hub thread with the
  // subscriber's own lock held.
  void Pump(Subscriber& subscriber);
  // Reads the subscriber's next message from the log into its spare one;
  // true when there is one to send. `ahead`: one is on its way, so only a
  // message with events is kept.
  bool Prepare(Subscriber& subscriber, absl::Time now, bool ahead);
  // Whether the event `body` carries a token hash; if so, redacted_ holds
  // it without.
  bool Redact(std::string_view body);
  // The latest signed checkpoint, for a subscriber that wants proofs; false
  // (the subscriber ended) when it cannot be had.
  bool Checkpoint(Subscriber& subscriber, storage::StoredCheckpoint& checkpoint);

  ledger::Ledger& ledger_;
  ledger::Notary& notary_;
  const SubscriptionOptions options_;
  // The subscribers. Held only to join, leave or list them: the hub reads
  // for each subscriber under that subscriber's own lock, so a gRPC thread
  // finishing one subscriber's write waits for that subscriber's read at
  // most, and a writer waits for none.
  mutable absl::Mutex mu_;
  absl::flat_hash_map<Subscriber*, std::shared_ptr<Subscriber>> subscribers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> per_principal_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<size_t> count_{0};  // subscribers_.size(), for Wake()
  // Only for waking the hub: held for a few instructions, never while reading.
  absl::Mutex wake_mu_;
  absl::CondVar wake_;  // woken_ or halted_ was set
  bool woken_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool halted_ ABSL_GUARDED_BY(wake_mu_) = false;
  std::atomic<uint64_t> cut_off_{0};
  // The hub thread's own.
  bool again_ = false;  // a subscriber has more to read
  v1::Event scratch_;   // a filtered event, read by Pump
  v1::Event secret_;    // a token event being redacted
  std::string redacted_;
  std::thread thread_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_SUBSCRIPTIONS_H_
