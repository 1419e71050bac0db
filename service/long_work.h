#ifndef DXLEDGER_SERVICE_LONG_WORK_H_
#define DXLEDGER_SERVICE_LONG_WORK_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

// Calls that take minutes (a backup, a full verify) run here, not on gRPC's
// callback threads, and not on threads nobody waits for: the server owns
// these threads and drains them when it stops, so each such call is told
// its true outcome. Thread-safe.
namespace dxledger::service {

class LongWork {
 public:
  // A task is called with true to run it, or with false when the server
  // stops before it started (it must then answer without doing the work).
  using Task = std::function<void(bool run)>;

  explicit LongWork(int threads);
  ~LongWork();  // Drain()

  // Queues `task`; once draining, calls it at once with false.
  void Submit(Task task);
  // Takes no more work, cancels what has not started, waits for what has.
  void Drain();

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  absl::CondVar wake_;  // work was queued, or draining_ set
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_LONG_WORK_H_
