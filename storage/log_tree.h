#ifndef DXLEDGER_STORAGE_LOG_TREE_H_
#define DXLEDGER_STORAGE_LOG_TREE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/merkle.h"
#include "storage/kv.h"

// The Merkle tree over the log as the store keeps it: one record a complete
// subtree (Family::kTree), written in the same batch as the events it
// covers, so a proof reads O(log n) records and never the log.
//
// Leaf i is the event at position i + 1; its bytes are BE64(position)
// followed by the event's stored body, so whoever reads an event can
// recompute its leaf.
namespace dxledger::storage {

std::string LeafBytes(uint64_t position, std::string_view body);
// merkle::LeafHash(LeafBytes(position, body)), without building the leaf.
std::string LeafHashOf(uint64_t position, std::string_view body);

// Adds the event at `position` to `tree` and the subtrees it completes to
// `puts`.
void GrowTree(merkle::Frontier& tree, uint64_t position, std::string_view body,
              std::vector<Put>& puts);

// The stored hashes of `nodes`, in order. DATA_LOSS when one is missing or
// malformed: the tree and the log no longer agree.
absl::StatusOr<std::vector<std::string>> ReadTreeNodes(KvBackend& kv,
                                                       std::span<const merkle::Node> nodes);

// The tree's right border for a log of `size` events, from the stored
// nodes. A store written before the tree existed gets it first, built from
// the log in one scan (written in chunks; an interrupted build starts over).
absl::StatusOr<merkle::Frontier> OpenTree(KvBackend& kv, uint64_t size);

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_LOG_TREE_H_
