#ifndef DXLEDGER_STORAGE_APPEND_PLAN_H_
#define DXLEDGER_STORAGE_APPEND_PLAN_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "storage/event_store.h"
#include "storage/kv.h"
#include "storage/log_tree.h"

// Turns an AppendRequest into the puts of one atomic write: checks stream
// versions and request keys, numbers the events, chains their hashes. Used
// by the single writer only; not thread-safe.
namespace dxledger::storage {

// The committed state seen through what earlier requests of the same batch
// are about to write. It also remembers the versions of the streams recent
// batches wrote: the writer is the only one that moves a stream's version,
// so what it wrote is what the store holds, and the version check needs no
// read for a goal changed again soon.
class PendingState {
 public:
  // At most this many remembered versions; past it they are forgotten.
  static constexpr size_t kMaxRemembered = 1 << 16;

  explicit PendingState(KvBackend& kv) : kv_(kv) {}

  // 0 when the stream has no events.
  absl::StatusOr<uint64_t> StreamVersion(const std::string& stream);
  absl::StatusOr<bool> RequestUsed(const std::string& key);

  void SetStreamVersion(std::string stream, uint64_t version) {
    versions_[std::move(stream)] = version;
  }
  void UseRequest(std::string key) { requests_.insert(std::move(key)); }
  // Ends a batch. Its versions are remembered if its writes are `stored`
  // (trivially so when it had none); if not, nothing remembered can be
  // trusted any more.
  void EndBatch(bool stored);
  size_t remembered() const { return written_.size(); }

 private:
  KvBackend& kv_;
  absl::flat_hash_map<std::string, uint64_t> versions_;  // this batch's
  absl::flat_hash_map<std::string, uint64_t> written_;   // earlier batches'
  absl::flat_hash_set<std::string> requests_;
};

struct AppendPlan {
  std::vector<Put> puts;  // everything but the head record
  AppendResult result;
  Head head_after;
};

// On success the plan has been recorded in `state` and its events added to
// `tree` (the plan writes the subtrees they complete); on error both are
// unchanged. Errors: INVALID_ARGUMENT (malformed request), ABORTED
// (version), ALREADY_EXISTS (request key), or the backend's read error.
absl::StatusOr<AppendPlan> PlanAppend(AppendRequest request, const Head& head, PendingState& state,
                                      LogTree& tree);

// The meta record for `head`.
Put HeadPut(const Head& head);
// The commit-time record: what the log held at `micros` (Unix time).
Put CommitTimePut(int64_t micros, uint64_t position);

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_APPEND_PLAN_H_
