#include "storage/append_plan.h"

#include <gtest/gtest.h>

#include "storage/keys.h"
#include "storage/memory_kv.h"

namespace dxledger::storage {
namespace {

// A memory store that counts its reads.
class CountingKv : public MemoryKv {
 public:
  absl::StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) override {
    ++gets;
    return MemoryKv::Get(family, key);
  }
  int gets = 0;
};

class PendingStateTest : public testing::Test {
 protected:
  // Sets the stored view of `stream` to `version`, under the writer's feet.
  void StoreVersion(const std::string& stream, uint64_t version) {
    Put put{Family::kViews, stream, keys::BigEndian64(version) + "view"};
    ASSERT_TRUE(kv_.Write({&put, 1}, false).ok());
  }
  CountingKv kv_;
  PendingState state_{kv_};
};

TEST_F(PendingStateTest, AWrittenBatchsVersionsAreRememberedWithoutARead) {
  StoreVersion("o/g", 3);
  EXPECT_EQ(*state_.StreamVersion("o/g"), 3u);
  EXPECT_EQ(kv_.gets, 1);
  state_.SetStreamVersion("o/g", 5);
  state_.EndBatch(/*stored=*/true);
  StoreVersion("o/g", 5);
  EXPECT_EQ(*state_.StreamVersion("o/g"), 5u);
  EXPECT_EQ(kv_.gets, 1);  // remembered, not read
  EXPECT_EQ(*state_.StreamVersion("o/other"), 0u);
  EXPECT_EQ(kv_.gets, 2);  // never written by this writer: read
}

TEST_F(PendingStateTest, AFailedBatchForgetsEverythingRemembered) {
  state_.SetStreamVersion("o/g", 5);
  state_.EndBatch(/*stored=*/true);
  // A write that failed may have left the store anywhere: read it again.
  StoreVersion("o/g", 6);
  state_.SetStreamVersion("o/g", 7);
  state_.EndBatch(/*stored=*/false);
  EXPECT_EQ(state_.remembered(), 0u);
  EXPECT_EQ(*state_.StreamVersion("o/g"), 6u);
  EXPECT_EQ(kv_.gets, 1);
}

TEST_F(PendingStateTest, RememberedVersionsAreBounded) {
  for (size_t i = 0; i <= PendingState::kMaxRemembered; ++i) {
    state_.SetStreamVersion("o/g" + std::to_string(i), 1);
    state_.EndBatch(/*stored=*/true);
    ASSERT_LE(state_.remembered(), PendingState::kMaxRemembered);
  }
  EXPECT_GT(state_.remembered(), 0u);
}

}  // namespace
}  // namespace dxledger::storage
