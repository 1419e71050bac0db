#include "service/domain/commands.h"

#include <gtest/gtest.h>

#include <functional>

#include "service/domain/goal.h"
#include "service/domain/limits.h"

namespace dxledger::domain {
namespace {

const GoalName kGoal{"050008", "fy2021-09"};

CommandContext Context() {
  return CommandContext{"editor-somu", absl::FromUnixSeconds(1640000000), "req-1", "test"};
}

Command Make(std::function<void(v1::Event&)> fill, std::optional<uint64_t> expected = {}) {
  Command command{kGoal, expected, {}};
  fill(command.proposal);
  return command;
}

void FillCreated(v1::Event& e) {
  v1::GoalCreated* c = e.mutable_goal_created();
  c->set_fiscal_year(2021);
  c->add_departments("総務部");
  c->add_departments("企画振興部");
  c->set_title("行政手続のオンライン化");
  c->set_report_number(9);
}

// A goal with one indicator, one open and one resolved issue, rated B.
v1::Goal ExistingGoal() {
  v1::Goal goal;
  auto apply = [&](std::function<void(v1::Event&)> fill) {
    absl::StatusOr<std::vector<v1::Event>> events =
        Decide(goal.version() == 0 ? nullptr : &goal, Make(fill), Context());
    ASSERT_TRUE(events.ok()) << events.status();
    for (const v1::Event& event : *events) Apply(event, goal);
  };
  apply(FillCreated);
  apply([](v1::Event& e) {
    e.mutable_indicator_set()->set_description("受講者数");
    e.mutable_indicator_set()->set_target_value(1500);
    e.mutable_indicator_set()->set_unit("人");
  });
  apply([](v1::Event& e) { e.mutable_issue_added()->set_text("全庁展開"); });
  apply([](v1::Event& e) { e.mutable_issue_added()->set_text("予算確保"); });
  apply([](v1::Event& e) { e.mutable_issue_resolved()->set_issue_id("iss2"); });
  apply([](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_B); });
  return goal;
}

struct DecideCase {
  std::string name;
  bool goal_exists;
  std::function<void(v1::Event&)> fill;
  absl::StatusCode code;
  std::optional<uint64_t> expected_version = std::nullopt;
};

class DecideTest : public testing::TestWithParam<DecideCase> {};

TEST_P(DecideTest, GivesTheRightStatus) {
  const DecideCase& c = GetParam();
  v1::Goal goal = ExistingGoal();
  absl::StatusOr<std::vector<v1::Event>> events =
      Decide(c.goal_exists ? &goal : nullptr, Make(c.fill, c.expected_version), Context());
  EXPECT_EQ(events.status().code(), c.code) << events.status();
  if (events.ok()) {
    ASSERT_EQ(events->size(), 1u);
    const v1::Event& event = events->front();
    EXPECT_EQ(event.goal(), "organizations/050008/goals/fy2021-09");
    EXPECT_EQ(event.version(), c.goal_exists ? goal.version() + 1 : 1);
    EXPECT_EQ(event.actor(), "editor-somu");
    EXPECT_EQ(event.record_time().seconds(), 1640000000);
    EXPECT_EQ(event.request_id(), "req-1");
  }
}

using absl::StatusCode;

INSTANTIATE_TEST_SUITE_P(
    Commands, DecideTest,
    testing::Values(
        DecideCase{"Create", false, FillCreated, StatusCode::kOk},
        DecideCase{"CreateExisting", true, FillCreated, StatusCode::kAlreadyExists},
        DecideCase{"CreateYear1899", false,
                   [](v1::Event& e) {
                     FillCreated(e);
                     e.mutable_goal_created()->set_fiscal_year(1899);
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"CreateNoDepartment", false,
                   [](v1::Event& e) {
                     FillCreated(e);
                     e.mutable_goal_created()->clear_departments();
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"CreateDuplicateDepartment", false,
                   [](v1::Event& e) {
                     FillCreated(e);
                     e.mutable_goal_created()->add_departments("総務部");
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"IndicatorJoinedByTo", true,
                   [](v1::Event& e) {
                     e.mutable_indicator_set()->set_description("研修の受講者数（20人）");
                     e.mutable_indicator_set()->set_joined_by("と");
                   },
                   StatusCode::kOk},
        DecideCase{"IndicatorJoinedByAnythingElse", true,
                   [](v1::Event& e) {
                     e.mutable_indicator_set()->set_description("研修の受講者数（20人）");
                     e.mutable_indicator_set()->set_joined_by("および");
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"CreateEmptyTitle", false,
                   [](v1::Event& e) {
                     FillCreated(e);
                     e.mutable_goal_created()->set_title(" \u3000");
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"CreateOversizeTitle", false,
                   [](v1::Event& e) {
                     FillCreated(e);
                     e.mutable_goal_created()->set_title(std::string(kMaxTitleBytes + 1, 'x'));
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"CreateInvalidUtf8", false,
                   [](v1::Event& e) {
                     FillCreated(e);
                     e.mutable_goal_created()->set_title("\xc3\x28");
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"CreateUnknownFramework", false,
                   [](v1::Event& e) {
                     FillCreated(e);
                     e.mutable_goal_created()->set_plan_framework(
                         static_cast<v1::PlanFramework>(9));
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"RateUnknownGoal", false,
                   [](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_A); },
                   StatusCode::kNotFound},
        DecideCase{"RateA", true,
                   [](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_A); },
                   StatusCode::kOk},
        DecideCase{
            "RateOutOfEnum", true,
            [](v1::Event& e) { e.mutable_rating_set()->set_rating(static_cast<v1::Rating>(5)); },
            StatusCode::kInvalidArgument},
        DecideCase{"RateWrongVersion", true,
                   [](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_A); },
                   StatusCode::kAborted, 2},
        DecideCase{"RateRightVersion", true,
                   [](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_A); },
                   StatusCode::kOk, 6},
        DecideCase{"ReviseNothing", true, [](v1::Event& e) { e.mutable_goal_revised(); },
                   StatusCode::kInvalidArgument},
        DecideCase{
            "ReviseSameTitle", true,
            [](v1::Event& e) { e.mutable_goal_revised()->set_title("行政手続のオンライン化"); },
            StatusCode::kInvalidArgument},
        DecideCase{"ReviseTitle", true,
                   [](v1::Event& e) { e.mutable_goal_revised()->set_title("新しい目標"); },
                   StatusCode::kOk},
        DecideCase{
            "ResultUnknownIndicator", true,
            [](v1::Event& e) { e.mutable_indicator_result_recorded()->set_indicator_id("ind9"); },
            StatusCode::kNotFound},
        DecideCase{"ResultNotFinite", true,
                   [](v1::Event& e) {
                     e.mutable_indicator_result_recorded()->set_indicator_id("ind1");
                     e.mutable_indicator_result_recorded()->set_actual_value(
                         std::numeric_limits<double>::infinity());
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"ActivityUnspecifiedTag", true,
                   [](v1::Event& e) {
                     e.mutable_activity_recorded()->set_text("x");
                     e.mutable_activity_recorded()->add_tags(v1::TAG_UNSPECIFIED);
                   },
                   StatusCode::kInvalidArgument},
        DecideCase{"ActivityEmpty", true, [](v1::Event& e) { e.mutable_activity_recorded(); },
                   StatusCode::kInvalidArgument},
        DecideCase{"ResolveUnknownIssue", true,
                   [](v1::Event& e) { e.mutable_issue_resolved()->set_issue_id("iss7"); },
                   StatusCode::kNotFound},
        DecideCase{"ResolveResolvedIssue", true,
                   [](v1::Event& e) { e.mutable_issue_resolved()->set_issue_id("iss2"); },
                   StatusCode::kFailedPrecondition},
        DecideCase{"RetireWithoutReason", true, [](v1::Event& e) { e.mutable_goal_retired(); },
                   StatusCode::kInvalidArgument},
        DecideCase{"NoPayload", true, [](v1::Event&) {}, StatusCode::kInvalidArgument}),
    [](const testing::TestParamInfo<DecideCase>& info) { return info.param.name; });

TEST(DecideTest, RecordsThePreviousRatingAndNumbersIds) {
  v1::Goal goal = ExistingGoal();
  absl::StatusOr<std::vector<v1::Event>> events =
      Decide(&goal, Make([](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_A); }),
             Context());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->front().rating_set().previous_rating(), v1::RATING_B);

  events = Decide(&goal, Make([](v1::Event& e) {
    e.mutable_activity_recorded()->set_text("実施");
    e.mutable_activity_recorded()->add_tags(v1::TAG_DX);
    e.mutable_activity_recorded()->add_tags(v1::TAG_DT);
    e.mutable_activity_recorded()->add_tags(v1::TAG_DX);
  }),
                  Context());
  ASSERT_TRUE(events.ok());
  const v1::ActivityRecorded& activity = events->front().activity_recorded();
  EXPECT_EQ(activity.activity_id(), "act1");
  ASSERT_EQ(activity.tags_size(), 2);  // a set, in the order DT, DL, DX
  EXPECT_EQ(activity.tags(0), v1::TAG_DT);
  EXPECT_EQ(activity.tags(1), v1::TAG_DX);
}

TEST(DecideTest, DropsEnvelopeFieldsTheProposalCarried) {
  v1::Goal goal = ExistingGoal();
  Command command = Make([](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_C); });
  command.proposal.set_actor("forged");
  command.proposal.set_position(99);
  command.proposal.set_hash("forged");
  command.proposal.set_version(42);
  absl::StatusOr<std::vector<v1::Event>> events = Decide(&goal, command, Context());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->front().actor(), "editor-somu");
  EXPECT_EQ(events->front().position(), 0u);
  EXPECT_TRUE(events->front().hash().empty());
  EXPECT_EQ(events->front().version(), goal.version() + 1);
}

TEST(DecideTest, AbortedNamesTheCurrentVersion) {
  v1::Goal goal = ExistingGoal();
  absl::StatusOr<std::vector<v1::Event>> events =
      Decide(&goal, Make([](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_A); }, 3),
             Context());
  EXPECT_EQ(events.status().code(), absl::StatusCode::kAborted);
  EXPECT_NE(events.status().message().find("version 6"), absl::string_view::npos)
      << events.status();
}

TEST(DecideTest, RetiredGoalTakesNoChanges) {
  v1::Goal goal = ExistingGoal();
  absl::StatusOr<std::vector<v1::Event>> retired = Decide(
      &goal, Make([](v1::Event& e) { e.mutable_goal_retired()->set_reason("統合"); }), Context());
  ASSERT_TRUE(retired.ok());
  Apply(retired->front(), goal);
  EXPECT_TRUE(goal.retired());
  EXPECT_EQ(
      Decide(&goal, Make([](v1::Event& e) { e.mutable_issue_added()->set_text("x"); }), Context())
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST(DecideTest, RefusesMalformedRequestIdsAndReasons) {
  v1::Goal goal = ExistingGoal();
  CommandContext context = Context();
  context.request_id = "has space";
  auto rate = Make([](v1::Event& e) { e.mutable_rating_set()->set_rating(v1::RATING_A); });
  EXPECT_EQ(Decide(&goal, rate, context).status().code(), absl::StatusCode::kInvalidArgument);
  context.request_id = std::string(kMaxRequestIdBytes + 1, 'r');
  EXPECT_EQ(Decide(&goal, rate, context).status().code(), absl::StatusCode::kInvalidArgument);
  context = Context();
  context.reason = "\xff";
  EXPECT_EQ(Decide(&goal, rate, context).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ApplyTest, FoldsTheGoal) {
  v1::Goal goal = ExistingGoal();
  EXPECT_EQ(goal.version(), 6u);
  EXPECT_EQ(goal.fiscal_year(), 2021);
  EXPECT_TRUE(OwnedBy(goal, "企画振興部"));
  EXPECT_FALSE(OwnedBy(goal, "土木部"));
  EXPECT_EQ(goal.rating(), v1::RATING_B);
  ASSERT_EQ(goal.indicators_size(), 1);
  EXPECT_EQ(goal.indicators(0).indicator_id(), "ind1");
  EXPECT_EQ(goal.indicators(0).target_value(), 1500);
  ASSERT_EQ(goal.issues_size(), 2);
  EXPECT_FALSE(goal.issues(0).resolved());
  EXPECT_TRUE(goal.issues(1).resolved());
  EXPECT_EQ(goal.plan_framework(), v1::PLAN_FRAMEWORK_PRE_PLAN);
}

}  // namespace
}  // namespace dxledger::domain
