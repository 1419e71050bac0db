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

}  // namespace
}  // namespace dxledger::storage
