// Maintenance::Verify against bytes changed under the store's feet: each
// kind of damage is named, with what to do about it, and what can be
// rebuilt from the log is.
#include <gtest/gtest.h>

#include "service/ledger/codec.h"
#include "service/ledger/projection.h"
#include "service/ledger/streams.h"
#include "storage/hash_chain.h"
#include "storage/keys.h"
#include "tests/ledger/ledger_fixture.h"

namespace dxledger::ledger {
namespace {

using storage::Family;
namespace keys = storage::keys;

TEST_F(LedgerTest, VerifyCatchesAViewThatDisagreesWithTheLogAndRebuildMendsIt) {
  Must(Create("a", 2021, {"総務部"}));
  Must(Rate("a", v1::RATING_B));
  absl::StatusOr<VerifyReport> report = ledger_.maintenance().Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->events_checked, 2u);
  EXPECT_EQ(report->views_checked, 1u);

  v1::Goal forged = *ledger_.queries().GetGoal({"050008", "a"});
  forged.set_rating(v1::RATING_A);
  Tamper(storage::Family::kViews, "050008/a", storage::keys::BigEndian64(2) + EncodeGoal(forged));
  Tamper(storage::Family::kViews, "050008/ghost", storage::keys::BigEndian64(1) + "x");
  absl::Status status = ledger_.maintenance().Verify().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("organizations/050008/goals/a"), absl::string_view::npos)
      << status;

  ASSERT_EQ(*ledger_.maintenance().RebuildViews(), 1u);
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
  EXPECT_EQ(ledger_.queries().GetGoal({"050008", "a"})->rating(), v1::RATING_B);
  EXPECT_EQ(ledger_.queries().GetGoal({"050008", "ghost"}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(LedgerTest, VerifyCatchesAnAlteredAuditIndexAndRebuildMendsIt) {
  Must(Create("a", 2021, {"総務部"}));
  Must(Rate("a", v1::RATING_D, "somu"));
  // Someone rewrites who made the change in the rating-change index.
  std::string key, value;
  ASSERT_TRUE(store_
                  ->Scan(storage::Keyspace::kIndex, RatingChangesPrefix("050008"), "",
                         [&](std::string_view k, std::string_view v) {
                           key = std::string(k);
                           value = std::string(v);
                           return false;
                         })
                  .ok());
  v1::RatingChange change;
  ASSERT_TRUE(change.ParseFromString(value));
  change.set_actor("someone-else");
  Tamper(storage::Family::kIndex, key, change.SerializeAsString());
  EXPECT_EQ(ledger_.maintenance().Verify().status().code(), absl::StatusCode::kDataLoss);

  ASSERT_TRUE(ledger_.maintenance().RebuildViews().ok());
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
  EXPECT_EQ(ledger_.queries().ListRatingChanges({"050008"}, 0, "")->items[0].actor(), "somu");
}

TEST_F(LedgerTest, VerifyCatchesAStreamIndexThatDisagreesWithTheLog) {
  Must(Create("a", 2021, {"総務部"}));
  Must(Rate("a", v1::RATING_B));
  Must(Create("b", 2021, {"総務部"}));
  ASSERT_TRUE(ledger_.maintenance().Verify().ok());
  const std::string key = storage::keys::StreamKey("050008/a", 2);
  const std::string entry = **kv_->Get(storage::Family::kStreams, key);

  // A forger rewrites the copy of the rating in the stream index, with a
  // hash that matches the forged record: reads cannot tell, verify can.
  absl::StatusOr<storage::LogRecord> record = store_->ReadEvent(2);
  ASSERT_TRUE(record.ok());
  v1::Event event = *DecodeEvent(*record);
  event.mutable_rating_set()->set_rating(v1::RATING_A);
  event.clear_position();
  event.clear_hash();
  event.clear_prev_hash();
  const std::string body = event.SerializeAsString();
  Tamper(storage::Family::kStreams, key,
         storage::keys::BigEndian64(2) +
             storage::EncodeLogValue(record->prev_hash,
                                     storage::EventHash(record->prev_hash, 2, body), body));
  ASSERT_EQ(ledger_.queries().FoldGoal({"050008", "a"})->rating(), v1::RATING_A);
  absl::Status status = ledger_.maintenance().Verify().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("position 2"), absl::string_view::npos) << status;

  // An entry filed under another goal.
  Tamper(storage::Family::kStreams, key, entry);
  ASSERT_TRUE(ledger_.maintenance().Verify().ok());
  Tamper(storage::Family::kStreams, storage::keys::StreamKey("050008/b", 2), entry);
  EXPECT_EQ(ledger_.maintenance().Verify().status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(LedgerTest, VerifyCatchesARequestRecordPointedAtAnotherRequestsEvents) {
  Must(Create("a", 2021, {"総務部"}));
  Must(Rate("a", v1::RATING_B, "editor", "r1"));  // position 2
  Must(Rate("a", v1::RATING_C, "editor", "r2"));  // position 3
  ASSERT_TRUE(ledger_.maintenance().Verify().ok());
  const std::string key = RequestKeyOf("050008", "editor", "r2");
  const std::string record = **kv_->Get(Family::kRequests, key);
  Tamper(Family::kRequests, key, keys::BigEndian64(2) + keys::BigEndian64(2) + record.substr(16));
  // The harm: a retry of r2 is answered with r1's event.
  absl::StatusOr<CommandOutcome> replay =
      ledger_.writer().ExecuteAndWait(Rate("a", v1::RATING_C, "editor", "r2"));
  ASSERT_TRUE(replay.ok()) << replay.status();
  ASSERT_EQ(replay->events.size(), 1u);
  EXPECT_EQ(replay->events[0].position(), 2u);
  absl::Status status = ledger_.maintenance().Verify().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(status.message(),
            "the record of request id \"r2\" sent by editor (050008) differs from the log: "
            "restore the data directory from a backup");

  // A record deleted: a retry would write its command a second time.
  Tamper(Family::kRequests, key, record);
  ASSERT_TRUE(ledger_.maintenance().Verify().ok());
  Erase(Family::kRequests, RequestKeyOf("050008", "editor", "r1"));
  status = ledger_.maintenance().Verify().status();
  EXPECT_EQ(status.message(),
            "the record of request id \"r1\" sent by editor (050008) is missing though it "
            "follows from the log: restore the data directory from a backup");
  // Rebuilding the views does not mend it: the record's fingerprint is not
  // in the log.
  ASSERT_TRUE(ledger_.maintenance().RebuildViews().ok());
  EXPECT_EQ(ledger_.maintenance().Verify().status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(LedgerTest, VerifyCatchesARewrittenTimeIndexAndRebuildMendsIt) {
  Must(Create("a", 2021, {"総務部"}));
  now_ += absl::Seconds(1);
  Must(Rate("a", v1::RATING_B));
  const absl::Time rated = now_;
  now_ += absl::Seconds(1);
  Must(Rate("a", v1::RATING_C));
  ASSERT_TRUE(ledger_.maintenance().Verify().ok());
  ASSERT_EQ(**ledger_.queries().ResolveAsOf(AsOf{.time = rated}), 2u);

  // The entry for the rating's time is moved back one event: an as-of read
  // at that time no longer shows the rating.
  Tamper(Family::kMeta, keys::CommitTimeKey(absl::ToUnixMicros(rated)), keys::BigEndian64(1));
  EXPECT_EQ(**ledger_.queries().ResolveAsOf(AsOf{.time = rated}), 1u);
  absl::Status status = ledger_.maintenance().Verify().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(status.message(),
            "the time-index entry for 2022-01-01T00:00:01+00:00 differs from the log: rebuild "
            "the views");
  // An entry for a time no event has.
  ASSERT_TRUE(ledger_.maintenance().RebuildViews().ok());
  ASSERT_TRUE(ledger_.maintenance().Verify().ok());
  EXPECT_EQ(**ledger_.queries().ResolveAsOf(AsOf{.time = rated}), 2u);
  Tamper(Family::kMeta, keys::CommitTimeKey(absl::ToUnixMicros(rated) + 1), keys::BigEndian64(3));
  status = ledger_.maintenance().Verify().status();
  EXPECT_NE(status.message().find("is stored but does not follow from the log"),
            std::string_view::npos)
      << status;
  ASSERT_TRUE(ledger_.maintenance().RebuildViews().ok());
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

// A forger with the files rewrites an old event and recomputes every hash
// of the chain after it, the head and the stream index: the chain verifies,
// the Merkle tree stored with the events does not match.
TEST_F(LedgerTest, VerifyCatchesAnOldEventRewrittenWithTheChainRecomputed) {
  Must(Create("a", 2021, {"総務部"}));
  for (int i = 0; i < 17; ++i) Must(Rate("a", i % 2 ? v1::RATING_A : v1::RATING_B));
  const uint64_t head = store_->GetHead().position;
  ASSERT_EQ(head, 18u);
  ASSERT_TRUE(ledger_.maintenance().Verify().ok());

  std::string prev_hash = store_->ReadEvent(1)->hash;
  for (uint64_t position = 2; position <= head; ++position) {
    absl::StatusOr<storage::LogRecord> record = store_->ReadEvent(position);
    ASSERT_TRUE(record.ok());
    v1::Event event = *DecodeEvent(*record);
    if (position == 2) event.mutable_rating_set()->set_rationale("改竄された根拠");
    event.clear_position();
    event.clear_hash();
    event.clear_prev_hash();
    const std::string body = event.SerializeAsString();
    const std::string hash = storage::EventHash(prev_hash, position, body);
    const std::string value = storage::EncodeLogValue(prev_hash, hash, body);
    Tamper(Family::kLog, keys::BigEndian64(position), value);
    Tamper(Family::kStreams, keys::StreamKey("050008/a", position),
           keys::BigEndian64(position) + value);
    prev_hash = hash;
  }
  Tamper(Family::kMeta, std::string(keys::kHeadKey), keys::BigEndian64(head) + prev_hash);
  // As the store reads it from disk (the writer keeps its own head).
  ASSERT_TRUE(storage::VerifyChain(**store_->Snapshot()).ok());

  absl::Status status = ledger_.maintenance().Verify().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(status.message(),
            "the Merkle tree's record at level 4 index 0 differs from the log: restore the data "
            "directory from a backup");
}

}  // namespace
}  // namespace dxledger::ledger
