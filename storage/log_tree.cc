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

// The leaf hashes of the first `count` leaves of run `run` (leaves run * 16
// ..), as far as the log holds them, concatenated: for the last run, which
// has no record yet.
absl::StatusOr<std::string> ReadRunFromLog(KvBackend& kv, uint64_t run, uint64_t count) {
  std::string leaves;
  if (count == 0) return leaves;
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
                return leaves.size() < count * merkle::kHashBytes;
              });
  if (!scanned.ok()) return scanned;
  return leaves;
}

// The record a node's hash is read from: its own, or its run's.
merkle::Node RecordOf(const merkle::Node& node) {
  if (node.level >= kLowestStoredLevel) return node;
  return {kLowestStoredLevel, node.index >> (kLowestStoredLevel - node.level)};
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

void NodeCache::FindAll(std::span<const merkle::Node> nodes,
                        std::vector<std::optional<std::string>>& found) const {
  found.resize(nodes.size());
  absl::ReaderMutexLock lock(&mu_);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const merkle::Node& node = nodes[i];
    if (node.level < kLowestStoredLevel || node.level >= levels_.size()) continue;
    const Level& level = levels_[node.level];
    if (node.index >= level.present.size() || !level.present[node.index]) continue;
    const std::array<char, merkle::kHashBytes>& hash = level.hashes[node.index];
    found[i].emplace(hash.data(), hash.size());
  }
}

void NodeCache::AddAll(std::span<const std::pair<merkle::Node, std::string>> nodes) {
  if (nodes.empty()) return;
  absl::MutexLock lock(&mu_);
  for (const auto& [node, hash] : nodes) {
    if (node.level < kLowestStoredLevel || node.level >= levels_.size() ||
        hash.size() != merkle::kHashBytes) {
      continue;
    }
    Level& level = levels_[node.level];
    // Grown to the index asked for, and at least doubled: a proof asks
    // anywhere, and a level only ever grows.
    if (node.index >= level.present.size() &&
        !Grow(level, std::max<size_t>(node.index + 1, 2 * level.present.size()))) {
      continue;
    }
    std::copy(hash.begin(), hash.end(), level.hashes[node.index].begin());
    level.present[node.index] = true;
  }
}

std::string NodeCache::FindRun(uint64_t run, uint64_t count) const {
  absl::ReaderMutexLock lock(&mu_);
  if (run != run_ || count * merkle::kHashBytes > run_leaves_.size()) return "";
  return run_leaves_.substr(0, count * merkle::kHashBytes);
}

void NodeCache::KeepRun(uint64_t run, std::string_view leaves) {
  absl::MutexLock lock(&mu_);
  if (run < run_ || (run == run_ && leaves.size() <= run_leaves_.size())) return;
  run_ = run;
  run_leaves_.assign(leaves);
}

bool NodeCache::ReserveLevel(uint8_t level, uint64_t count) {
  if (level < kLowestStoredLevel || level >= levels_.size()) return false;
  absl::MutexLock lock(&mu_);
  return count <= levels_[level].present.size() || Grow(levels_[level], count);
}

bool NodeCache::Grow(Level& level, size_t size) {
  const size_t more =
      (size - level.present.size()) * (merkle::kHashBytes + 1);  // and its bit, rounded up
  if (bytes_ + more > max_bytes_) return false;
  level.hashes.resize(size);
  level.present.resize(size);
  bytes_ += more;
  return true;
}

size_t NodeCache::bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  return bytes_;
}

absl::StatusOr<std::vector<std::string>> ReadTreeNodes(KvBackend& kv,
                                                       std::span<const merkle::Node> nodes,
                                                       uint64_t size, NodeCache* cache) {
  std::vector<std::optional<std::string>> cached(nodes.size());
  if (cache != nullptr) cache->FindAll(nodes, cached);
  std::vector<std::pair<merkle::Node, std::string>> read;  // to keep in `cache`
  // Each node below the stored levels is read through the record of its run
  // (or, for the last run of fewer than 16, the log): one read a run.
  const uint64_t partial_run = size / kRunLeaves;  // has no record at `size`
  std::vector<std::string> node_keys;
  std::vector<merkle::Node> records;  // what node_keys name, each once
  std::vector<size_t> record_of;      // a node's record in `records`
  for (size_t i = 0; i < nodes.size(); ++i) {
    const merkle::Node& node = nodes[i];
    const merkle::Node record = RecordOf(node);
    if (cached[i].has_value() || (node.level < kLowestStoredLevel && record.index >= partial_run)) {
      record_of.push_back(SIZE_MAX);  // not read from the tree
      continue;
    }
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
  std::string partial_leaves;  // of the partial run, once read
  std::vector<std::string> hashes;
  hashes.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const merkle::Node& node = nodes[i];
    if (cached[i].has_value()) {
      hashes.push_back(*std::move(cached[i]));
      continue;
    }
    const uint64_t run = RecordOf(node).index;  // for a node below the runs' level
    std::string_view leaves;
    if (record_of[i] == SIZE_MAX) {
      // A smaller subtree in the run that is not complete at `size`.
      const uint64_t count = size - run * kRunLeaves;
      if (partial_leaves.empty()) {
        if (cache != nullptr) partial_leaves = cache->FindRun(run, count);
        if (partial_leaves.empty()) {
          absl::StatusOr<std::string> scanned = ReadRunFromLog(kv, run, count);
          if (!scanned.ok()) return scanned.status();
          partial_leaves = *std::move(scanned);
          if (cache != nullptr) cache->KeepRun(run, partial_leaves);
        }
      }
      leaves = partial_leaves;
    } else {
      const std::optional<std::string>& value = (*stored)[record_of[i]];
      if (node.level > kLowestStoredLevel) {
        if (!value.has_value() || value->size() != merkle::kHashBytes) {
          return Missing(node, value.has_value());
        }
        if (cache != nullptr) read.emplace_back(node, *value);
        hashes.push_back(*value);
        continue;
      }
      const merkle::Node& record = records[record_of[i]];
      if (!value.has_value() || value->size() != kRunRecordBytes) {
        return Missing(record, value.has_value());
      }
      const std::string_view hash = std::string_view(*value).substr(0, merkle::kHashBytes);
      if (cache != nullptr) read.emplace_back(record, hash);
      if (node.level == kLowestStoredLevel) {
        hashes.emplace_back(hash);
        continue;
      }
      leaves = std::string_view(*value).substr(merkle::kHashBytes);
    }
    const uint64_t begin = (node.index << node.level) - run * kRunLeaves;
    const uint64_t end = begin + (uint64_t{1} << node.level);
    if (end * merkle::kHashBytes > leaves.size()) {
      return absl::DataLossError(
          fmt::format("the log lacks the event at position {} that the Merkle tree covers: the "
                      "tree no longer matches the log",
                      run * kRunLeaves + leaves.size() / merkle::kHashBytes + 1));
    }
    merkle::Frontier subtree;
    std::vector<merkle::Frontier::Completed> ignored;
    for (uint64_t leaf = begin; leaf < end; ++leaf) {
      subtree.Append(std::string(leaves.substr(leaf * merkle::kHashBytes, merkle::kHashBytes)),
                     ignored);
    }
    hashes.push_back(subtree.Root());
  }
  if (cache != nullptr) cache->AddAll(read);
  return hashes;
}

absl::Status FillNodeCache(KvBackend& kv, uint64_t size, NodeCache& cache,
                           const std::atomic<bool>& stop) {
  constexpr size_t kBatch = 4096;  // nodes a lock of the cache
  std::vector<std::pair<merkle::Node, std::string>> batch;
  batch.reserve(kBatch);
  for (int level = 63; level >= kLowestStoredLevel && !stop.load(); --level) {
    const uint64_t count = size >> level;  // complete subtrees at `level`
    if (count == 0) continue;
    if (!cache.ReserveLevel(level, count)) break;
    const uint8_t at = static_cast<uint8_t>(level);
    absl::Status error;
    absl::Status scanned = kv.Scan(
        Family::kTree, std::string(1, static_cast<char>(at)), "",
        [&](std::string_view key, std::string_view value) {
          uint64_t index = 0;
          const size_t bytes = at == kLowestStoredLevel ? kRunRecordBytes : merkle::kHashBytes;
          if (key.size() != 9 || !keys::ReadBigEndian64(key.substr(1), index) ||
              value.size() != bytes) {
            error = Missing({at, index}, /*malformed=*/true);
            return false;
          }
          if (index >= count) return false;
          batch.emplace_back(merkle::Node{at, index}, value.substr(0, merkle::kHashBytes));
          if (batch.size() == kBatch) {
            cache.AddAll(batch);
            batch.clear();
          }
          return !stop.load(std::memory_order_relaxed);
        });
    cache.AddAll(batch);
    batch.clear();
    if (!scanned.ok()) return scanned;
    if (!error.ok()) return error;
  }
  if (size % kRunLeaves == 0 || stop.load()) return absl::OkStatus();
  absl::StatusOr<std::string> last_run = ReadRunFromLog(kv, size / kRunLeaves, size % kRunLeaves);
  if (!last_run.ok()) return last_run.status();
  cache.KeepRun(size / kRunLeaves, *last_run);
  return absl::OkStatus();
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
  absl::StatusOr<std::vector<std::string>> hashes = ReadTreeNodes(kv, border, size);
  if (!hashes.ok()) return hashes.status();
  absl::StatusOr<std::string> run_leaves = ReadRunFromLog(kv, size / kRunLeaves, size % kRunLeaves);
  if (!run_leaves.ok()) return run_leaves.status();
  if (run_leaves->size() != (size % kRunLeaves) * merkle::kHashBytes) {
    return absl::DataLossError(
        fmt::format("the log does not hold events {} to {} that its head covers",
                    size - size % kRunLeaves + 1, size));
  }
  return LogTree{merkle::Frontier(size, *std::move(hashes)), *std::move(run_leaves)};
}

}  // namespace dxledger::storage
