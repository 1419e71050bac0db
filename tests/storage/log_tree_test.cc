// The Merkle tree the store grows with the log: it matches a tree computed
// from the log itself, survives reopening, is built for stores that predate
// it, and stays right after a failed write.
#include "storage/log_tree.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/keys.h"
#include "storage/memory_kv.h"
#include "storage/stores.h"

namespace dxledger::storage {
namespace {

AppendRequest TwoStreams(int round) {
  AppendRequest request;
  const uint64_t expected = static_cast<uint64_t>(round) * 2;
  request.streams.push_back(
      {"o/a", expected, {"a" + std::to_string(round), "a'" + std::to_string(round)}, "va"});
  request.streams.push_back({"o/b" + std::to_string(round), 0, {"b"}, "vb"});
  return request;
}

// The root of the tree over what the log holds, computed from the records.
std::string RootFromLog(EventStore& store, uint64_t size) {
  LogTree tree;
  std::vector<Put> ignored;
  absl::StatusOr<std::vector<LogRecord>> records = store.ReadLog(1, size);
  EXPECT_TRUE(records.ok());
  for (const LogRecord& record : *records) GrowTree(tree, record.position, record.body, ignored);
  EXPECT_EQ(tree.size(), size);
  return tree.frontier.Root();
}

void ExpectProofsVerify(EventStore& store) {
  const uint64_t size = store.GetHead().position;
  absl::StatusOr<std::string> root = store.TreeRoot(size);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(*root, RootFromLog(store, size));
  for (uint64_t position = 1; position <= size; ++position) {
    absl::StatusOr<LogRecord> record = store.ReadEvent(position);
    ASSERT_TRUE(record.ok());
    absl::StatusOr<std::vector<std::string>> proof = store.InclusionProof(position, size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(merkle::VerifyInclusion(position - 1, size,
                                        merkle::LeafHash(LeafBytes(position, record->body)), *proof,
                                        *root)
                    .ok())
        << position;
  }
  for (uint64_t old_size = 1; old_size < size; ++old_size) {
    absl::StatusOr<std::vector<std::string>> proof = store.ConsistencyProof(old_size, size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(
        merkle::VerifyConsistency(old_size, size, *store.TreeRoot(old_size), *root, *proof).ok())
        << old_size;
  }
}

TEST(LogTreeTest, TheStoredTreeIsTheTreeOfTheLogAndItsProofsVerify) {
  std::unique_ptr<LogStore> store = NewMemoryEventStore();
  EXPECT_EQ(*store->TreeRoot(0), merkle::EmptyRoot());
  for (int round = 0; round < 7; ++round) ASSERT_TRUE(store->AppendAndWait(TwoStreams(round)).ok());
  ASSERT_EQ(store->GetHead().position, 21u);
  ExpectProofsVerify(*store);
}

// A memory store that counts the tree records it is asked for (all of them,
// and those above the runs of 16: level 5 and up) and its scans of the log.
class CountingKv : public MemoryKv {
 public:
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Family family, std::span<const std::string> keys) override {
    for (const std::string& key : keys) {
      if (family != Family::kTree) continue;
      ++reads;
      if (static_cast<uint8_t>(key[0]) > kLowestStoredLevel) ++upper_reads;
    }
    return MemoryKv::MultiGet(family, keys);
  }
  absl::Status Scan(Family family, std::string_view prefix, std::string_view start,
                    absl::FunctionRef<bool(std::string_view, std::string_view)> visit) override {
    if (family == Family::kLog) ++log_scans;
    return MemoryKv::Scan(family, prefix, start, visit);
  }
  std::atomic<size_t> reads{0};
  std::atomic<size_t> upper_reads{0};
  std::atomic<size_t> log_scans{0};
};

// A store of 600 events (the last run of 16 is not complete) over a
// CountingKv, kept in `counting`.
std::unique_ptr<LogStore> SixHundredEvents(CountingKv*& counting) {
  auto kv = std::make_unique<CountingKv>();
  counting = kv.get();
  std::unique_ptr<LogStore> store = *LogStore::Open(std::move(kv), false);
  for (int round = 0; round < 200; ++round) {
    EXPECT_TRUE(store->AppendAndWait(TwoStreams(round)).ok());
  }
  EXPECT_EQ(store->GetHead().position, 600u);
  return store;
}

// Every inclusion proof at `size` reads at most one tree record (its leaf's
// run), none above the runs, and never scans the log.
void ExpectEachProofReadsOneRecord(EventStore& store, CountingKv& counting, uint64_t size) {
  counting.upper_reads = 0;
  counting.log_scans = 0;
  for (uint64_t position = size; position >= 1; --position) {
    counting.reads = 0;
    ASSERT_TRUE(store.InclusionProof(position, size).ok());
    EXPECT_LE(counting.reads.load(), 1u) << position;
  }
  EXPECT_EQ(counting.upper_reads.load(), 0u);
  EXPECT_EQ(counting.log_scans.load(), 0u);
}

// Subtrees of 16 leaves and up are read once, then served from memory: a
// later inclusion proof reads at most its leaf's run of 16, whatever the
// tree's size, and proofs stay right. The last run, of fewer than 16 at a
// size like 600, is read from the log once, not by every proof.
TEST(LogTreeTest, SubtreesReadOnceServeLaterProofs) {
  CountingKv* counting = nullptr;
  std::unique_ptr<LogStore> store = SixHundredEvents(counting);
  ExpectProofsVerify(*store);
  EXPECT_GT(counting->upper_reads.exchange(0), 0u);
  EXPECT_GT(counting->log_scans.exchange(0), 0u);
  ExpectEachProofReadsOneRecord(*store, *counting, 600);
  ExpectProofsVerify(*store);
  EXPECT_EQ(counting->upper_reads.load(), 0u);
}

// Warmed after opening, a store's first proofs already read at most their
// leaf's run: nothing above it, and never the log (without the warming, the
// test above sees them read the upper levels).
TEST(LogTreeTest, AWarmedStoreReadsOneRecordAProofFromTheFirst) {
  CountingKv* counting = nullptr;
  std::unique_ptr<LogStore> store = SixHundredEvents(counting);
  store->StartWarmingProofs();
  ASSERT_TRUE(store->WaitProofsWarm().ok());
  ExpectEachProofReadsOneRecord(*store, *counting, 600);
  ExpectProofsVerify(*store);
}

// Proofs asked while the cache fills are right, and the store closes with
// the filling under way (run under ThreadSanitizer with the storage tests).
TEST(LogTreeTest, ProofsWhileTheCacheFillsAreRight) {
  CountingKv* counting = nullptr;
  std::unique_ptr<LogStore> store = SixHundredEvents(counting);
  const std::string root = *store->TreeRoot(600);
  store->StartWarmingProofs();
  std::vector<std::thread> provers;
  for (uint64_t first = 1; first <= 2; ++first) {
    provers.emplace_back([&, first] {
      for (uint64_t position = first; position <= 600; position += 2) {
        absl::StatusOr<LogRecord> record = store->ReadEvent(position);
        absl::StatusOr<std::vector<std::string>> proof = store->InclusionProof(position, 600);
        ASSERT_TRUE(record.ok() && proof.ok());
        EXPECT_TRUE(merkle::VerifyInclusion(position - 1, 600,
                                            merkle::LeafHash(LeafBytes(position, record->body)),
                                            *proof, root)
                        .ok())
            << position;
      }
    });
  }
  for (std::thread& prover : provers) prover.join();
  EXPECT_TRUE(store->WaitProofsWarm().ok());
  CountingKv* unwaited = nullptr;
  std::unique_ptr<LogStore> closed_at_once = SixHundredEvents(unwaited);
  closed_at_once->StartWarmingProofs();
  closed_at_once.reset();
}

// Filling keeps whole levels from the top while they fit, stops at a
// malformed record with DATA_LOSS, and ends early when told to stop.
TEST(LogTreeTest, FillingTheNodeCacheKeepsWholeLevelsFromTheTop) {
  MemoryKv kv;
  LogTree tree;
  std::vector<Put> puts;
  const uint64_t size = 1024;  // levels 4 (64 runs) to 10 (the root)
  for (uint64_t position = 1; position <= size; ++position) {
    GrowTree(tree, position, "event " + std::to_string(position), puts);
  }
  ASSERT_TRUE(kv.Write(puts, false).ok());
  std::atomic<bool> stop{false};
  auto kept = [](const NodeCache& cache, merkle::Node node) {
    std::vector<std::optional<std::string>> found;
    cache.FindAll(std::span(&node, 1), found);
    return found[0];
  };
  // Room for levels 10 to 5 (1 + 2 + ... + 32 = 63 hashes) but not level 4's 64.
  NodeCache small(/*max_bytes=*/63 * (merkle::kHashBytes + 1));
  ASSERT_TRUE(FillNodeCache(kv, size, small, stop).ok());
  for (uint64_t index = 0; index < 32; ++index) {
    EXPECT_EQ(kept(small, {5, index}),
              (*ReadTreeNodes(kv, std::vector<merkle::Node>{{5, index}}, size))[0])
        << index;
  }
  EXPECT_EQ(kept(small, {10, 0}), tree.frontier.Root());
  EXPECT_EQ(kept(small, {4, 0}), std::nullopt);
  NodeCache whole;
  ASSERT_TRUE(FillNodeCache(kv, size, whole, stop).ok());
  EXPECT_EQ(kept(whole, {4, 63}),
            (*ReadTreeNodes(kv, std::vector<merkle::Node>{{4, 63}}, size))[0]);
  // Filled for a smaller tree: nothing past it.
  NodeCache smaller;
  ASSERT_TRUE(FillNodeCache(kv, 512, smaller, stop).ok());
  EXPECT_NE(kept(smaller, {9, 0}), std::nullopt);
  EXPECT_EQ(kept(smaller, {9, 1}), std::nullopt);
  EXPECT_EQ(kept(smaller, {4, 32}), std::nullopt);
  stop = true;
  NodeCache stopped;
  ASSERT_TRUE(FillNodeCache(kv, size, stopped, stop).ok());
  EXPECT_EQ(stopped.bytes(), 0u);
  stop = false;
  const std::vector<Put> damage = {{Family::kTree, keys::TreeKey(6, 3), "short"}};
  ASSERT_TRUE(kv.Write(damage, false).ok());
  NodeCache damaged;
  absl::Status filled = FillNodeCache(kv, size, damaged, stop);
  EXPECT_EQ(filled.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(filled.message(),
            "the Merkle tree's node at level 6 index 3 is malformed: the tree no longer matches "
            "the log");
}

// Past its bound the cache keeps no more, and proofs read the store.
TEST(LogTreeTest, TheNodeCacheKeepsWithinItsBound) {
  NodeCache cache(/*max_bytes=*/1000);
  const std::string hash(merkle::kHashBytes, 'h');
  std::vector<std::pair<merkle::Node, std::string>> nodes = {
      {{4, 3}, hash}, {{5, 0}, hash}, {{3, 0}, hash}, {{4, 100}, hash}};
  cache.AddAll(nodes);
  EXPECT_LE(cache.bytes(), 1000u);
  std::vector<merkle::Node> asked = {{4, 3}, {5, 0}, {3, 0}, {4, 100}, {4, 2}};
  std::vector<std::optional<std::string>> found;
  cache.FindAll(asked, found);
  ASSERT_EQ(found.size(), 5u);
  EXPECT_EQ(found[0], hash);
  EXPECT_EQ(found[1], hash);
  EXPECT_EQ(found[2], std::nullopt);  // below the runs: never kept
  EXPECT_EQ(found[3], std::nullopt);  // past the bound
  EXPECT_EQ(found[4], std::nullopt);  // never added
}

TEST(LogTreeTest, AskingPastTheHeadIsOutOfRange) {
  std::unique_ptr<LogStore> store = NewMemoryEventStore();
  ASSERT_TRUE(store->AppendAndWait(TwoStreams(0)).ok());
  EXPECT_EQ(store->TreeRoot(4).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store->InclusionProof(1, 4).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store->InclusionProof(0, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->ConsistencyProof(0, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->ConsistencyProof(2, 4).status().code(), absl::StatusCode::kOutOfRange);
}

class RocksDbTreeTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("dxledger-tree-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<LogStore> Open() {
    absl::StatusOr<std::unique_ptr<LogStore>> store = OpenRocksDbEventStore(dir_, true);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::filesystem::path dir_;
};

TEST_F(RocksDbTreeTest, ReopeningGoesOnGrowingTheSameTree) {
  std::string root;
  {
    std::unique_ptr<LogStore> store = Open();
    for (int round = 0; round < 5; ++round)
      ASSERT_TRUE(store->AppendAndWait(TwoStreams(round)).ok());
    root = *store->TreeRoot(15);
  }
  std::unique_ptr<LogStore> store = Open();
  EXPECT_EQ(*store->TreeRoot(15), root);
  for (int round = 5; round < 9; ++round) ASSERT_TRUE(store->AppendAndWait(TwoStreams(round)).ok());
  ExpectProofsVerify(*store);
}

TEST_F(RocksDbTreeTest, AStoreWithoutATreeGetsOneBuiltFromItsLogOnOpening) {
  std::string root;
  {
    std::unique_ptr<LogStore> store = Open();
    for (int round = 0; round < 12; ++round)
      ASSERT_TRUE(store->AppendAndWait(TwoStreams(round)).ok());
    root = *store->TreeRoot(36);
  }
  {
    // As a release before the tree left it: no tree records at all.
    absl::StatusOr<std::unique_ptr<RocksDbKv>> kv = RocksDbKv::Open(dir_.string(), {});
    ASSERT_TRUE(kv.ok()) << kv.status();
    std::vector<Put> erase;
    ASSERT_TRUE((*kv)
                    ->Scan(Family::kTree, "", "",
                           [&](std::string_view key, std::string_view) {
                             erase.push_back({Family::kTree, std::string(key), "", /*erase=*/true});
                             return true;
                           })
                    .ok());
    // Subtrees of 16 leaves and more only: two of 16, one of 32.
    ASSERT_EQ(erase.size(), 3u);
    ASSERT_TRUE((*kv)->Write(erase, true).ok());
  }
  std::unique_ptr<LogStore> store = Open();
  EXPECT_EQ(*store->TreeRoot(36), root);
  ASSERT_TRUE(store->AppendAndWait(TwoStreams(12)).ok());
  ExpectProofsVerify(*store);
}

TEST_F(RocksDbTreeTest, AMissingNodeOrEventIsReportedAsDataLoss) {
  {
    std::unique_ptr<LogStore> store = Open();
    for (int round = 0; round < 12; ++round)
      ASSERT_TRUE(store->AppendAndWait(TwoStreams(round)).ok());
  }
  // Writes `put`; returns what the key held before.
  auto replace = [&](Put put) {
    absl::StatusOr<std::unique_ptr<RocksDbKv>> kv = RocksDbKv::Open(dir_.string(), {});
    EXPECT_TRUE(kv.ok());
    std::string old = (*kv)->Get(put.family, put.key)->value_or("");
    EXPECT_TRUE((*kv)->Write({&put, 1}, true).ok());
    return old;
  };
  // 36 events: the tree's border is the stored subtree of leaves 0..31 and
  // leaves 32..35, hashed from the log.
  const std::string node = replace({Family::kTree, keys::TreeKey(5, 0), "", /*erase=*/true});
  absl::StatusOr<std::unique_ptr<LogStore>> store = OpenRocksDbEventStore(dir_, true);
  ASSERT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store.status().message(),
            "the Merkle tree's node at level 5 index 0 is missing: the tree no longer matches the "
            "log");
  replace({Family::kTree, keys::TreeKey(5, 0), node});
  replace({Family::kLog, keys::BigEndian64(34), "", /*erase=*/true});
  store = OpenRocksDbEventStore(dir_, true);
  ASSERT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store.status().message(),
            "the log lacks the event at position 34 that the Merkle tree covers: the tree no "
            "longer matches the log");
}

// A memory store whose writes can be made to fail.
class FailingKv : public MemoryKv {
 public:
  absl::Status Write(std::span<const Put> puts, bool sync) override {
    if (fail) return absl::UnavailableError("injected write failure");
    return MemoryKv::Write(puts, sync);
  }
  std::atomic<bool> fail{false};
};

TEST(LogTreeTest, AFailedWriteLeavesNoTraceInTheTree) {
  auto owned = std::make_unique<FailingKv>();
  FailingKv& kv = *owned;
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(std::move(owned), false);
  ASSERT_TRUE(store.ok());
  // 15 events, then a failed write of 3 that would have completed the
  // first run of 16; then the log goes on past it.
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE((*store)->AppendAndWait(TwoStreams(round)).ok());
  }
  kv.fail = true;
  EXPECT_EQ((*store)->AppendAndWait(TwoStreams(5)).status().code(), absl::StatusCode::kUnavailable);
  kv.fail = false;
  for (int round = 5; round < 12; ++round) {
    ASSERT_TRUE((*store)->AppendAndWait(TwoStreams(round)).ok());
  }
  ExpectProofsVerify(**store);
}

}  // namespace
}  // namespace dxledger::storage
