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
// backend write with one sync (group commit). When writes are synced, a
// second thread runs the callbacks, in submission order, while the writer
// goes on to the next batch: replying to one batch overlaps the sync of the
// next. Unsynced, the writer runs them itself, in the same order. Callbacks
// must be quick and must not append and wait. Thread-safe.
namespace dxledger::storage {

struct WriterStats {
  uint64_t batches = 0;  // backend writes
  uint64_t appends = 0;  // appends committed
};

class GroupCommitWriter {
 public:
  // `tree` is the Merkle tree's border for the log up to `head`.
  GroupCommitWriter(KvBackend& kv, Head head, LogTree tree, bool sync);
  ~GroupCommitWriter() { Close(); }
  // Commits and answers what is queued (and what the answers submit), then
  // stops both threads. Call from one thread; appends submitted afterwards
  // are never answered.
  void Close();

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
  struct Answer {
    EventStore::AppendCallback done;
    absl::StatusOr<AppendResult> result;
  };
  void Run();
  void CommitBatch(std::vector<Pending>& batch);
  void RunAnswers();

  KvBackend& kv_;
  const bool sync_;
  PendingState state_;  // writer thread only
  // The Merkle tree as planned (writer thread only). After a failed write it
  // is read back from the store before the next plan.
  LogTree tree_;
  bool tree_stale_ = false;

  mutable absl::Mutex mu_;
  absl::CondVar work_;  // the queue got its first append, or stopping_, or all answered
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Submitted and not yet answered. A stopping writer waits for zero: an
  // answer may submit again (a retry).
  uint64_t unanswered_ ABSL_GUARDED_BY(mu_) = 0;
  Head head_ ABSL_GUARDED_BY(mu_);
  std::function<void(const CommitStats&)> listener_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> appends_{0};
  std::thread thread_;

  absl::Mutex answers_mu_;
  absl::CondVar answers_ready_;  // answers_ got its first entry, or answers_stopping_
  std::vector<Answer> answers_ ABSL_GUARDED_BY(answers_mu_);
  bool answers_stopping_ ABSL_GUARDED_BY(answers_mu_) = false;
  std::thread answer_thread_;
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_GROUP_COMMIT_H_
