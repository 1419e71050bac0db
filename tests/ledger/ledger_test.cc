#include "service/ledger/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "service/ledger/codec.h"
#include "service/ledger/projection.h"
#include "storage/hash_chain.h"
#include "storage/keys.h"
#include "storage/log_store.h"
#include "storage/memory_kv.h"
#include "storage/stores.h"
#include "tests/ledger/ledger_fixture.h"

namespace dxledger::ledger {
namespace {

using domain::GoalName;

TEST_F(LedgerTest, CommandReturnsTheGoalAndItsPositionedEvents) {
  absl::StatusOr<CommandOutcome> created =
      ledger_.writer().ExecuteAndWait(Create("g1", 2021, {"総務部"}));
  ASSERT_TRUE(created.ok()) << created.status();
  absl::StatusOr<CommandOutcome> rated = ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_B));
  ASSERT_TRUE(rated.ok()) << rated.status();
  EXPECT_EQ(rated->goal.rating(), v1::RATING_B);
  EXPECT_EQ(rated->goal.version(), 2u);
  ASSERT_EQ(rated->events.size(), 1u);
  EXPECT_EQ(rated->events[0].position(), 2u);
  EXPECT_EQ(rated->events[0].prev_hash(), created->events[0].hash());
  EXPECT_EQ(rated->events[0].actor(), "editor");
  EXPECT_FALSE(rated->replayed);
  absl::StatusOr<v1::Goal> stored = ledger_.queries().GetGoal(GoalName{"050008", "g1"});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(EncodeGoal(*stored), EncodeGoal(rated->goal));
}

TEST_F(LedgerTest, RepeatedRequestIdReplaysAndWritesNothing) {
  Must(Create("g1", 2021, {"総務部"}));
  absl::StatusOr<CommandOutcome> first =
      ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_A, "editor", "req-42"));
  ASSERT_TRUE(first.ok());
  Must(Rate("g1", v1::RATING_C));  // a later change by someone else
  const uint64_t head = ledger_.queries().head().position;

  absl::StatusOr<CommandOutcome> again =
      ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_A, "editor", "req-42"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->events[0].position(), first->events[0].position());
  EXPECT_EQ(again->events[0].hash(), first->events[0].hash());
  EXPECT_EQ(again->goal.rating(), v1::RATING_A);  // the goal as the original left it
  EXPECT_EQ(again->goal.version(), 2u);
  EXPECT_EQ(ledger_.queries().head().position, head);

  absl::StatusOr<CommandOutcome> different =
      ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_D, "editor", "req-42"));
  EXPECT_EQ(different.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_.queries().head().position, head);
  // Request ids belong to their principal: another actor may use the same one.
  EXPECT_TRUE(ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_D, "other", "req-42")).ok());
}

// Principal commands go through the same pipeline as goal commands: a
// repeated request id replays the principal as the command left it, and one
// reused for a different change is refused with the same advice.
TEST_F(LedgerTest, PrincipalCommandsReplayAndRefuseReusedIdsAsGoalCommandsDo) {
  auto add = [](std::string request_id, std::string department) {
    PrincipalCommand command;
    command.principal = "kikaku";
    command.actor = "admin";
    command.request_id = std::move(request_id);
    command.method = "AddPrincipal";
    v1::PrincipalAdded* added = command.proposal.mutable_principal_added();
    added->set_principal("kikaku");
    added->add_roles(v1::ROLE_EDITOR);
    added->add_departments(std::move(department));
    return command;
  };
  absl::StatusOr<PrincipalOutcome> first =
      ledger_.writer().ExecutePrincipalAndWait(add("p-1", "企画振興部"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->replayed);
  const uint64_t head = ledger_.queries().head().position;

  absl::StatusOr<PrincipalOutcome> again =
      ledger_.writer().ExecutePrincipalAndWait(add("p-1", "企画振興部"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->events[0].hash(), first->events[0].hash());
  EXPECT_EQ(again->principal.departments(0), "企画振興部");
  EXPECT_EQ(again->principal.version(), 1u);

  absl::StatusOr<PrincipalOutcome> different =
      ledger_.writer().ExecutePrincipalAndWait(add("p-1", "総務部"));
  EXPECT_EQ(different.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(different.status().message(),
            "request_id \"p-1\" was already used for a different request; use a new request_id");
  EXPECT_EQ(ledger_.queries().head().position, head);
}

// A request id names one request whichever kind of write it was: a batch
// may not reuse a goal command's, and a goal command in another
// organization has its own.
TEST_F(LedgerTest, ABatchCannotReuseACommandsRequestId) {
  Must(Create("g1", 2021, {"総務部"}));
  ASSERT_TRUE(ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_A, "editor", "req-7")).ok());
  const uint64_t head = ledger_.queries().head().position;
  WriteRequest batch;
  batch.scope = "050008";
  batch.actor = "editor";
  batch.request_id = "req-7";
  batch.fingerprint = "an import of some file";
  batch.plan = [this] {
    return absl::StatusOr<std::vector<StreamCommand>>({Goal(Rate("g1", v1::RATING_B))});
  };
  EXPECT_EQ(ledger_.writer().WriteAndWait(std::move(batch)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_.queries().head().position, head);
}

TEST_F(LedgerTest, ConcurrentWritersOfOneGoalAllLand) {
  Must(Create("g1", 2021, {"総務部"}));
  // Many writers hammering one goal: none may be told to retry, however
  // often they collide (the server decides against the in-flight state).
  constexpr int kThreads = 8;
  constexpr int kEach = 100;
  std::vector<std::thread> threads = StartRaters("g1", kThreads, kEach);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ledger_.queries().GetGoal(GoalName{"050008", "g1"})->version(),
            uint64_t{kThreads * kEach + 1});
  // Each change records the rating it replaced, so the audit chains up.
  absl::StatusOr<Page<v1::RatingChange>> changes =
      ledger_.queries().ListRatingChanges({"050008"}, kThreads * kEach, "");
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->items.size(), size_t{kThreads * kEach});
  for (size_t i = 1; i < changes->items.size(); ++i) {
    EXPECT_EQ(changes->items[i].previous_rating(), changes->items[i - 1].rating());
  }
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

TEST_F(LedgerTest, CommandsAndBatchesOnOneGoalAllLand) {
  // Batches (imports, rollovers) line up behind the commands in flight too.
  Must(Create("g1", 2021, {"総務部"}));
  constexpr int kThreads = 4;
  constexpr int kEach = 100;
  constexpr int kBatches = 40;
  std::vector<std::thread> threads = StartRaters("g1", kThreads, kEach);
  for (int i = 0; i < kBatches; ++i) {
    WriteRequest batch;
    batch.scope = "050008";
    batch.actor = "hq";
    batch.plan = [this] {
      return absl::StatusOr<std::vector<StreamCommand>>(
          {Goal(Rate("g1", v1::RATING_C)), Goal(Rate("g1", v1::RATING_D))});
    };
    std::promise<absl::StatusOr<WriteOutcome>> done;
    ledger_.writer().Write(std::move(batch), [&done](absl::StatusOr<WriteOutcome> outcome) {
      done.set_value(std::move(outcome));
    });
    absl::StatusOr<WriteOutcome> outcome = done.get_future().get();
    EXPECT_TRUE(outcome.ok()) << outcome.status();
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ledger_.queries().GetGoal(GoalName{"050008", "g1"})->version(),
            uint64_t{kThreads * kEach + 2 * kBatches + 1});
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

TEST_F(LedgerTest, VerifyWhileOthersWriteFindsNothingWrong) {
  // An auditor verifies a live ledger: writes landing during the check are
  // not damage.
  Must(Create("g1", 2021, {"総務部"}));
  Must(Create("g2", 2021, {"総務部"}));
  std::vector<std::thread> writers = StartRaters("g1", 2, 150);
  std::vector<std::thread> more = StartRaters("g2", 2, 150);
  writers.insert(writers.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  int verified = 0;
  absl::Status found;
  while (found.ok() && ledger_.queries().head().position < 600) {
    absl::StatusOr<VerifyReport> report = ledger_.maintenance().Verify();
    found = report.status();
    if (report.ok()) ++verified;
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_TRUE(found.ok()) << found;
  EXPECT_GT(verified, 0);
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

TEST_F(LedgerTest, ARefusedCommandAnswersAfterLettingGoOfItsGoal) {
  // A refusal's answer may act on the same goal at once (the service records
  // the refusal; a client may retry): the goal must be free by then.
  Must(Create("g1", 2021, {"総務部"}));
  CommandRequest refused = Rate("g1", v1::RATING_A);
  refused.authorize = [](const v1::Goal&) { return absl::PermissionDeniedError("not yours"); };
  std::promise<absl::Status> retried;
  ledger_.writer().Execute(std::move(refused), [&](absl::StatusOr<CommandOutcome> outcome) {
    EXPECT_EQ(outcome.status().code(), absl::StatusCode::kPermissionDenied);
    retried.set_value(ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_B)).status());
  });
  EXPECT_TRUE(retried.get_future().get().ok());

  // So may a batch's that is refused, or only validated.
  for (bool validate_only : {false, true}) {
    WriteRequest batch;
    batch.scope = "050008";
    batch.actor = "hq";
    batch.validate_only = validate_only;
    batch.plan = [this, validate_only] {
      CommandRequest rate = Rate("g1", v1::RATING_C);
      if (!validate_only) rate.command.proposal.mutable_rating_set()->set_rating(v1::Rating(99));
      return absl::StatusOr<std::vector<StreamCommand>>({Goal(rate)});
    };
    std::promise<absl::Status> after;
    ledger_.writer().Write(std::move(batch), [&](absl::StatusOr<WriteOutcome> outcome) {
      EXPECT_EQ(outcome.ok(), validate_only) << outcome.status();
      after.set_value(ledger_.writer().ExecuteAndWait(Rate("g1", v1::RATING_D)).status());
    });
    EXPECT_TRUE(after.get_future().get().ok());
  }
  EXPECT_EQ(ledger_.queries().GetGoal(GoalName{"050008", "g1"})->version(), 4u);
}

TEST_F(LedgerTest, ListGoalsFiltersAndPaginates) {
  Must(Create("a", 2021, {"総務部", "企画振興部"}));
  Must(Create("b", 2021, {"農林水産部"}));
  Must(Create("c", 2022, {"企画振興部"}));
  Must(Create("d", 2021, {"企画振興部"}));
  Must(Rate("d", v1::RATING_A));
  CommandRequest retire;
  retire.method = "RetireGoal";
  retire.command.goal = GoalName{"050008", "b"};
  retire.command.proposal.mutable_goal_retired()->set_reason("統合");
  retire.actor = "hq";
  Must(retire);

  auto ids = [](const Page<v1::Goal>& page) {
    std::vector<std::string> out;
    for (const auto& g : page.items) out.push_back(g.goal_id());
    return out;
  };
  EXPECT_EQ(ids(*ledger_.queries().ListGoals({"050008"}, 0, "")),
            (std::vector<std::string>{"a", "d", "c"}));
  EXPECT_EQ(ids(*ledger_.queries().ListGoals({"050008", 2021, "企画振興部"}, 0, "")),
            (std::vector<std::string>{"a", "d"}));
  GoalFilter rated{"050008"};
  rated.rating = v1::RATING_A;
  EXPECT_EQ(ids(*ledger_.queries().ListGoals(rated, 0, "")), (std::vector<std::string>{"d"}));
  GoalFilter with_retired{"050008", 2021};
  with_retired.include_retired = true;
  EXPECT_EQ(ids(*ledger_.queries().ListGoals(with_retired, 0, "")),
            (std::vector<std::string>{"a", "b", "d"}));

  absl::StatusOr<Page<v1::Goal>> first = ledger_.queries().ListGoals({"050008"}, 2, "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ids(*first), (std::vector<std::string>{"a", "d"}));
  ASSERT_FALSE(first->next_page_token.empty());
  absl::StatusOr<Page<v1::Goal>> second =
      ledger_.queries().ListGoals({"050008"}, 2, first->next_page_token);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(ids(*second), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(second->next_page_token.empty());

  EXPECT_EQ(ledger_.queries().ListGoals({"050008"}, 1000000, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_.queries().ListGoals({"050008"}, -1, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_.queries().ListGoals({"050008"}, 2, "garbage!").status().code(),
            absl::StatusCode::kInvalidArgument);
  // A token of one filter is refused by another.
  EXPECT_EQ(
      ledger_.queries().ListGoals({"050008", 2022}, 2, first->next_page_token).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(LedgerTest, RatingChangesAnswerWhoChangedWhatWhen) {
  Must(Create("a", 2021, {"総務部", "企画振興部"}));
  Must(Create("b", 2022, {"農林水産部"}));
  Must(Rate("a", v1::RATING_B, "somu"));
  now_ += absl::Hours(24);
  Must(Rate("b", v1::RATING_C, "norin"));
  now_ += absl::Hours(24);
  Must(Rate("a", v1::RATING_A, "kikaku"));

  auto who = [&](RatingChangeFilter filter) {
    filter.organization = "050008";
    std::vector<std::string> out;
    absl::StatusOr<Page<v1::RatingChange>> page =
        ledger_.queries().ListRatingChanges(filter, 0, "");
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    for (const auto& c : page->items) {
      out.push_back(c.actor() + ":" + std::to_string(c.previous_rating()) + ">" +
                    std::to_string(c.rating()));
    }
    return out;
  };
  EXPECT_EQ(who({}), (std::vector<std::string>{"somu:0>2", "norin:0>3", "kikaku:2>1"}));
  EXPECT_EQ(who({.department = "企画振興部"}),
            (std::vector<std::string>{"somu:0>2", "kikaku:2>1"}));
  EXPECT_EQ(who({.fiscal_year = 2022}), (std::vector<std::string>{"norin:0>3"}));
  EXPECT_EQ(who({.actor = "kikaku"}), (std::vector<std::string>{"kikaku:2>1"}));
  EXPECT_EQ(who({.goal = "organizations/050008/goals/a"}),
            (std::vector<std::string>{"somu:0>2", "kikaku:2>1"}));
  EXPECT_EQ(who({.start_time = absl::FromUnixSeconds(1640995200) + absl::Hours(12),
                 .end_time = absl::FromUnixSeconds(1640995200) + absl::Hours(36)}),
            (std::vector<std::string>{"norin:0>3"}));

  absl::StatusOr<Page<v1::RatingChange>> page =
      ledger_.queries().ListRatingChanges({"050008"}, 2, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].position(), 3u);
  absl::StatusOr<Page<v1::RatingChange>> rest =
      ledger_.queries().ListRatingChanges({"050008"}, 2, page->next_page_token);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].actor(), "kikaku");
}

TEST_F(LedgerTest, HistoryAndLogPaginateInOrder) {
  Must(Create("a", 2021, {"総務部"}));
  Must(Create("b", 2021, {"総務部"}));
  for (v1::Rating r : {v1::RATING_A, v1::RATING_B, v1::RATING_C}) Must(Rate("a", r));

  absl::StatusOr<Page<v1::Event>> history =
      ledger_.queries().ListGoalEvents({"050008", "a"}, 3, "");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->items.size(), 3u);
  EXPECT_EQ(history->items[1].version(), 2u);
  absl::StatusOr<Page<v1::Event>> more =
      ledger_.queries().ListGoalEvents({"050008", "a"}, 3, history->next_page_token);
  ASSERT_TRUE(more.ok());
  ASSERT_EQ(more->items.size(), 1u);
  EXPECT_EQ(more->items[0].version(), 4u);
  EXPECT_TRUE(more->next_page_token.empty());
  EXPECT_EQ(ledger_.queries().ListGoalEvents({"050008", "zz"}, 3, "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ledger_.queries().ListGoalEvents({"050008", "a"}, 3, "bm90LWEtdG9rZW4").status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::StatusOr<Page<v1::Event>> log = ledger_.queries().ReadLog(2, 2, "");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->items[0].position(), 2u);
  EXPECT_EQ(log->items[1].position(), 3u);
  absl::StatusOr<Page<v1::Event>> log_rest = ledger_.queries().ReadLog(0, 10, log->next_page_token);
  ASSERT_TRUE(log_rest.ok());
  ASSERT_EQ(log_rest->items.size(), 2u);
  EXPECT_EQ(log_rest->items[0].position(), 4u);
  // A history token is no log token.
  EXPECT_EQ(ledger_.queries().ReadLog(0, 10, history->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LedgerTest, FoldGoalStopsAtAVersion) {
  Must(Create("a", 2021, {"総務部"}));
  Must(Rate("a", v1::RATING_B));
  Must(Rate("a", v1::RATING_D));
  EXPECT_EQ(ledger_.queries().FoldGoal({"050008", "a"}, 2)->rating(), v1::RATING_B);
  EXPECT_EQ(ledger_.queries().FoldGoal({"050008", "a"})->rating(), v1::RATING_D);
}

TEST_F(LedgerTest, OrganizationsAreSeparate) {
  Must(Create("a", 2021, {"総務部"}));
  CommandRequest other = Create("a", 2021, {"総務局"});
  other.command.goal.organization = "130001";
  Must(other);
  EXPECT_EQ(ledger_.queries().ListGoals({"050008"}, 0, "")->items.size(), 1u);
  absl::StatusOr<Page<v1::Goal>> tokyo = ledger_.queries().ListGoals({"130001"}, 0, "");
  ASSERT_EQ(tokyo->items.size(), 1u);
  EXPECT_EQ(tokyo->items[0].name(), "organizations/130001/goals/a");
  EXPECT_EQ(tokyo->items[0].departments(0), "総務局");
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

// With the real clock and writers racing on different goals: record times
// follow log order, and an as-of read at an event's own record time shows it.
TEST(RecordTimeTest, RecordTimesFollowLogOrderAndAsOfIncludesTheEventAtItsTime) {
  std::unique_ptr<storage::LogStore> store = storage::NewMemoryEventStore();
  Ledger ledger(*store, "050008");
  constexpr int kGoals = 4, kEach = 150;
  for (int g = 0; g < kGoals; ++g) {
    CommandRequest create;
    create.method = "CreateGoal";
    create.command.goal = GoalName{"050008", "g" + std::to_string(g)};
    create.command.proposal.mutable_goal_created()->set_fiscal_year(2025);
    create.command.proposal.mutable_goal_created()->add_departments("総務部");
    create.command.proposal.mutable_goal_created()->set_title("目標");
    create.actor = "hq";
    ASSERT_TRUE(ledger.writer().ExecuteAndWait(std::move(create)).ok());
  }
  std::vector<std::thread> writers;
  for (int g = 0; g < kGoals; ++g) {
    writers.emplace_back([&ledger, g] {
      for (int i = 0; i < kEach; ++i) {
        CommandRequest rate;
        rate.method = "SetRating";
        rate.command.goal = GoalName{"050008", "g" + std::to_string(g)};
        rate.command.proposal.mutable_rating_set()->set_rating(i % 2 ? v1::RATING_A : v1::RATING_B);
        rate.actor = "editor";
        absl::StatusOr<CommandOutcome> outcome = ledger.writer().ExecuteAndWait(std::move(rate));
        EXPECT_TRUE(outcome.ok()) << outcome.status();
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  absl::StatusOr<Page<v1::Event>> log = ledger.queries().ReadLog(1, 1000, "");
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->items.size(), static_cast<size_t>(kGoals * (kEach + 1)));
  absl::Time previous = absl::InfinitePast();
  for (const v1::Event& event : log->items) {
    const absl::Time recorded = ToTime(event.record_time());
    ASSERT_GE(recorded, previous) << "position " << event.position() << " went back in time";
    previous = recorded;
    absl::StatusOr<std::optional<uint64_t>> as_of =
        ledger.queries().ResolveAsOf(AsOf{.time = recorded});
    ASSERT_TRUE(as_of.ok()) << as_of.status();
    ASSERT_TRUE(as_of->has_value());
    EXPECT_GE(**as_of, event.position())
        << "as of its own time, event " << event.position() << " is missing";
  }
}

}  // namespace
}  // namespace dxledger::ledger
