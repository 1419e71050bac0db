// The plan transition end to end on the seed's 23 FY2021 goals: roll over to
// FY2022 under the DX plan, rate, correct a closed year, and ask lineage,
// year-over-year and as-of questions.
#include <gtest/gtest.h>

#include <future>

#include "fmt/format.h"
#include "service/ledger/codec.h"
#include "service/ledger/ledger.h"
#include "storage/stores.h"
#include "tests/fixture.h"

namespace dxledger::ledger {
namespace {

using domain::GoalName;

std::string Name(const std::string& id) { return "organizations/050008/goals/" + id; }

class RolloverTest : public testing::Test {
 protected:
  void SetUp() override {
    ImportRequest import;
    import.organization = "050008";
    import.fiscal_year = 2021;
    import.format = v1::REPORT_FORMAT_TEXT;
    import.content = testsupport::ReadFile(SEED_REPORT);
    import.file_name = "seed.txt";
    import.actor = "hq";
    ASSERT_TRUE(ledger_.reports().ImportAndWait(import).ok());
  }

  // Continued for every goal but: 04+05 merged into fy2022-m, 09 split into
  // fy2022-s1/s2, 12 replaced by fy2022-r, 23 dropped; fy2022-new has no ancestor.
  v1::RollOverFiscalYearRequest Plan() {
    v1::RollOverFiscalYearRequest request;
    request.set_from_year(2021);
    request.set_plan_framework(v1::PLAN_FRAMEWORK_DX_PLAN);
    auto add_goal = [&](const std::string& id, const std::string& title) {
      v1::NewGoal* goal = request.add_new_goals();
      goal->set_goal_id(id);
      goal->add_departments("企画振興部");
      goal->set_title(title);
    };
    auto decide = [&](int number, v1::LineageRelation relation, std::vector<std::string> to) {
      v1::GoalDecision* decision = request.add_decisions();
      decision->set_goal(fmt::format("fy2021-{:02d}", number));
      decision->set_relation(relation);
      for (const std::string& t : to) decision->add_to_goals(t);
    };
    for (int n = 1; n <= 23; ++n) {
      if (n == 4 || n == 5 || n == 9 || n == 12 || n == 23) continue;
      add_goal(fmt::format("fy2022-{:02d}", n), fmt::format("継続目標 {}", n));
      decide(n, v1::LINEAGE_RELATION_CONTINUED, {fmt::format("fy2022-{:02d}", n)});
    }
    add_goal("fy2022-m", "財務と予算のシステム連携");
    decide(4, v1::LINEAGE_RELATION_MERGED, {"fy2022-m"});
    decide(5, v1::LINEAGE_RELATION_MERGED, {"fy2022-m"});
    add_goal("fy2022-s1", "高齢者向け操作体験会");
    add_goal("fy2022-s2", "デジタル活用サポーターの育成");
    decide(9, v1::LINEAGE_RELATION_SPLIT, {"fy2022-s1", "fy2022-s2"});
    add_goal("fy2022-r", "観光DXの推進（計画版）");
    decide(12, v1::LINEAGE_RELATION_REPLACED, {"fy2022-r"});
    decide(23, v1::LINEAGE_RELATION_DROPPED, {});
    add_goal("fy2022-new", "新しい取組");
    return request;
  }

  absl::StatusOr<WriteOutcome> RollOver(const v1::RollOverFiscalYearRequest& request) {
    domain::RolloverRequest rollover;
    rollover.plan_framework = request.plan_framework();
    rollover.new_goals.assign(request.new_goals().begin(), request.new_goals().end());
    rollover.decisions.assign(request.decisions().begin(), request.decisions().end());
    std::promise<absl::StatusOr<WriteOutcome>> promise;
    ledger_.writer().RollOver(
        {"050008", request.from_year()}, std::move(rollover), "hq", request.request_id(),
        request.reason(),
        [&](absl::StatusOr<WriteOutcome> outcome) { promise.set_value(outcome); });
    return promise.get_future().get();
  }

  void Rate(const std::string& id, v1::Rating rating) {
    CommandRequest request;
    request.method = "SetRating";
    request.command.goal = {"050008", id};
    request.command.proposal.mutable_rating_set()->set_rating(rating);
    request.actor = "editor";
    absl::StatusOr<CommandOutcome> outcome = ledger_.writer().ExecuteAndWait(request);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    last_ = *std::move(outcome);
  }

  std::unique_ptr<storage::LogStore> store_ = storage::NewMemoryEventStore();
  Ledger ledger_{*store_, "050008"};
  CommandOutcome last_;
};

TEST_F(RolloverTest, RefusesUndecidedGoalsUnknownFrameworksAndBadRelations) {
  const uint64_t head = ledger_.queries().head().position;
  v1::RollOverFiscalYearRequest missing = Plan();
  missing.mutable_decisions()->RemoveLast();
  missing.mutable_decisions()->RemoveLast();
  absl::Status status = RollOver(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("2 goals of FY2021"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("fy2021-23"), absl::string_view::npos) << status;

  v1::RollOverFiscalYearRequest unknown = Plan();
  unknown.set_plan_framework(static_cast<v1::PlanFramework>(7));
  EXPECT_EQ(RollOver(unknown).status().code(), absl::StatusCode::kInvalidArgument);
  unknown.set_plan_framework(v1::PLAN_FRAMEWORK_UNSPECIFIED);
  EXPECT_EQ(RollOver(unknown).status().code(), absl::StatusCode::kInvalidArgument);

  v1::RollOverFiscalYearRequest lone_merge = Plan();
  lone_merge.mutable_decisions(0)->set_relation(v1::LINEAGE_RELATION_MERGED);
  EXPECT_EQ(RollOver(lone_merge).status().code(), absl::StatusCode::kInvalidArgument);
  v1::RollOverFiscalYearRequest bad_target = Plan();
  bad_target.mutable_decisions(0)->set_to_goals(0, "fy2022-nowhere");
  EXPECT_EQ(RollOver(bad_target).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_.queries().head().position, head);
}

TEST_F(RolloverTest, ThePlanTransitionEndToEnd) {
  absl::StatusOr<WriteOutcome> rolled = RollOver(Plan());
  ASSERT_TRUE(rolled.ok()) << rolled.status();
  absl::StatusOr<v1::FiscalYear> fy2021 = ledger_.queries().GetFiscalYear({"050008", 2021});
  ASSERT_TRUE(fy2021.ok());
  EXPECT_EQ(fy2021->state(), v1::FISCAL_YEAR_STATE_CLOSED);
  EXPECT_EQ(fy2021->rolled_over_to(), 2022);
  absl::StatusOr<v1::FiscalYear> fy2022 = ledger_.queries().GetFiscalYear({"050008", 2022});
  EXPECT_EQ(fy2022->state(), v1::FISCAL_YEAR_STATE_OPEN);
  EXPECT_EQ(fy2022->plan_framework(), v1::PLAN_FRAMEWORK_DX_PLAN);
  EXPECT_EQ(ledger_.queries().GetGoal({"050008", "fy2022-m"})->plan_framework(),
            v1::PLAN_FRAMEWORK_DX_PLAN);

  // A second rollover of the closed year is refused and writes nothing.
  const uint64_t after_rollover = ledger_.queries().head().position;
  absl::Status again = RollOver(Plan()).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.message().find("already closed"), absl::string_view::npos) << again;
  EXPECT_EQ(ledger_.queries().head().position, after_rollover);

  // Lineage, both ways, with the relation on each link.
  absl::StatusOr<Lineage> merged =
      ledger_.queries().GetLineage({"050008", "fy2022-m"}, std::nullopt);
  ASSERT_TRUE(merged.ok()) << merged.status();
  std::vector<std::string> ids;
  for (const v1::Goal& goal : merged->goals) ids.push_back(goal.goal_id());
  EXPECT_EQ(ids, (std::vector<std::string>{"fy2021-04", "fy2021-05", "fy2022-m"}));
  ASSERT_EQ(merged->edges.size(), 2u);
  EXPECT_EQ(merged->edges[0].relation(), v1::LINEAGE_RELATION_MERGED);
  absl::StatusOr<Lineage> split =
      ledger_.queries().GetLineage({"050008", "fy2021-09"}, std::nullopt);
  EXPECT_EQ(split->goals.size(), 3u);
  absl::StatusOr<Lineage> dropped =
      ledger_.queries().GetLineage({"050008", "fy2021-23"}, std::nullopt);
  ASSERT_EQ(dropped->edges.size(), 1u);
  EXPECT_EQ(dropped->edges[0].relation(), v1::LINEAGE_RELATION_DROPPED);
  EXPECT_TRUE(dropped->edges[0].to_goal().empty());
  EXPECT_EQ(ledger_.queries().GetLineage({"050008", "fy2022-new"}, std::nullopt)->goals.size(), 1u);
  EXPECT_EQ(ledger_.queries().GetGoal({"050008", "fy2022-r"})->predecessors(0).relation(),
            v1::LINEAGE_RELATION_REPLACED);

  // FY2022 is rated; then HQ corrects a FY2021 rating after the close.
  Rate("fy2022-m", v1::RATING_A);
  Rate("fy2022-s1", v1::RATING_B);
  Rate("fy2022-s2", v1::RATING_D);
  const uint64_t before_correction = ledger_.queries().head().position;
  absl::StatusOr<v1::Goal> goal_before =
      ledger_.queries().GetGoal({"050008", "fy2021-09"}, before_correction);
  absl::StatusOr<std::vector<v1::YearOverYearRow>> yoy_before =
      ledger_.queries().GetYearOverYear({"050008", "fy2022-s1"}, before_correction);
  absl::StatusOr<std::vector<v1::YearRatingSummary>> summary_before =
      ledger_.queries().GetRatingSummary("050008", "", before_correction);
  ASSERT_TRUE(goal_before.ok() && yoy_before.ok() && summary_before.ok());

  Rate("fy2021-09", v1::RATING_D);
  EXPECT_TRUE(last_.events[0].post_close_correction());
  absl::StatusOr<Page<v1::RatingChange>> changes = ledger_.queries().ListRatingChanges(
      {.organization = "050008", .goal = Name("fy2021-09")}, 0, "");
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->items.back().post_close_correction());
  EXPECT_EQ(changes->items.back().previous_rating(), v1::RATING_C);

  // Year over year along the split lineage.
  absl::StatusOr<std::vector<v1::YearOverYearRow>> yoy =
      ledger_.queries().GetYearOverYear({"050008", "fy2022-s1"}, std::nullopt);
  ASSERT_TRUE(yoy.ok()) << yoy.status();
  ASSERT_EQ(yoy->size(), 2u);
  EXPECT_EQ((*yoy)[0].fiscal_year(), 2021);
  EXPECT_EQ((*yoy)[0].goals(0).rating(), v1::RATING_D);  // corrected
  EXPECT_EQ((*yoy)[0].goals(0).indicators(0).actual_value(), 543);
  EXPECT_EQ((*yoy)[1].goals_size(), 2);  // s1 and s2
  EXPECT_EQ((*yoy)[1].plan_framework(), v1::PLAN_FRAMEWORK_DX_PLAN);

  // As-of answers do not move, byte for byte, after later writes.
  EXPECT_EQ((*yoy_before)[0].goals(0).rating(), v1::RATING_C);
  EXPECT_EQ(EncodeGoal(*ledger_.queries().GetGoal({"050008", "fy2021-09"}, before_correction)),
            EncodeGoal(*goal_before));
  absl::StatusOr<std::vector<v1::YearOverYearRow>> yoy_again =
      ledger_.queries().GetYearOverYear({"050008", "fy2022-s1"}, before_correction);
  ASSERT_EQ(yoy_again->size(), yoy_before->size());
  for (size_t i = 0; i < yoy_before->size(); ++i) {
    EXPECT_EQ(EncodeDeterministic((*yoy_again)[i]), EncodeDeterministic((*yoy_before)[i]));
  }
  absl::StatusOr<std::vector<v1::YearRatingSummary>> summary_again =
      ledger_.queries().GetRatingSummary("050008", "", before_correction);
  ASSERT_EQ(summary_again->size(), 2u);
  EXPECT_EQ(EncodeDeterministic((*summary_again)[0]), EncodeDeterministic((*summary_before)[0]));
  EXPECT_EQ((*summary_again)[0].counts().c(), 2);  // FY2021 had 2 C then

  // The FY2021 report as it stood before the correction still says C.
  absl::StatusOr<ExportOutcome> before_csv =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_CSV, before_correction);
  absl::StatusOr<ExportOutcome> now_csv =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_CSV);
  ASSERT_TRUE(before_csv.ok() && now_csv.ok());
  EXPECT_NE(before_csv->content.find("高齢者のデジタルデバイド対策の推進,C,"), std::string::npos);
  EXPECT_NE(now_csv->content.find("高齢者のデジタルデバイド対策の推進,D,"), std::string::npos);
  EXPECT_EQ(
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_CSV, before_correction)->content,
      before_csv->content);

  // Now: FY2021 has 1 C and 1 D; FY2022 has 1 A, 1 B, 1 D and the rest unrated.
  absl::StatusOr<std::vector<v1::YearRatingSummary>> summary =
      ledger_.queries().GetRatingSummary("050008", "", std::nullopt);
  ASSERT_EQ(summary->size(), 2u);
  EXPECT_EQ((*summary)[0].counts().c(), 1);
  EXPECT_EQ((*summary)[0].counts().d(), 1);
  EXPECT_EQ((*summary)[1].counts().a(), 1);
  EXPECT_EQ((*summary)[1].counts().d(), 1);
  EXPECT_EQ((*summary)[1].change().a(), 1 - 2);
  // The department view counts only its goals (fy2022-m and the splits are 企画振興部's).
  absl::StatusOr<std::vector<v1::YearRatingSummary>> kikaku =
      ledger_.queries().GetRatingSummary("050008", "企画振興部", std::nullopt);
  EXPECT_EQ(kikaku->back().counts().a(), 1);

  // As of a point before the rollover there was no FY2022 goal at all.
  absl::StatusOr<Page<v1::Goal>> before_rollover = ledger_.queries().ListGoals(
      {.organization = "050008", .fiscal_year = 2022, .as_of = 137}, 0, "");
  ASSERT_TRUE(before_rollover.ok());
  EXPECT_TRUE(before_rollover->items.empty());
  EXPECT_EQ(ledger_.queries().GetGoal({"050008", "fy2022-m"}, 137).status().code(),
            absl::StatusCode::kNotFound);
  // Past the head, the answer could still change: OUT_OF_RANGE, like a
  // read past the end of a file, not a malformed request.
  EXPECT_EQ(ledger_.queries().ResolveAsOf({.position = 1u << 30}).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(
      ledger_.queries().ResolveAsOf({.time = absl::Now() + absl::Hours(24 * 365)}).status().code(),
      absl::StatusCode::kOutOfRange);

  // No goal is created in the closed year.
  CommandRequest late;
  late.method = "CreateGoal";
  late.command.goal = {"050008", "fy2021-99"};
  late.command.proposal.mutable_goal_created()->set_fiscal_year(2021);
  late.command.proposal.mutable_goal_created()->add_departments("総務部");
  late.command.proposal.mutable_goal_created()->set_title("遅れてきた目標");
  late.actor = "hq";
  EXPECT_EQ(ledger_.writer().ExecuteAndWait(late).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

TEST_F(RolloverTest, ARetriedRolloverReplays) {
  v1::RollOverFiscalYearRequest request = Plan();
  request.set_request_id("rollover-2021");
  absl::StatusOr<WriteOutcome> first = RollOver(request);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<WriteOutcome> again = RollOver(request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->events.size(), first->events.size());
}

TEST_F(RolloverTest, OnlyAnAcceptedProposalChangesTheGoal) {
  auto run = [&](std::function<void(v1::Event&)> fill) {
    CommandRequest request;
    request.method = "change";
    request.command.goal = {"050008", "fy2021-09"};
    fill(request.command.proposal);
    request.actor = "hq";
    return ledger_.writer().ExecuteAndWait(request);
  };
  absl::StatusOr<CommandOutcome> proposed = run([](v1::Event& e) {
    e.mutable_change_proposed()->set_title("高齢者のデジタル活用支援");
    e.mutable_change_proposed()->mutable_indicator()->set_description("相談会の開催回数（20回）");
    e.mutable_change_proposed()->mutable_indicator()->set_target_value(20);
    e.mutable_change_proposed()->mutable_indicator()->set_unit("回");
    e.mutable_change_proposed()->set_rationale("計画に合わせる");
  });
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_EQ(proposed->goal.title(), "高齢者のデジタルデバイド対策の推進");  // unchanged
  ASSERT_EQ(proposed->goal.proposals_size(), 1);
  EXPECT_EQ(proposed->goal.proposals(0).proposal_id(), "prop1");

  auto decide = [&](v1::ChangeDecision decision, std::string date) {
    return run([&](v1::Event& e) {
      e.mutable_change_decided()->set_proposal_id("prop1");
      e.mutable_change_decided()->set_decision(decision);
      e.mutable_change_decided()->set_meeting("第5回DX戦略本部会議");
      e.mutable_change_decided()->set_meeting_date(date);
    });
  };
  EXPECT_EQ(decide(v1::CHANGE_DECISION_ACCEPTED, "2022-13-01").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decide(v1::CHANGE_DECISION_UNSPECIFIED, "2022-05-20").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<CommandOutcome> accepted = decide(v1::CHANGE_DECISION_ACCEPTED, "2022-05-20");
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ASSERT_EQ(accepted->events.size(), 3u);  // the decision, the revision, the indicator
  EXPECT_TRUE(accepted->events[0].has_change_decided());
  EXPECT_EQ(accepted->events[1].goal_revised().proposal_id(), "prop1");
  EXPECT_EQ(accepted->events[2].indicator_set().proposal_id(), "prop1");
  EXPECT_EQ(accepted->goal.title(), "高齢者のデジタル活用支援");
  EXPECT_EQ(accepted->goal.indicators_size(), 3);
  EXPECT_EQ(accepted->goal.proposals(0).decision(), v1::CHANGE_DECISION_ACCEPTED);
  EXPECT_EQ(decide(v1::CHANGE_DECISION_REJECTED, "2022-05-21").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

}  // namespace
}  // namespace dxledger::ledger
