#ifndef DXLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
#define DXLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "service/ledger/ledger.h"
#include "storage/log_store.h"
#include "storage/memory_kv.h"

// A ledger over a memory store whose bytes a test can change under its
// feet, with a clock the test sets.
namespace dxledger::ledger {

using domain::GoalName;

class LedgerTest : public testing::Test {
 protected:
  LedgerTest() : store_(OpenStore()), ledger_(*store_, "050008", [this] { return now_; }) {}

  std::unique_ptr<storage::LogStore> OpenStore() {
    auto kv = std::make_unique<storage::MemoryKv>();
    kv_ = kv.get();
    return *storage::LogStore::Open(std::move(kv), false);
  }
  // Writes bytes under the store's feet, as someone with disk access could.
  void Tamper(storage::Family family, std::string key, std::string value) {
    storage::Put put{family, std::move(key), std::move(value)};
    ASSERT_TRUE(kv_->Write({&put, 1}, false).ok());
  }
  void Erase(storage::Family family, std::string key) {
    storage::Put put{family, std::move(key), "", /*erase=*/true};
    ASSERT_TRUE(kv_->Write({&put, 1}, false).ok());
  }

  CommandRequest Create(std::string id, int year, std::vector<std::string> departments,
                        std::string actor = "hq") {
    CommandRequest request;
    request.method = "CreateGoal";
    request.command.goal = GoalName{"050008", std::move(id)};
    v1::GoalCreated* created = request.command.proposal.mutable_goal_created();
    created->set_fiscal_year(year);
    for (auto& d : departments) created->add_departments(d);
    created->set_title("目標 " + request.command.goal.goal_id);
    request.actor = std::move(actor);
    return request;
  }
  CommandRequest Rate(std::string id, v1::Rating rating, std::string actor = "editor",
                      std::string request_id = "") {
    CommandRequest request;
    request.method = "SetRating";
    request.command.goal = GoalName{"050008", std::move(id)};
    request.command.proposal.mutable_rating_set()->set_rating(rating);
    request.command.proposal.mutable_rating_set()->set_rationale("根拠");
    request.actor = std::move(actor);
    request.request_id = std::move(request_id);
    return request;
  }
  // Threads that each rate `goal` `each` times, alternating A and B; any
  // failure fails the test.
  std::vector<std::thread> StartRaters(const std::string& goal, int threads, int each) {
    std::vector<std::thread> started;
    for (int t = 0; t < threads; ++t) {
      started.emplace_back([this, goal, t, each] {
        for (int i = 0; i < each; ++i) {
          absl::StatusOr<CommandOutcome> outcome = ledger_.writer().ExecuteAndWait(
              Rate(goal, (t + i) % 2 ? v1::RATING_A : v1::RATING_B));
          EXPECT_TRUE(outcome.ok()) << outcome.status();
        }
      });
    }
    return started;
  }
  // A goal command as one command of a batch.
  static StreamCommand Goal(CommandRequest request) {
    return GoalCommand{std::move(request.command), {}};
  }
  void Must(CommandRequest request) {
    absl::StatusOr<CommandOutcome> outcome = ledger_.writer().ExecuteAndWait(std::move(request));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
  }

  absl::Time now_ = absl::FromUnixSeconds(1640995200);  // 2022-01-01T00:00:00Z
  storage::MemoryKv* kv_ = nullptr;
  std::unique_ptr<storage::LogStore> store_;
  Ledger ledger_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
