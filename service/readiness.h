#ifndef DXLEDGER_SERVICE_READINESS_H_
#define DXLEDGER_SERVICE_READINESS_H_

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "service/disk_watch.h"
#include "service/health.h"
#include "service/ledger/notary.h"
#include "storage/event_store.h"

// Whether dxledgerd can take writes, and why not, for /readyz and gRPC
// health: the store stopped after a failed write or sync, the disk below its
// reserve, or checkpoints not being signed. A thread looks again every
// 250 ms: it tells health Watch streams of a change, logs it (error when
// writes stop, info when they can succeed again), and resumes the store
// after a full disk once space above the reserve is back. Thread-safe.
namespace dxledger::service {

class Readiness {
 public:
  // All must outlive the Readiness.
  Readiness(DiskWatch& disk, storage::EventStore& store, ledger::Notary& notary,
            HealthService& health)
      : disk_(disk), store_(store), notary_(notary), health_(health) {}
  ~Readiness() { Stop(); }
  void Start();
  void Stop();

  // OK when writes can succeed; else what stops them (UNAVAILABLE or
  // RESOURCE_EXHAUSTED), with what the operator does.
  absl::Status Check();

 private:
  void Run();
  void Look();

  DiskWatch& disk_;
  storage::EventStore& store_;
  ledger::Notary& notary_;
  HealthService& health_;

  std::string reported_;         // the last state logged ("" when ready); Run thread only
  int64_t resume_tried_at_ = 0;  // steady clock, ns; Run thread only
  std::string resume_failure_;   // the last failed resume's error; Run thread only
  absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_READINESS_H_
