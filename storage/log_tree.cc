#include "storage/log_tree.h"

#include "base/sha256.h"
#include "fmt/format.h"
#include "storage/event_store.h"
#include "storage/keys.h"

namespace dxledger::storage {
namespace {

std::string NodeKey(const merkle::Node& node) { return keys::TreeKey(node.level, node.index); }

// Builds the whole tree from the log: for stores that predate it.
absl::StatusOr<merkle::Frontier> BuildTree(KvBackend& kv, uint64_t size) {
  constexpr size_t kChunk = 1 << 16;
  merkle::Frontier tree;
  std::vector<Put> puts;
  absl::Status error;
  absl::Status scanned = kv.Scan(
      Family::kLog, "", keys::BigEndian64(1), [&](std::string_view key, std::string_view value) {
        uint64_t position = 0;
        if (key.size() != 8 || !keys::ReadBigEndian64(key, position) ||
            position != tree.size() + 1 || value.size() < 2 * kHashBytes) {
          error = absl::DataLossError(
              fmt::format("the log cannot be read in order at position {} to build its Merkle tree",
                          tree.size() + 1));
          return false;
        }
        GrowTree(tree, position, value.substr(2 * kHashBytes), puts);
        if (puts.size() >= kChunk) {
          error = kv.Write(puts, /*sync=*/false);
          puts.clear();
        }
        return error.ok() && tree.size() < size;
      });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  if (tree.size() != size) {
    return absl::DataLossError(
        fmt::format("the log holds {} events where its head says {}: cannot build its Merkle tree",
                    tree.size(), size));
  }
  if (absl::Status written = kv.Write(puts, /*sync=*/true); !written.ok()) return written;
  return tree;
}

}  // namespace

std::string LeafBytes(uint64_t position, std::string_view body) {
  std::string leaf = keys::BigEndian64(position);
  leaf.append(body);
  return leaf;
}

std::string LeafHashOf(uint64_t position, std::string_view body) {
  char prefix[9] = {0};  // the leaf tag 0x00, then the position
  keys::PutBigEndian64(position, prefix + 1);
  return base::Sha256({std::string_view(prefix, 9), body});
}

void GrowTree(merkle::Frontier& tree, uint64_t position, std::string_view body,
              std::vector<Put>& puts) {
  thread_local std::vector<merkle::Frontier::Completed> completed;
  completed.clear();
  tree.Append(LeafHashOf(position, body), completed);
  for (merkle::Frontier::Completed& node : completed) {
    if (node.node.level < kLowestStoredLevel) continue;
    puts.push_back({Family::kTree, NodeKey(node.node), std::move(node.hash)});
  }
}

namespace {

constexpr uint64_t kRun = uint64_t{1} << kLowestStoredLevel;  // leaves a stored subtree covers

// The leaf hashes of the run of 16 leaves `run`, as far as the log holds them.
absl::StatusOr<std::vector<std::string>> ReadRun(KvBackend& kv, uint64_t run) {
  std::vector<std::string> leaves;
  const uint64_t first = run * kRun + 1;
  absl::Status scanned =
      kv.Scan(Family::kLog, "", keys::BigEndian64(first),
              [&](std::string_view key, std::string_view value) {
                uint64_t position = 0;
                if (key.size() != 8 || !keys::ReadBigEndian64(key, position) ||
                    position != first + leaves.size() || value.size() < 2 * kHashBytes) {
                  return false;
                }
                leaves.push_back(LeafHashOf(position, value.substr(2 * kHashBytes)));
                return leaves.size() < kRun;
              });
  if (!scanned.ok()) return scanned;
  return leaves;
}

// The hashes of the complete subtrees `low` (all below kLowestStoredLevel),
// from the log: each run of 16 leaves they fall in is read in one scan.
absl::StatusOr<std::vector<std::string>> HashFromLog(KvBackend& kv,
                                                     std::span<const merkle::Node> low) {
  uint64_t run = UINT64_MAX;
  std::vector<std::string> leaves;  // of `run`
  std::vector<std::string> hashes;
  for (const merkle::Node& node : low) {
    const uint64_t begin = node.index << node.level, end = (node.index + 1) << node.level;
    if (begin / kRun != run) {
      run = begin / kRun;
      absl::StatusOr<std::vector<std::string>> read = ReadRun(kv, run);
      if (!read.ok()) return read.status();
      leaves = *std::move(read);
    }
    if (end - run * kRun > leaves.size()) {
      return absl::DataLossError(
          fmt::format("the log lacks the event at position {} that the Merkle tree covers: the "
                      "tree no longer matches the log",
                      run * kRun + leaves.size() + 1));
    }
    merkle::Frontier subtree;
    std::vector<merkle::Frontier::Completed> ignored;
    for (uint64_t leaf = begin; leaf < end; ++leaf) {
      subtree.Append(leaves[leaf - run * kRun], ignored);
    }
    hashes.push_back(subtree.Root());
  }
  return hashes;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ReadTreeNodes(KvBackend& kv,
                                                       std::span<const merkle::Node> nodes) {
  std::vector<std::string> node_keys;
  std::vector<merkle::Node> low;
  for (const merkle::Node& node : nodes) {
    if (node.level >= kLowestStoredLevel) {
      node_keys.push_back(NodeKey(node));
    } else {
      low.push_back(node);
    }
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> stored =
      kv.MultiGet(Family::kTree, node_keys);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<std::vector<std::string>> computed = HashFromLog(kv, low);
  if (!computed.ok()) return computed.status();
  std::vector<std::string> hashes;
  hashes.reserve(nodes.size());
  size_t next_stored = 0, next_computed = 0;
  for (const merkle::Node& node : nodes) {
    if (node.level < kLowestStoredLevel) {
      hashes.push_back(std::move((*computed)[next_computed++]));
      continue;
    }
    std::optional<std::string>& value = (*stored)[next_stored++];
    if (!value.has_value() || value->size() != merkle::kHashBytes) {
      return absl::DataLossError(fmt::format(
          "the Merkle tree's node at level {} index {} is {}: the tree no longer matches the log",
          node.level, node.index, value.has_value() ? "malformed" : "missing"));
    }
    hashes.push_back(*std::move(value));
  }
  return hashes;
}

absl::StatusOr<merkle::Frontier> OpenTree(KvBackend& kv, uint64_t size) {
  if (size == 0) return merkle::Frontier();
  // The newest stored subtree is there unless the store predates the tree.
  if (size >= kRun) {
    absl::StatusOr<std::optional<std::string>> last =
        kv.Get(Family::kTree, keys::TreeKey(kLowestStoredLevel, size / kRun - 1));
    if (!last.ok()) return last.status();
    if (!last->has_value()) return BuildTree(kv, size);
  }
  std::vector<merkle::Node> border = merkle::Cover(0, size);
  absl::StatusOr<std::vector<std::string>> hashes = ReadTreeNodes(kv, border);
  if (!hashes.ok()) return hashes.status();
  return merkle::Frontier(size, *std::move(hashes));
}

}  // namespace dxledger::storage
