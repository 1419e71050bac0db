#ifndef DXLEDGER_STORAGE_LOG_TREE_H_
#define DXLEDGER_STORAGE_LOG_TREE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

// Subtrees of this level (128 leaves) and up are kept in memory once read.
inline constexpr uint8_t kCachedLevel = 7;

// The hashes of complete subtrees of 128 leaves and more, as they are read:
// such a hash never changes once the subtree is complete, and these few
// (about one for every 64 events: 40 bytes each, 640 KiB a million events)
// lie on the path of every proof. With them in memory, a proof reads the
// same number of records however long the log grows. Thread-safe.
class UpperNodeCache {
 public:
  std::optional<std::string> Find(const merkle::Node& node) const;
  void Add(const merkle::Node& node, std::string_view hash);

 private:
  static uint64_t KeyOf(const merkle::Node& node) {
    return (uint64_t{node.level} << 58) | node.index;
  }
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, std::array<char, merkle::kHashBytes>> hashes_ ABSL_GUARDED_BY(mu_);
};

// The hashes of `nodes`, in order: stored ones read at once (those in
// `cache` not read at all), smaller ones hashed from the log. DATA_LOSS when
// one is missing or malformed: the tree and the log no longer agree.
absl::StatusOr<std::vector<std::string>> ReadTreeNodes(KvBackend& kv,
                                                       std::span<const merkle::Node> nodes,
                                                       UpperNodeCache* cache = nullptr);

// The tree's right border for a log of `size` events, from the stored
// nodes. A store written before the tree existed gets it first, built from
// the log in one scan (written in chunks; an interrupted build starts over).
absl::StatusOr<LogTree> OpenTree(KvBackend& kv, uint64_t size);

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_LOG_TREE_H_
