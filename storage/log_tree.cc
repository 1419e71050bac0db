#include "storage/log_tree.h"

#include "base/sha256.h"
#include "fmt/format.h"
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
            position != tree.size() + 1 || value.size() < 64) {
          error = absl::DataLossError(
              fmt::format("the log cannot be read in order at position {} to build its Merkle tree",
                          tree.size() + 1));
          return false;
        }
        GrowTree(tree, position, value.substr(64), puts);
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
    puts.push_back({Family::kTree, NodeKey(node.node), std::move(node.hash)});
  }
}

absl::StatusOr<std::vector<std::string>> ReadTreeNodes(KvBackend& kv,
                                                       std::span<const merkle::Node> nodes) {
  std::vector<std::string> node_keys;
  node_keys.reserve(nodes.size());
  for (const merkle::Node& node : nodes) node_keys.push_back(NodeKey(node));
  absl::StatusOr<std::vector<std::optional<std::string>>> values =
      kv.MultiGet(Family::kTree, node_keys);
  if (!values.ok()) return values.status();
  std::vector<std::string> hashes;
  hashes.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::optional<std::string>& value = (*values)[i];
    if (!value.has_value() || value->size() != merkle::kHashBytes) {
      return absl::DataLossError(fmt::format(
          "the Merkle tree's node at level {} index {} is {}: the tree no longer matches the log",
          nodes[i].level, nodes[i].index, value.has_value() ? "malformed" : "missing"));
    }
    hashes.push_back(*std::move(value));
  }
  return hashes;
}

absl::StatusOr<merkle::Frontier> OpenTree(KvBackend& kv, uint64_t size) {
  if (size == 0) return merkle::Frontier();
  absl::StatusOr<std::optional<std::string>> last =
      kv.Get(Family::kTree, keys::TreeKey(0, size - 1));
  if (!last.ok()) return last.status();
  if (!last->has_value()) return BuildTree(kv, size);
  std::vector<merkle::Node> border = merkle::Cover(0, size);
  absl::StatusOr<std::vector<std::string>> hashes = ReadTreeNodes(kv, border);
  if (!hashes.ok()) return hashes.status();
  return merkle::Frontier(size, *std::move(hashes));
}

}  // namespace dxledger::storage
