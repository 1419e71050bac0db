#include "service/ledger/pending_views.h"

#include <gtest/gtest.h>

#include <optional>

namespace dxledger::ledger {
namespace {

class PendingViewsTest : public testing::Test {
 protected:
  std::optional<std::string> View(const std::string& stream) {
    PendingViews::Claim claim(views_, {stream});
    if (claim.view(stream) == nullptr) return std::nullopt;
    return *claim.view(stream);
  }
  uint64_t Submit(const std::string& stream, std::string view) {
    PendingViews::Claim claim(views_, {stream});
    return claim.Submitted(stream, std::move(view));
  }

  PendingViews views_;
};

TEST_F(PendingViewsTest, AStreamWithNothingInFlightReadsTheStore) {
  EXPECT_EQ(View("g"), std::nullopt);
  const uint64_t ticket = Submit("g", "v1");
  EXPECT_EQ(View("g"), "v1");
  EXPECT_EQ(View("other"), std::nullopt);
  views_.Finished("g", ticket, true);
  EXPECT_EQ(View("g"), std::nullopt);
}

TEST_F(PendingViewsTest, AppendsInFlightChainOnTheLatestView) {
  const uint64_t first = Submit("g", "v1");
  const uint64_t second = Submit("g", "v2");
  EXPECT_EQ(View("g"), "v2");
  views_.Finished("g", first, true);
  EXPECT_EQ(View("g"), "v2");  // the second is still in flight
  views_.Finished("g", second, true);
  EXPECT_EQ(View("g"), std::nullopt);
}

TEST_F(PendingViewsTest, AFailureSendsTheNextClaimantToTheStoreOnce) {
  const uint64_t first = Submit("g", "v1");
  const uint64_t doomed = Submit("g", "v2 on v1");
  views_.Finished("g", first, false);
  EXPECT_EQ(View("g"), std::nullopt);  // v2 builds on the failed v1
  const uint64_t fresh = Submit("g", "v1 again, from the store");
  EXPECT_EQ(View("g"), "v1 again, from the store");
  // The append built on the failed one fails as foreseen; the fresh chain stands.
  views_.Finished("g", doomed, false);
  EXPECT_EQ(View("g"), "v1 again, from the store");
  const uint64_t next = Submit("g", "v2 on the fresh v1");
  // A failure in the fresh chain sends claimants to the store again.
  views_.Finished("g", fresh, false);
  EXPECT_EQ(View("g"), std::nullopt);
  views_.Finished("g", next, false);
  EXPECT_EQ(View("g"), std::nullopt);
}

TEST_F(PendingViewsTest, OneClaimSpansStreamsOfOneShard) {
  // Sixty-five streams fill at least one shard twice; a claim locks each
  // shard once.
  std::vector<std::string> streams;
  for (int i = 0; i < 65; ++i) streams.push_back("g" + std::to_string(i));
  {
    PendingViews::Claim claim(views_, streams);
    for (const std::string& stream : streams) {
      EXPECT_EQ(claim.view(stream), nullptr);
      claim.Submitted(stream, stream);
      EXPECT_EQ(*claim.view(stream), stream);
    }
  }
  EXPECT_EQ(View("g64"), "g64");
}

}  // namespace
}  // namespace dxledger::ledger
