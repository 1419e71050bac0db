// The write fence: which failures stop writes, what it says, what lifts it.
#include "storage/write_fence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dxledger::storage {
namespace {

using ::testing::HasSubstr;

TEST(WriteFenceTest, OnlyFailuresOnTheDiskStopWrites) {
  EXPECT_TRUE(WriteFence::Stops(rocksdb::Status::IOError("fdatasync")));
  EXPECT_TRUE(WriteFence::Stops(rocksdb::Status::NoSpace("appending")));
  EXPECT_TRUE(WriteFence::Stops(rocksdb::Status::Corruption("block checksum mismatch")));
  EXPECT_FALSE(WriteFence::Stops(rocksdb::Status::OK()));
  EXPECT_FALSE(WriteFence::Stops(rocksdb::Status::Busy()));
  EXPECT_FALSE(WriteFence::Stops(rocksdb::Status::TryAgain()));
  EXPECT_FALSE(WriteFence::Stops(rocksdb::Status::InvalidArgument("an option")));
}

TEST(WriteFenceTest, AFailedSyncStopsWritesUntilAReopenAndKeepsTheFirstCause) {
  WriteFence fence;
  EXPECT_TRUE(fence.Check().ok());
  absl::Status stopped =
      fence.Stop(rocksdb::Status::IOError("While fdatasync: 000028.log"), "a write or its sync");
  EXPECT_EQ(stopped.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(stopped.message()), HasSubstr("a write or its sync to the disk failed"));
  EXPECT_THAT(std::string(stopped.message()), HasSubstr("While fdatasync: 000028.log"));
  EXPECT_THAT(std::string(stopped.message()), HasSubstr("restart dxledgerd"));
  EXPECT_TRUE(fence.stopped());
  EXPECT_FALSE(fence.stopped_for_space());
  // A later failure (the disk filling too) does not rewrite the cause.
  (void)fence.Stop(rocksdb::Status::NoSpace("later"), "a flush");
  EXPECT_EQ(fence.Check(), stopped);
  EXPECT_FALSE(fence.stopped_for_space());
}

TEST(WriteFenceTest, AFullDiskSaysWritingResumesAndCanBeLifted) {
  WriteFence fence;
  absl::Status stopped = fence.Stop(rocksdb::Status::NoSpace("While appending"), "a write");
  EXPECT_EQ(stopped.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(stopped.message()), HasSubstr("the disk filled during a write"));
  EXPECT_THAT(std::string(stopped.message()), HasSubstr("resumes by itself"));
  EXPECT_TRUE(fence.stopped_for_space());
  fence.Lift();
  EXPECT_TRUE(fence.Check().ok());
  EXPECT_FALSE(fence.stopped());
}

// Full again after a resume, with no write through since: RocksDB resumed
// twice like that aborts on the next write, so only a restart lifts it.
// One write through in between, and the next full disk resumes as before.
TEST(WriteFenceTest, AFullDiskAgainBeforeAnyWriteSucceededNeedsARestart) {
  WriteFence fence;
  (void)fence.Stop(rocksdb::Status::NoSpace("While appending"), "a write");
  fence.Lift();
  absl::Status again = fence.Stop(rocksdb::Status::NoSpace("While appending"), "a write");
  EXPECT_EQ(again.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(again.message()), HasSubstr("filled again"));
  EXPECT_THAT(std::string(again.message()), HasSubstr("restart dxledgerd"));
  EXPECT_FALSE(fence.stopped_for_space());

  WriteFence proven;
  (void)proven.Stop(rocksdb::Status::NoSpace("While appending"), "a write");
  proven.Lift();
  proven.Succeeded();
  absl::Status later = proven.Stop(rocksdb::Status::NoSpace("While appending"), "a write");
  EXPECT_THAT(std::string(later.message()), HasSubstr("resumes by itself"));
  EXPECT_TRUE(proven.stopped_for_space());
}

}  // namespace
}  // namespace dxledger::storage
