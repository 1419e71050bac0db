#ifndef DXLEDGER_STORAGE_GROUP_COMMIT_H_
#define DXLEDGER_STORAGE_GROUP_COMMIT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/append_plan.h"
#include "storage/event_store.h"
#include "storage/kv.h"

// The single writer. Appends queue up while a write is in flight; the writer
// then plans every queued append in order and commits them all in one
// backend write with one sync (group commit). Callbacks run on the writer
// thread after the write, so they must be quick and must not append and wait.
// Thread-safe.
namespace dxledger::storage {

struct WriterStats {
  uint64_t batches = 0;  // backend writes
  uint64_t appends = 0;  // appends committed
};

class GroupCommitWriter {
 public:
  GroupCommitWriter(KvBackend& kv, Head head, bool sync);
  ~GroupCommitWriter();  // commits what is queued, then stops

  void Submit(AppendRequest request, EventStore::AppendCallback done);
  Head head() const;
  // See EventStore::SetCommitListener.
  void SetCommitListener(std::function<void(const CommitStats&)> listener) {
    absl::MutexLock lock(&mu_);
    listener_ = std::move(listener);
  }
  WriterStats stats() const;

 private:
  struct Pending {
    AppendRequest request;
    EventStore::AppendCallback done;
  };
  void Run();
  void CommitBatch(std::vector<Pending>& batch);

  KvBackend& kv_;
  const bool sync_;
  PendingState state_;  // writer thread only

  mutable absl::Mutex mu_;
  absl::CondVar work_;  // the queue got its first append, or stopping_
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Head head_ ABSL_GUARDED_BY(mu_);
  std::function<void(const CommitStats&)> listener_ ABSL_GUARDED_BY(mu_);
  int64_t last_commit_micros_ = 0;  // writer thread only; commit times only increase
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> appends_{0};
  std::thread thread_;
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_GROUP_COMMIT_H_
