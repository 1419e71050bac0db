// One contract, two stores: every test runs against the memory store and the
// RocksDB store; the RocksDB run reopens the store to prove durability.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "storage/hash_chain.h"
#include "storage/keys.h"
#include "storage/stores.h"

namespace dxledger::storage {
namespace {

class Harness {
 public:
  virtual ~Harness() = default;
  virtual LogStore& store() = 0;
  // Closes and opens the store again; the memory store keeps its state.
  virtual void Reopen() = 0;
};

class MemoryHarness : public Harness {
 public:
  LogStore& store() override { return *store_; }
  void Reopen() override {}

 private:
  std::unique_ptr<LogStore> store_ = NewMemoryEventStore();
};

class RocksDbHarness : public Harness {
 public:
  RocksDbHarness() {
    dir_ = std::filesystem::temp_directory_path() /
           ("dxledger-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  ~RocksDbHarness() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  LogStore& store() override { return *store_; }
  void Reopen() override {
    store_.reset();
    absl::StatusOr<std::unique_ptr<LogStore>> store = OpenRocksDbEventStore(dir_, /*sync=*/true);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

 private:
  static inline std::atomic<int> counter_{0};
  std::filesystem::path dir_;
  std::unique_ptr<LogStore> store_;
};

AppendRequest OneStream(std::string stream, uint64_t expected, std::vector<std::string> events,
                        std::string view = "view") {
  AppendRequest request;
  request.streams.push_back({std::move(stream), expected, std::move(events), std::move(view)});
  return request;
}

std::vector<uint64_t> Positions(const std::vector<LogRecord>& records) {
  std::vector<uint64_t> positions;
  for (const LogRecord& record : records) positions.push_back(record.position);
  return positions;
}

class EventStoreContractTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory")
      harness_ = std::make_unique<MemoryHarness>();
    else
      harness_ = std::make_unique<RocksDbHarness>();
  }
  LogStore& store() { return harness_->store(); }
  void Reopen() { harness_->Reopen(); }

  std::unique_ptr<Harness> harness_;
};

TEST_P(EventStoreContractTest, EmptyStoreHasNothing) {
  EXPECT_EQ(store().GetHead().position, 0u);
  EXPECT_EQ(store().GetHead().hash, std::string(kHashBytes, '\0'));
  EXPECT_FALSE(store().ReadView("050008/g1")->has_value());
  EXPECT_EQ(store().ReadEvent(1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store().ReadLog(1, 10)->empty());
  EXPECT_TRUE(VerifyChain(store()).ok());
}

// The names top -H and perf show for the store's threads.
TEST_P(EventStoreContractTest, TheWriterAndAnswerThreadsCarryTheirNames) {
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    names.insert(name);
  }
  EXPECT_EQ(names.count("dxl-writer"), 1u);
  // Only a synced store answers on a thread of its own, overlapping the
  // next sync; an unsynced one (the memory store) answers on the writer.
  EXPECT_EQ(names.count("dxl-answers"), GetParam() == "memory" ? 0u : 1u);
}

TEST_P(EventStoreContractTest, AppendsAreNumberedChainedAndDurable) {
  absl::StatusOr<AppendResult> first =
      store().AppendAndWait(OneStream("o/g1", 0, {"e1", "e2"}, "v2"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->first_position, 1u);
  ASSERT_EQ(first->hashes.size(), 2u);
  absl::StatusOr<AppendResult> second = store().AppendAndWait(OneStream("o/g2", 0, {"f1"}, "w1"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->first_position, 3u);
  EXPECT_EQ(second->prev_hash, first->hashes[1]);

  Reopen();
  EXPECT_EQ(store().GetHead().position, 3u);
  EXPECT_EQ(store().GetHead().hash, second->hashes[0]);
  absl::StatusOr<std::vector<LogRecord>> log = store().ReadLog(1, 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].body, "e1");
  EXPECT_EQ((*log)[1].body, "e2");
  EXPECT_EQ((*log)[2].body, "f1");
  EXPECT_EQ((*log)[0].prev_hash, std::string(kHashBytes, '\0'));
  EXPECT_EQ((*log)[1].prev_hash, (*log)[0].hash);
  EXPECT_EQ((*log)[1].hash, EventHash((*log)[0].hash, 2, "e2"));
  EXPECT_EQ(store().ReadLog(2, 1)->front().body, "e2");

  absl::StatusOr<std::optional<StoredView>> view = store().ReadView("o/g1");
  ASSERT_TRUE(view.ok() && view->has_value());
  EXPECT_EQ((*view)->version, 2u);
  EXPECT_EQ((*view)->bytes, "v2");
  EXPECT_EQ(Positions(*store().ReadStream("o/g1", 1, 10)), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Positions(*store().ReadStream("o/g1", 2, 10)), (std::vector<uint64_t>{2}));
  EXPECT_EQ(Positions(*store().ReadStream("o/g1", 1, 1)), (std::vector<uint64_t>{1}));
  absl::StatusOr<std::vector<LogRecord>> g2 = store().ReadStream("o/g2", 1, 10);
  ASSERT_TRUE(g2.ok() && g2->size() == 1);
  // A stream's records are the log's.
  EXPECT_EQ((*g2)[0].position, 3u);
  EXPECT_EQ((*g2)[0].body, (*log)[2].body);
  EXPECT_EQ((*g2)[0].hash, (*log)[2].hash);
  EXPECT_EQ((*g2)[0].prev_hash, (*log)[2].prev_hash);
  absl::StatusOr<ChainReport> chain = VerifyChain(store());
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(chain->events_checked, 3u);
}

// Several views in one batched read, in the order asked, on the store and
// on a snapshot of it.
TEST_P(EventStoreContractTest, ReadViewsAnswersEachStreamInOrder) {
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g1", 0, {"e1"}, "v1")).ok());
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g2", 0, {"e2"}, "v2")).ok());
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g2", 1, {"e3"}, "v2b")).ok());
  Reopen();
  const std::vector<std::string> streams = {"o/g2", "o/none", "o/g1"};
  absl::StatusOr<std::vector<std::optional<StoredView>>> views = store().ReadViews(streams);
  ASSERT_TRUE(views.ok()) << views.status();
  ASSERT_EQ(views->size(), 3u);
  ASSERT_TRUE((*views)[0].has_value());
  EXPECT_EQ((*views)[0]->bytes, "v2b");
  EXPECT_EQ((*views)[0]->version, 2u);
  EXPECT_FALSE((*views)[1].has_value());
  EXPECT_EQ((*views)[2]->bytes, "v1");
  absl::StatusOr<std::unique_ptr<EventStore>> snapshot = store().Snapshot();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g1", 1, {"e4"}, "v1b")).ok());
  EXPECT_EQ((*(*snapshot)->ReadViews(streams))[2]->bytes, "v1");
  EXPECT_EQ((*store().ReadViews(streams))[2]->bytes, "v1b");
}

// A rebuild replaces every view, index entry and time-index entry at once,
// and keeps the log.
TEST_P(EventStoreContractTest, ReplaceProjectionsLeavesExactlyWhatItWasGiven) {
  AppendRequest first = OneStream("o/g1", 0, {"e1"}, "v1");
  first.index.push_back({"i/a", "A", std::nullopt});
  first.index.push_back({"i/b", "B", std::nullopt});
  first.record_micros = 100;
  ASSERT_TRUE(store().AppendAndWait(std::move(first)).ok());
  AppendRequest second = OneStream("o/g2", 0, {"e2"}, "v2");
  second.record_micros = 200;
  ASSERT_TRUE(store().AppendAndWait(std::move(second)).ok());
  ASSERT_TRUE(store()
                  .ReplaceProjections({{"o/g2", {1, "v2 rebuilt"}}, {"o/g3", {4, "v3"}}},
                                      {{"i/b", "B rebuilt"}, {"i/c", "C"}},
                                      {{keys::CommitTimeKey(150), keys::BigEndian64(2)}})
                  .ok());
  Reopen();
  EXPECT_FALSE(store().ReadView("o/g1")->has_value());
  EXPECT_EQ((*store().ReadView("o/g2"))->bytes, "v2 rebuilt");
  EXPECT_EQ((*store().ReadView("o/g3"))->version, 4u);
  std::vector<std::pair<std::string, std::string>> index;
  ASSERT_TRUE(store()
                  .Scan(Keyspace::kIndex, "", "",
                        [&](std::string_view key, std::string_view value) {
                          index.emplace_back(key, value);
                          return true;
                        })
                  .ok());
  EXPECT_EQ(index,
            (std::vector<std::pair<std::string, std::string>>{{"i/b", "B rebuilt"}, {"i/c", "C"}}));
  EXPECT_EQ(store().GetHead().position, 2u);
  EXPECT_TRUE(VerifyChain(store()).ok());
  EXPECT_EQ(*store().PositionAt(120), 0u);
  EXPECT_EQ(*store().PositionAt(150), 2u);
  EXPECT_EQ(*store().PositionAt(250), 2u);
  int times = 0;
  ASSERT_TRUE(store()
                  .Scan(Keyspace::kCommitTimes, "", "",
                        [&](std::string_view key, std::string_view) {
                          EXPECT_EQ(key, keys::CommitTimeKey(150));
                          return ++times < 10;
                        })
                  .ok());
  EXPECT_EQ(times, 1);
  // An empty rebuild empties them all.
  ASSERT_TRUE(store().ReplaceProjections({}, {}, {}).ok());
  EXPECT_FALSE(store().ReadView("o/g2")->has_value());
}

TEST_P(EventStoreContractTest, ASnapshotKeepsItsMomentWhileAppendsGoOn) {
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g1", 0, {"e1"}, "v1")).ok());
  absl::StatusOr<std::unique_ptr<EventStore>> snapshot = store().Snapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g1", 1, {"e2"}, "v2")).ok());
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g2", 0, {"e3"}, "w1")).ok());

  EventStore& then = **snapshot;
  EXPECT_EQ(then.GetHead().position, 1u);
  EXPECT_EQ(then.ReadLog(1, 10)->size(), 1u);
  EXPECT_EQ((*then.ReadView("o/g1"))->bytes, "v1");
  EXPECT_FALSE(then.ReadView("o/g2")->has_value());
  EXPECT_EQ(then.ReadStream("o/g1", 1, 10)->size(), 1u);
  EXPECT_TRUE(VerifyChain(then).ok());
  // A snapshot of the snapshot is the same moment.
  absl::StatusOr<std::unique_ptr<EventStore>> again = then.Snapshot();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->GetHead().position, 1u);
  EXPECT_FALSE((*again)->ReadView("o/g2")->has_value());
  // Read-only, and the store goes on as if it were not there.
  EXPECT_EQ(then.AppendAndWait(OneStream("o/g3", 0, {"x"})).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().GetHead().position, 3u);
  EXPECT_EQ((*store().ReadView("o/g1"))->bytes, "v2");
}

TEST_P(EventStoreContractTest, WrongExpectedVersionWritesNothing) {
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g1", 0, {"e1"})).ok());
  EXPECT_EQ(store().AppendAndWait(OneStream("o/g1", 0, {"again"})).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(store().AppendAndWait(OneStream("o/g1", 5, {"later"})).status().code(),
            absl::StatusCode::kAborted);
  Reopen();
  EXPECT_EQ(store().GetHead().position, 1u);
  EXPECT_EQ((*store().ReadView("o/g1"))->version, 1u);
}

TEST_P(EventStoreContractTest, OneAppendIsAllOrNothingAcrossStreams) {
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g2", 0, {"e1"})).ok());
  AppendRequest request = OneStream("o/g1", 0, {"a"});
  request.streams.push_back({"o/g2", 0, {"b"}, "v"});  // g2 is at version 1
  request.index.push_back({"idx", "x", std::nullopt});
  request.request_key = "k";
  EXPECT_EQ(store().AppendAndWait(std::move(request)).status().code(), absl::StatusCode::kAborted);
  Reopen();
  EXPECT_EQ(store().GetHead().position, 1u);
  EXPECT_FALSE(store().ReadView("o/g1")->has_value());
  EXPECT_FALSE(store().ReadRequest("k")->has_value());
  int index_entries = 0;
  ASSERT_TRUE(store()
                  .Scan(Keyspace::kIndex, "", "",
                        [&](std::string_view, std::string_view) { return ++index_entries, true; })
                  .ok());
  EXPECT_EQ(index_entries, 0);
}

TEST_P(EventStoreContractTest, RequestKeysAreRecordedOnce) {
  AppendRequest request = OneStream("o/g1", 0, {"a", "b"});
  request.request_key = "admin\0req-1";
  request.request_fingerprint = "fp";
  ASSERT_TRUE(store().AppendAndWait(request).ok());
  AppendRequest twin = OneStream("o/g9", 0, {"c"});
  twin.request_key = request.request_key;
  EXPECT_EQ(store().AppendAndWait(std::move(twin)).status().code(),
            absl::StatusCode::kAlreadyExists);
  Reopen();
  absl::StatusOr<std::optional<RequestRecord>> record = store().ReadRequest(request.request_key);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->fingerprint, "fp");
  EXPECT_EQ((*record)->first_position, 1u);
  EXPECT_EQ((*record)->last_position, 2u);
  EXPECT_FALSE(store().ReadView("o/g9")->has_value());
}

TEST_P(EventStoreContractTest, IndexKeysCanEndInTheEventPosition) {
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g0", 0, {"z"})).ok());
  AppendRequest request = OneStream("o/g1", 0, {"a", "b"});
  request.index.push_back({"r/", "second", EventRef{0, 1}});
  request.index.push_back({"y/2021/g1", "", std::nullopt});
  ASSERT_TRUE(store().AppendAndWait(std::move(request)).ok());
  Reopen();
  std::vector<std::pair<std::string, std::string>> entries;
  ASSERT_TRUE(store()
                  .Scan(Keyspace::kIndex, "r/", "",
                        [&](std::string_view k, std::string_view v) {
                          entries.emplace_back(k, v);
                          return true;
                        })
                  .ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, "r/" + keys::BigEndian64(3));
  EXPECT_EQ(entries[0].second, "second");
}

TEST_P(EventStoreContractTest, ScanHonoursPrefixAndStart) {
  for (std::string id : {"a1", "a2", "a3", "b1"}) {
    ASSERT_TRUE(store().AppendAndWait(OneStream("o/" + id, 0, {id}, "view-" + id)).ok());
  }
  std::vector<std::string> seen;
  ASSERT_TRUE(store()
                  .Scan(Keyspace::kViews, "o/a", "o/a2",
                        [&](std::string_view k, std::string_view v) {
                          seen.push_back(std::string(k) + "=" + std::string(v));
                          return true;
                        })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"o/a2=view-a2", "o/a3=view-a3"}));
}

TEST_P(EventStoreContractTest, MalformedAppendsAreRefused) {
  EXPECT_EQ(store().AppendAndWait(AppendRequest{}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store().AppendAndWait(OneStream("o/g1", 0, {})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store().AppendAndWait(OneStream(std::string("o\0g", 3), 0, {"a"})).status().code(),
            absl::StatusCode::kInvalidArgument);
  AppendRequest bad_ref = OneStream("o/g1", 0, {"a"});
  bad_ref.index.push_back({"r/", "", EventRef{0, 5}});
  EXPECT_EQ(store().AppendAndWait(std::move(bad_ref)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store().GetHead().position, 0u);
}

TEST_P(EventStoreContractTest, ConcurrentAppendsGetDistinctPositionsAndShareSyncs) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string stream = "o/t" + std::to_string(t);
        if (!store().AppendAndWait(OneStream(stream, i, {stream + "-" + std::to_string(i)})).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store().GetHead().position, uint64_t{kThreads * kPerThread});
  WriterStats stats = store().writer_stats();
  EXPECT_EQ(stats.appends, uint64_t{kThreads * kPerThread});
  // Sixteen writers waiting on syncs must have been committed together.
  if (GetParam() == "rocksdb") {
    EXPECT_LT(stats.batches, stats.appends);
  }
  Reopen();
  absl::StatusOr<ChainReport> chain = VerifyChain(store());
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(chain->events_checked, uint64_t{kThreads * kPerThread});
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ((*store().ReadView("o/t" + std::to_string(t)))->version, uint64_t{kPerThread});
  }
}

TEST_P(EventStoreContractTest, RacingWritersOfOneStreamAllowOneWinner) {
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g", 0, {"created"})).ok());
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      absl::StatusOr<AppendResult> r =
          store().AppendAndWait(OneStream("o/g", 1, {"rating-" + std::to_string(t)}));
      if (r.ok()) ++ok;
      if (absl::IsAborted(r.status())) ++aborted;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), kThreads - 1);
  EXPECT_EQ(store().GetHead().position, 2u);
}

TEST_P(EventStoreContractTest, AnswersComeInSubmissionOrder) {
  constexpr int kAppends = 200;
  absl::Mutex mu;
  std::vector<int> answered;
  for (int i = 0; i < kAppends; ++i) {
    store().Append(OneStream("o/g" + std::to_string(i), 0, {"e"}),
                   [&, i](absl::StatusOr<AppendResult> result) {
                     EXPECT_TRUE(result.ok()) << result.status();
                     absl::MutexLock lock(&mu);
                     answered.push_back(i);
                   });
  }
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/last", 0, {"e"})).ok());
  absl::MutexLock lock(&mu);
  ASSERT_EQ(answered.size(), size_t{kAppends});
  for (int i = 0; i < kAppends; ++i) EXPECT_EQ(answered[i], i);
}

TEST_P(EventStoreContractTest, AnAnswerThatAppendsAgainIsCommittedBeforeTheStoreCloses) {
  // A retry submits from inside an answer; closing the store must neither
  // drop it nor leave its caller waiting.
  std::atomic<int> retried{0};
  LogStore& closing = store();
  closing.Append(OneStream("o/g", 0, {"first"}), [&](absl::StatusOr<AppendResult> result) {
    ASSERT_TRUE(result.ok());
    closing.Append(OneStream("o/g", 1, {"second"}), [&](absl::StatusOr<AppendResult> again) {
      EXPECT_TRUE(again.ok()) << again.status();
      ++retried;
    });
  });
  Reopen();  // closes the store; the memory store stays open, so wait for it
  for (int i = 0; i < 1000 && retried.load() == 0; ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(retried.load(), 1);
  EXPECT_EQ(store().GetHead().position, 2u);
}

TEST_P(EventStoreContractTest, CommitTimesIndexTheLog) {
  const int64_t before = absl::ToUnixMicros(absl::Now());
  EXPECT_EQ(*store().PositionAt(before), 0u);
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g1", 0, {"a", "b"})).ok());
  const int64_t between = absl::ToUnixMicros(absl::Now());
  absl::SleepFor(absl::Milliseconds(2));
  ASSERT_TRUE(store().AppendAndWait(OneStream("o/g1", 2, {"c"})).ok());
  Reopen();
  EXPECT_EQ(*store().PositionAt(before - 1), 0u);
  EXPECT_EQ(*store().PositionAt(between), 2u);
  EXPECT_EQ(*store().PositionAt(absl::ToUnixMicros(absl::Now())), 3u);
}

TEST_P(EventStoreContractTest, RecordTimesNeverGoBackInLogOrder) {
  AppendRequest first = OneStream("o/g1", 0, {"a", "b"});
  first.record_micros = 1'700'000'000'000'000;
  ASSERT_TRUE(store().AppendAndWait(std::move(first)).ok());
  EXPECT_EQ(store().GetHead().record_micros, 1'700'000'000'000'000);
  // Decided before the last append but submitted after it: refused, nothing
  // written, so that the writer decides again with a later time.
  AppendRequest late = OneStream("o/g2", 0, {"c"});
  late.record_micros = 1'699'999'999'999'999;
  absl::StatusOr<AppendResult> refused = store().AppendAndWait(std::move(late));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store().GetHead().position, 2u);
  AppendRequest same = OneStream("o/g2", 0, {"c"});
  same.record_micros = 1'700'000'000'000'000;
  ASSERT_TRUE(store().AppendAndWait(std::move(same)).ok());
  AppendRequest next = OneStream("o/g3", 0, {"d"});
  next.record_micros = 1'700'000'000'000'007;
  ASSERT_TRUE(store().AppendAndWait(std::move(next)).ok());
  Reopen();
  // As of a time, the log holds everything recorded at or before it.
  EXPECT_EQ(*store().PositionAt(1'699'999'999'999'999), 0u);
  EXPECT_EQ(*store().PositionAt(1'700'000'000'000'000), 3u);
  EXPECT_EQ(*store().PositionAt(1'700'000'000'000'006), 3u);
  EXPECT_EQ(*store().PositionAt(1'700'000'000'000'007), 4u);
  // Reopened, the store still refuses a time before its last.
  EXPECT_EQ(store().GetHead().record_micros, 1'700'000'000'000'007);
  AppendRequest behind = OneStream("o/g4", 0, {"e"});
  behind.record_micros = 1'700'000'000'000'006;
  EXPECT_EQ(store().AppendAndWait(std::move(behind)).status().code(), absl::StatusCode::kAborted);
}

INSTANTIATE_TEST_SUITE_P(Stores, EventStoreContractTest, testing::Values("memory", "rocksdb"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace dxledger::storage
