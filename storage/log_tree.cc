#include "storage/log_tree.h"

#include <algorithm>

#include "base/sha256.h"
#include "fmt/format.h"
#include "storage/event_store.h"
#include "storage/keys.h"

namespace dxledger::storage {
namespace {

std::string NodeKey(const merkle::Node& node) { return keys::TreeKey(node.level, node.index); }

// A 16-leaf subtree's record: its hash, then its 16 leaf hashes.
constexpr size_t kRunRecordBytes = (1 + kRunLeaves) * merkle::kHashBytes;

// Builds the whole tree from the log: for stores that predate it.
absl::StatusOr<LogTree> BuildTree(KvBackend& kv, uint64_t size) {
  constexpr size_t kChunk = 1 << 16;
  LogTree tree;
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

// The leaf hashes of run `run` (leaves run * 16 ..), as far as the log holds
// them, concatenated: for the last run, which has no record yet.
absl::StatusOr<std::string> ReadRunFromLog(KvBackend& kv, uint64_t run) {
  std::string leaves;
  const uint64_t first = run * kRunLeaves + 1;
  absl::Status scanned =
      kv.Scan(Family::kLog, "", keys::BigEndian64(first),
              [&](std::string_view key, std::string_view value) {
                uint64_t position = 0;
                if (key.size() != 8 || !keys::ReadBigEndian64(key, position) ||
                    position != first + leaves.size() / merkle::kHashBytes ||
                    value.size() < 2 * kHashBytes) {
                  return false;
                }
                leaves.append(LeafHashOf(position, value.substr(2 * kHashBytes)));
                return leaves.size() < kRunLeaves * merkle::kHashBytes;
              });
  if (!scanned.ok()) return scanned;
  return leaves;
}

absl::Status Missing(const merkle::Node& node, bool malformed) {
  return absl::DataLossError(fmt::format(
      "the Merkle tree's node at level {} index {} is {}: the tree no longer matches the log",
      node.level, node.index, malformed ? "malformed" : "missing"));
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

void GrowTree(LogTree& tree, uint64_t position, std::string_view body, std::vector<Put>& puts) {
  thread_local std::vector<merkle::Frontier::Completed> completed;
  completed.clear();
  std::string leaf = LeafHashOf(position, body);
  tree.run_leaves.append(leaf);
  tree.frontier.Append(std::move(leaf), completed);
  for (merkle::Frontier::Completed& node : completed) {
    if (node.node.level < kLowestStoredLevel) continue;
    if (node.node.level == kLowestStoredLevel) {
      node.hash.append(tree.run_leaves);
      tree.run_leaves.clear();
    }
    puts.push_back({Family::kTree, NodeKey(node.node), std::move(node.hash)});
  }
}

std::vector<std::pair<std::string, std::string>> ExpectedTree::TakeSorted() {
  std::vector<std::pair<std::string, std::string>> records;
  records.reserve(records_.size());
  for (Put& put : records_) records.emplace_back(std::move(put.key), std::move(put.value));
  records_.clear();
  std::sort(records.begin(), records.end());
  return records;
}

std::optional<std::string> UpperNodeCache::Find(const merkle::Node& node) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = hashes_.find(KeyOf(node));
  if (it == hashes_.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

void UpperNodeCache::Add(const merkle::Node& node, std::string_view hash) {
  if (hash.size() != merkle::kHashBytes) return;
  std::array<char, merkle::kHashBytes> copy;
  std::copy(hash.begin(), hash.end(), copy.begin());
  absl::MutexLock lock(&mu_);
  hashes_.try_emplace(KeyOf(node), copy);
}

absl::StatusOr<std::vector<std::string>> ReadTreeNodes(KvBackend& kv,
                                                       std::span<const merkle::Node> nodes,
                                                       UpperNodeCache* cache) {
  std::vector<std::optional<std::string>> cached(nodes.size());
  if (cache != nullptr) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].level >= kCachedLevel) cached[i] = cache->Find(nodes[i]);
    }
  }
  // Each node below the stored levels is read through the record of its run
  // (or, for the last run, the log): one read a run.
  std::vector<std::string> node_keys;
  std::vector<merkle::Node> records;  // what node_keys name, each once
  std::vector<size_t> record_of;      // a node's record in `records`
  for (size_t i = 0; i < nodes.size(); ++i) {
    const merkle::Node& node = nodes[i];
    if (cached[i].has_value()) {
      record_of.push_back(0);  // not read
      continue;
    }
    const merkle::Node record =
        node.level >= kLowestStoredLevel
            ? node
            : merkle::Node{kLowestStoredLevel, node.index >> (kLowestStoredLevel - node.level)};
    const size_t at = std::find(records.begin(), records.end(), record) - records.begin();
    if (at == records.size()) {
      records.push_back(record);
      node_keys.push_back(NodeKey(record));
    }
    record_of.push_back(at);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> stored =
      node_keys.empty() ? std::vector<std::optional<std::string>>()
                        : kv.MultiGet(Family::kTree, node_keys);
  if (!stored.ok()) return stored.status();
  std::vector<std::string> hashes;
  hashes.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const merkle::Node& node = nodes[i];
    if (cached[i].has_value()) {
      hashes.push_back(*std::move(cached[i]));
      continue;
    }
    const size_t next = record_of[i];
    std::optional<std::string>& value = (*stored)[next];
    if (node.level > kLowestStoredLevel) {
      if (!value.has_value() || value->size() != merkle::kHashBytes) {
        return Missing(node, value.has_value());
      }
      if (cache != nullptr && node.level >= kCachedLevel) cache->Add(node, *value);
      hashes.push_back(*value);
      continue;
    }
    if (value.has_value() && value->size() != kRunRecordBytes) return Missing(records[next], true);
    if (node.level == kLowestStoredLevel) {
      if (!value.has_value()) return Missing(node, false);
      hashes.push_back(value->substr(0, merkle::kHashBytes));
      continue;
    }
    // A smaller subtree: from its run's leaf hashes.
    std::string leaves;
    if (value.has_value()) {
      leaves = value->substr(merkle::kHashBytes);
    } else {
      absl::StatusOr<std::string> read = ReadRunFromLog(kv, records[next].index);
      if (!read.ok()) return read.status();
      leaves = *std::move(read);
    }
    const uint64_t begin = (node.index << node.level) - records[next].index * kRunLeaves;
    const uint64_t end = begin + (uint64_t{1} << node.level);
    if (end * merkle::kHashBytes > leaves.size()) {
      return absl::DataLossError(
          fmt::format("the log lacks the event at position {} that the Merkle tree covers: the "
                      "tree no longer matches the log",
                      records[next].index * kRunLeaves + leaves.size() / merkle::kHashBytes + 1));
    }
    merkle::Frontier subtree;
    std::vector<merkle::Frontier::Completed> ignored;
    for (uint64_t leaf = begin; leaf < end; ++leaf) {
      subtree.Append(leaves.substr(leaf * merkle::kHashBytes, merkle::kHashBytes), ignored);
    }
    hashes.push_back(subtree.Root());
  }
  return hashes;
}

absl::StatusOr<LogTree> OpenTree(KvBackend& kv, uint64_t size) {
  if (size == 0) return LogTree();
  // The newest stored subtree is there unless the store predates the tree.
  if (size >= kRunLeaves) {
    absl::StatusOr<std::optional<std::string>> last =
        kv.Get(Family::kTree, keys::TreeKey(kLowestStoredLevel, size / kRunLeaves - 1));
    if (!last.ok()) return last.status();
    if (!last->has_value()) return BuildTree(kv, size);
  }
  std::vector<merkle::Node> border = merkle::Cover(0, size);
  absl::StatusOr<std::vector<std::string>> hashes = ReadTreeNodes(kv, border);
  if (!hashes.ok()) return hashes.status();
  absl::StatusOr<std::string> run_leaves = ReadRunFromLog(kv, size / kRunLeaves);
  if (!run_leaves.ok()) return run_leaves.status();
  if (run_leaves->size() != (size % kRunLeaves) * merkle::kHashBytes) {
    return absl::DataLossError(
        fmt::format("the log does not hold events {} to {} that its head covers",
                    size - size % kRunLeaves + 1, size));
  }
  return LogTree{merkle::Frontier(size, *std::move(hashes)), *std::move(run_leaves)};
}

}  // namespace dxledger::storage
