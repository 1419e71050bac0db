// The security log's own hash chain: records read back in order, and each
// way of removing or changing them named by VerifySecurityLog.
#include "storage/security_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tuple>

#include "storage/keys.h"
#include "storage/log_store.h"
#include "storage/memory_kv.h"

namespace dxledger::storage {
namespace {

using ::testing::HasSubstr;

class SecurityLogTest : public testing::Test {
 protected:
  void SetUp() override { Reopen(std::make_unique<MemoryKv>()); }
  void Reopen(std::unique_ptr<MemoryKv> kv) {
    kv_ = kv.get();
    store_ = *LogStore::Open(std::move(kv), false);
  }
  // The records as Scan hands them over, in key order.
  std::vector<std::string> Records() {
    std::vector<std::string> records;
    EXPECT_TRUE(store_
                    ->Scan(Keyspace::kSecurity, "", "",
                           [&](std::string_view, std::string_view value) {
                             records.emplace_back(value);
                             return true;
                           })
                    .ok());
    return records;
  }
  // The stored keys of the security family, in order.
  std::vector<std::string> Keys() {
    std::vector<std::string> found;
    EXPECT_TRUE(kv_->Scan(Family::kSecurity, "", "",
                          [&](std::string_view key, std::string_view) {
                            found.emplace_back(key);
                            return true;
                          })
                    .ok());
    return found;
  }
  void Write(Put put) { ASSERT_TRUE(kv_->Write({&put, 1}, false).ok()); }
  std::string VerifyError() { return std::string(store_->VerifySecurityLog().status().message()); }

  MemoryKv* kv_ = nullptr;
  std::unique_ptr<LogStore> store_;
};

TEST_F(SecurityLogTest, RecordsChainInTimeOrderEvenWhenAClockGoesBack) {
  ASSERT_TRUE(store_->RecordSecurityEvent(2000, "first").ok());
  ASSERT_TRUE(store_->RecordSecurityEvent(1000, "second, from a clock behind").ok());
  ASSERT_TRUE(store_->RecordSecurityEvent(3000, "third").ok());
  EXPECT_THAT(Records(), ::testing::ElementsAre("first", "second, from a clock behind", "third"));
  absl::StatusOr<SecurityHead> head = store_->VerifySecurityLog();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->records, 3u);
  EXPECT_EQ(*head, store_->GetSecurityHead());
}

TEST_F(SecurityLogTest, TheChainGoesOnAfterReopening) {
  ASSERT_TRUE(store_->RecordSecurityEvent(5000, "before").ok());
  // Reopen the same bytes: a new store continues the chain.
  auto copy = std::make_unique<MemoryKv>();
  ASSERT_TRUE(kv_->Scan(Family::kSecurity, "", "",
                        [&](std::string_view k, std::string_view v) {
                          Put put{Family::kSecurity, std::string(k), std::string(v)};
                          return copy->Write({&put, 1}, false).ok();
                        })
                  .ok());
  ASSERT_TRUE(kv_->Scan(Family::kMeta, "", "",
                        [&](std::string_view k, std::string_view v) {
                          Put put{Family::kMeta, std::string(k), std::string(v)};
                          return copy->Write({&put, 1}, false).ok();
                        })
                  .ok());
  Reopen(std::move(copy));
  ASSERT_TRUE(store_->RecordSecurityEvent(4000, "after, clock behind").ok());
  EXPECT_THAT(Records(), ::testing::ElementsAre("before", "after, clock behind"));
  EXPECT_EQ(store_->VerifySecurityLog()->records, 2u);
}

// A store from before the chain: bare records, sequence numbers that began
// again at each start. Opening chains them, and the log goes on from there.
TEST_F(SecurityLogTest, RecordsFromBeforeTheChainAreChainedOnOpening) {
  auto legacy = std::make_unique<MemoryKv>();
  for (const auto& [micros, sequence, record] :
       std::vector<std::tuple<uint64_t, uint64_t, std::string>>{
           {1000, 0, "old 1"}, {2000, 1, "old 2"}, {3000, 0, "old 3, after a restart"}}) {
    Put put{Family::kSecurity, keys::BigEndian64(micros) + keys::BigEndian64(sequence), record};
    ASSERT_TRUE(legacy->Write({&put, 1}, false).ok());
  }
  Reopen(std::move(legacy));
  ASSERT_TRUE(store_->RecordSecurityEvent(4000, "new").ok());
  EXPECT_THAT(Records(), ::testing::ElementsAre("old 1", "old 2", "old 3, after a restart", "new"));
  absl::StatusOr<SecurityHead> head = store_->VerifySecurityLog();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->records, 4u);
}

TEST_F(SecurityLogTest, EachRemovalOrChangeIsNamed) {
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(store_->RecordSecurityEvent(1000 * i, "record " + std::to_string(i)).ok());
  }
  const std::vector<std::string> keys = Keys();
  const std::string second = **kv_->Get(Family::kSecurity, keys[1]);

  // One removed from the middle.
  Write({Family::kSecurity, keys[1], "", true});
  EXPECT_THAT(VerifyError(), HasSubstr("the security log's record 2 (recorded "
                                       "1970-01-01T00:00:00.003+00:00) does not follow the one "
                                       "before it: records were removed, changed or reordered"));
  // One changed.
  Write({Family::kSecurity, keys[1], second.substr(0, kHashBytes) + "record 2, rewritten"});
  EXPECT_THAT(VerifyError(), HasSubstr("the security log's record 3"));
  Write({Family::kSecurity, keys[1], second});
  ASSERT_TRUE(store_->VerifySecurityLog().ok());

  // The last removed: the head says more.
  Write({Family::kSecurity, keys[3], "", true});
  EXPECT_THAT(VerifyError(), HasSubstr("the security log holds 3 records, but its head says 4"));

  // The head rolled back too: the seal still covers four.
  const SecurityHead sealed_at_4 = [&] {
    SecurityHead head;
    head.records = 4;
    head.hash = store_->GetSecurityHead().hash;
    return head;
  }();
  ASSERT_TRUE(store_->RecordSecuritySeal({sealed_at_4, "signed note"}).ok());
  absl::StatusOr<std::optional<SecuritySeal>> seal = store_->LatestSecuritySeal();
  ASSERT_TRUE(seal.ok() && seal->has_value());
  EXPECT_EQ((*seal)->note, "signed note");
  EXPECT_EQ((*seal)->head, sealed_at_4);
  SecurityHead three;
  three.records = 3;
  three.hash = std::string(kHashBytes, 'x');
  Write({Family::kMeta, "s", keys::BigEndian64(3) + three.hash});
  EXPECT_THAT(VerifyError(),
              HasSubstr("the security log holds 3 records, but its seal (signed) covers 4"));

  // Everything deleted, head and all: the seal still says four.
  for (int i = 0; i < 3; ++i) Write({Family::kSecurity, keys[i], "", true});
  Write({Family::kMeta, "s", "", true});
  EXPECT_THAT(VerifyError(),
              HasSubstr("the security log holds 0 records, but its seal (signed) covers 4"));
}

}  // namespace
}  // namespace dxledger::storage
