#ifndef DXLEDGER_STORAGE_LOG_TREE_H_
#define DXLEDGER_STORAGE_LOG_TREE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/merkle.h"
#include "storage/kv.h"

// The Merkle tree over the log as the store keeps it: one record a complete
// subtree of 16 leaves or more (Family::kTree), written in the same batch
// as the events it covers; a 16-leaf subtree's record also holds its 16 leaf
// hashes. Smaller subtrees are hashed from those, or, in the last run of
// fewer than 16 events, from the log itself (one short scan). A proof thus
// reads O(log n) records and never walks the log, and an append writes a
// tree record for one event in eight.
//
// Leaf i is the event at position i + 1; its bytes are BE64(position)
// followed by the event's stored body, so whoever reads an event can
// recompute its leaf.
namespace dxledger::storage {

// Subtrees below this level (2^4 = 16 leaves) are not stored on their own.
inline constexpr uint8_t kLowestStoredLevel = 4;
inline constexpr uint64_t kRunLeaves = uint64_t{1} << kLowestStoredLevel;

// The tree as the writer grows it: its right border, and the leaf hashes of
// the run of 16 not complete yet (concatenated), which go into that run's
// record once it is.
struct LogTree {
  merkle::Frontier frontier;
  std::string run_leaves;
  uint64_t size() const { return frontier.size(); }
};

std::string LeafBytes(uint64_t position, std::string_view body);
// merkle::LeafHash(LeafBytes(position, body)), without building the leaf.
std::string LeafHashOf(uint64_t position, std::string_view body);

// Adds the event at `position` to `tree` and the subtrees it completes to
// `puts`.
void GrowTree(LogTree& tree, uint64_t position, std::string_view body, std::vector<Put>& puts);

// The tree records a log should have, built from its events in order: for
// verify, to compare with the stored ones.
class ExpectedTree {
 public:
  void Add(uint64_t position, std::string_view body) { GrowTree(tree_, position, body, records_); }
  // The records (keys as keys::TreeKey), sorted as the store keeps them.
  std::vector<std::pair<std::string, std::string>> TakeSorted();

 private:
  LogTree tree_;
  std::vector<Put> records_;
};

// The hashes of complete subtrees of 16 leaves and more, as proofs read
// them. Such a hash never changes once the subtree is complete, and these
// lie on the path of every proof: with them in memory, a proof reads one
// record (the leaf's run of 16) however long the log grows. A level is a
// dense array by index (32 bytes a subtree, about 4 MiB a million events),
// so a lookup is an index, not a search; past `max_bytes` no more are kept
// and proofs read the rest from the store. Thread-safe: a proof locks it
// once to find, and once more to keep what it had to read.
class NodeCache {
 public:
  static constexpr size_t kDefaultMaxBytes = size_t{64} << 20;  // ~16M events
  explicit NodeCache(size_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}

  // Fills found[i] with the hash of nodes[i] where it is kept.
  void FindAll(std::span<const merkle::Node> nodes,
               std::vector<std::optional<std::string>>& found) const;
  // Keeps each node's hash (32 bytes; nodes below level 4 are not kept).
  void AddAll(std::span<const std::pair<merkle::Node, std::string>> nodes);
  // The leaf hashes of the first `count` leaves of run `run` (its 16 leaves
  // from run * 16), concatenated, if kept; else empty. One run is kept: the
  // last, which has no record while it has fewer than 16 leaves, so that
  // proofs at a tree size not a multiple of 16 do not each rescan the log.
  std::string FindRun(uint64_t run, uint64_t count) const;
  void KeepRun(uint64_t run, std::string_view leaves);
  // Makes room for `count` subtrees at `level` (from index 0), unless that
  // would pass the bound; false then.
  bool ReserveLevel(uint8_t level, uint64_t count);
  size_t bytes() const;

 private:
  struct Level {
    std::vector<std::array<char, merkle::kHashBytes>> hashes;
    std::vector<bool> present;
  };
  // Makes `level` hold `size` subtrees (more than now) unless that would
  // pass the bound; false then.
  bool Grow(Level& level, size_t size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  std::array<Level, 64> levels_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t run_ ABSL_GUARDED_BY(mu_) = 0;
  std::string run_leaves_ ABSL_GUARDED_BY(mu_);
};

// The hashes of `nodes` of the tree of `size` leaves, in order: stored ones
// read at once (those in `cache` not read at all), smaller ones hashed from
// their run's record or, in the last run when `size` is not a multiple of
// 16, from the log. DATA_LOSS when one is missing or malformed: the tree and
// the log no longer agree.
absl::StatusOr<std::vector<std::string>> ReadTreeNodes(KvBackend& kv,
                                                       std::span<const merkle::Node> nodes,
                                                       uint64_t size, NodeCache* cache = nullptr);

// Reads the hashes of every stored subtree of the tree of `size` leaves
// into `cache`: the highest level first, each level whole or not at all (one
// that would pass the cache's bound is left, with those below it, which are
// larger), then the leaf hashes of the last run when it has fewer than 16
// (from the log). Stops early, OK, once `stop` is set. DATA_LOSS at a
// malformed record. For a store just opened: its first proofs then read one
// record each, as they do once warm.
absl::Status FillNodeCache(KvBackend& kv, uint64_t size, NodeCache& cache,
                           const std::atomic<bool>& stop);

// The tree's right border for a log of `size` events, from the stored
// nodes. A store written before the tree existed gets it first, built from
// the log in one scan (written in chunks; an interrupted build starts over).
absl::StatusOr<LogTree> OpenTree(KvBackend& kv, uint64_t size);

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_LOG_TREE_H_
