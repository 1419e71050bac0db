#include "storage/hash_chain.h"

#include <gtest/gtest.h>

#include "storage/keys.h"
#include "storage/log_store.h"
#include "storage/memory_kv.h"

namespace dxledger::storage {
namespace {

// A memory store whose bytes the test can reach under the store's feet.
class TamperTest : public testing::Test {
 protected:
  void SetUp() override {
    auto kv = std::make_unique<MemoryKv>();
    kv_ = kv.get();
    store_ = *LogStore::Open(std::move(kv), false);
    for (int i = 1; i <= 5; ++i) {
      AppendRequest request;
      request.streams.push_back({"o/g", uint64_t(i - 1), {"event-" + std::to_string(i)}, "v"});
      ASSERT_TRUE(store_->AppendAndWait(std::move(request)).ok());
    }
  }
  std::string LogValue(uint64_t position) {
    return **kv_->Get(Family::kLog, keys::BigEndian64(position));
  }
  void SetLogValue(uint64_t position, std::string value) {
    Put put{Family::kLog, keys::BigEndian64(position), std::move(value)};
    ASSERT_TRUE(kv_->Write({&put, 1}, false).ok());
  }

  MemoryKv* kv_ = nullptr;
  std::unique_ptr<LogStore> store_;
};

TEST_F(TamperTest, IntactLogVerifies) {
  absl::StatusOr<ChainReport> report = VerifyChain(*store_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->events_checked, 5u);
  EXPECT_EQ(report->head.position, 5u);
}

TEST_F(TamperTest, FlippedByteIsDataLossAtItsPosition) {
  std::string value = LogValue(3);
  value.back() ^= 0x01;
  SetLogValue(3, value);
  absl::Status status = VerifyChain(*store_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("position 3"), absl::string_view::npos) << status;
  // Reads refuse to serve the altered event as if it were good.
  EXPECT_EQ(store_->ReadEvent(3).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store_->ReadLog(1, 10).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(store_->ReadEvent(2).ok());
}

TEST_F(TamperTest, AStreamReadServesNoAlteredCopy) {
  const std::string key = keys::StreamKey("o/g", 3);
  std::string entry = **kv_->Get(Family::kStreams, key);
  ASSERT_EQ(entry.substr(8), LogValue(3));  // the position, then the log's record
  entry.back() ^= 0x01;
  Put put{Family::kStreams, key, entry};
  ASSERT_TRUE(kv_->Write({&put, 1}, false).ok());
  EXPECT_EQ(store_->ReadStream("o/g", 1, 10).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store_->ReadStream("o/g", 4, 10)->size(), 2u);  // the rest reads
}

TEST_F(TamperTest, AStreamEntryHoldingOnlyAPositionIsReadFromTheLog) {
  // Entries written before the stream index carried copies.
  Put put{Family::kStreams, keys::StreamKey("o/g", 2), keys::BigEndian64(2)};
  ASSERT_TRUE(kv_->Write({&put, 1}, false).ok());
  absl::StatusOr<std::vector<LogRecord>> records = store_->ReadStream("o/g", 1, 10);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 5u);
  EXPECT_EQ((*records)[1].position, 2u);
  EXPECT_EQ((*records)[1].body, "event-2");
  EXPECT_EQ((*records)[2].body, "event-3");
}

TEST_F(TamperTest, RehashedEventBreaksTheLinkAfterIt) {
  // A forger who recomputes the altered event's own hash still breaks the
  // next event's link.
  std::string value = LogValue(2);
  const std::string prev = value.substr(0, kHashBytes);
  const std::string body = "forged";
  SetLogValue(2, EncodeLogValue(prev, EventHash(prev, 2, body), body));
  absl::Status status = VerifyChain(*store_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("position 3"), absl::string_view::npos) << status;
}

TEST_F(TamperTest, RewrittenLastEventDisagreesWithTheHead) {
  std::string value = LogValue(5);
  const std::string prev = value.substr(0, kHashBytes);
  SetLogValue(5, EncodeLogValue(prev, EventHash(prev, 5, "forged"), "forged"));
  EXPECT_EQ(VerifyChain(*store_).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(TamperTest, TruncatedRecordIsDataLoss) {
  SetLogValue(4, "short");
  absl::Status status = VerifyChain(*store_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("position 4"), absl::string_view::npos) << status;
}

}  // namespace
}  // namespace dxledger::storage
