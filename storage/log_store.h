#ifndef DXLEDGER_STORAGE_LOG_STORE_H_
#define DXLEDGER_STORAGE_LOG_STORE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "storage/event_store.h"
#include "storage/group_commit.h"
#include "storage/kv.h"
#include "storage/log_tree.h"
#include "storage/security_log.h"

// The EventStore over any KvBackend: reads go straight to the backend,
// appends through the group-commit writer. Opening reads only the head
// record; it never replays the log. Thread-safe.
namespace dxledger::storage {

class LogStore : public EventStore {
 public:
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(std::unique_ptr<KvBackend> kv, bool sync);
  ~LogStore() override;
  // Read-only: appends to it fail. It must not outlive this store.
  absl::StatusOr<std::unique_ptr<EventStore>> Snapshot() override;

  void Append(AppendRequest request, AppendCallback done) override;
  Head GetHead() override;
  void SetCommitListener(std::function<void(const CommitStats&)> listener) override {
    if (writer_ != nullptr) writer_->SetCommitListener(std::move(listener));
  }
  uint64_t ApproximateBytes() override { return kv_->ApproximateBytes(); }
  absl::Status WriteHealth() override { return kv_->WriteHealth(); }
  absl::Status ResumeWrites() override { return kv_->ResumeWrites(); }
  absl::StatusOr<uint64_t> PositionAt(int64_t unix_micros) override;
  absl::StatusOr<std::optional<StoredView>> ReadView(std::string_view stream) override;
  absl::StatusOr<std::optional<RequestRecord>> ReadRequest(std::string_view key) override;
  absl::StatusOr<std::vector<std::optional<StoredView>>> ReadViews(
      std::span<const std::string> streams) override;
  absl::StatusOr<LogRecord> ReadEvent(uint64_t position) override;
  absl::StatusOr<std::vector<LogRecord>> ReadLog(uint64_t from, size_t limit,
                                                 bool check = true) override;
  absl::StatusOr<std::vector<LogRecord>> ReadStream(std::string_view stream, uint64_t from_version,
                                                    size_t limit) override;
  absl::StatusOr<std::string> TreeRoot(uint64_t size) override;
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t position,
                                                          uint64_t size) override;
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size,
                                                            uint64_t size) override;
  absl::Status RecordCheckpoint(const StoredCheckpoint& checkpoint) override;
  absl::StatusOr<std::optional<StoredCheckpoint>> LatestCheckpoint() override;
  absl::StatusOr<std::optional<StoredCheckpoint>> CheckpointAt(uint64_t size) override;
  absl::Status Scan(Keyspace keyspace, std::string_view prefix, std::string_view start,
                    ScanVisitor visitor) override;
  absl::Status RecordSecurityEvent(int64_t unix_micros, std::string record) override;
  SecurityHead GetSecurityHead() override { return security_->head(); }
  absl::Status RecordSecuritySeal(const SecuritySeal& seal) override {
    return security_->RecordSeal(seal);
  }
  absl::StatusOr<std::optional<SecuritySeal>> LatestSecuritySeal() override {
    return ReadSecuritySeal(*kv_);
  }
  absl::StatusOr<SecurityHead> VerifySecurityLog() override { return VerifySecurityChain(*kv_); }
  absl::StatusOr<std::unique_ptr<EventStore>> Checkpoint(const std::string& directory) override;
  absl::Status ReplaceProjections(
      const std::vector<std::pair<std::string, StoredView>>& views,
      const std::vector<std::pair<std::string, std::string>>& index,
      const std::vector<std::pair<std::string, std::string>>& commit_times) override;

  // Reads the tree's stored subtrees into the proofs' cache on a thread of
  // its own (FillNodeCache), so that the first proofs after a start cost
  // what later ones do, and calls `done` there with the outcome. Returns at
  // once; the destructor stops it.
  void StartWarmingProofs(std::function<void(const absl::Status&)> done = nullptr);
  // Waits until that has ended; its outcome (OK when it was never started).
  // Not from two threads at once.
  absl::Status WaitProofsWarm();

  // Held by the proofs' cache of subtree hashes.
  size_t proof_cache_bytes() const { return tree_nodes_.bytes(); }

  WriterStats writer_stats() const { return writer_ ? writer_->stats() : WriterStats{}; }

 private:
  LogStore(std::unique_ptr<KvBackend> kv, std::unique_ptr<SecurityLog> security, Head head,
           LogTree tree, bool sync);
  // A snapshot's store: no writer, the head as the snapshot holds it.
  LogStore(std::unique_ptr<KvBackend> kv, std::unique_ptr<SecurityLog> security, Head head);
  // OUT_OF_RANGE when the log holds fewer than `size` events.
  absl::Status CheckTreeSize(uint64_t size);
  absl::StatusOr<std::vector<std::string>> ReadNodes(std::span<const merkle::Node> nodes,
                                                     uint64_t size);
  // The folds of the tree's right border at `size`: kept for the largest
  // size asked yet (the latest checkpoint's, which most proofs are at).
  absl::StatusOr<std::shared_ptr<const merkle::BorderFolds>> BorderAt(uint64_t size);

  std::unique_ptr<KvBackend> kv_;
  std::unique_ptr<SecurityLog> security_;
  NodeCache tree_nodes_;  // of the tree, as proofs read them
  std::atomic<bool> stop_warming_{false};
  std::thread warmer_;
  absl::Status warmed_;  // the warmer's outcome, set before it ends
  absl::Mutex border_mu_;
  std::shared_ptr<const merkle::BorderFolds> border_ ABSL_GUARDED_BY(border_mu_);
  const Head snapshot_head_;                   // a snapshot's
  std::unique_ptr<GroupCommitWriter> writer_;  // destroyed first: it uses kv_; null in a snapshot
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_LOG_STORE_H_
