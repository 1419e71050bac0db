// Writer::RollOver: a fiscal year closes, the next opens, and every open goal
// of the closing year is linked to what it became, in one write.
#include "base/sha256.h"
#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/ledger/codec.h"
#include "service/ledger/writer.h"

namespace dxledger::ledger {
namespace {

// What the request id of a rollover stands for: its year, its content and
// its reason.
std::string RolloverFingerprint(const domain::FiscalYearName& from,
                                const domain::RolloverRequest& rollover, std::string_view reason) {
  std::string material =
      fmt::format("RollOverFiscalYear\n{}\n{}\n{}\n{}\n", from.organization, from.fiscal_year,
                  static_cast<int>(rollover.plan_framework), reason);
  for (const v1::NewGoal& goal : rollover.new_goals) {
    material.append(EncodeDeterministic(goal)).push_back('\n');
  }
  material.push_back('\n');
  for (const v1::GoalDecision& decision : rollover.decisions) {
    material.append(EncodeDeterministic(decision)).push_back('\n');
  }
  return base::Sha256({material});
}

}  // namespace

void Writer::RollOver(const domain::FiscalYearName& from, domain::RolloverRequest rollover,
                      std::string actor, std::string request_id, std::string reason,
                      WriteCallback done) {
  if (absl::Status s = notation::ValidateFiscalYear(from.fiscal_year); !s.ok()) {
    return std::move(done)(s);
  }
  WriteRequest write;
  write.method = "RollOverFiscalYear";
  write.scope = from.organization;
  write.actor = std::move(actor);
  write.request_id = std::move(request_id);
  write.fingerprint = RolloverFingerprint(from, rollover, reason);
  write.reason = reason.empty()
                     ? fmt::format("rollover FY{} to FY{}", from.fiscal_year, from.fiscal_year + 1)
                     : std::move(reason);
  write.plan = [this, from,
                rollover = std::move(rollover)]() -> absl::StatusOr<std::vector<StreamCommand>> {
    absl::StatusOr<v1::FiscalYear> year = queries_.GetFiscalYear(from);
    if (!year.ok()) return year.status();
    absl::StatusOr<std::vector<v1::Goal>> old_goals =
        queries_.AllGoals(from.organization, from.fiscal_year);
    if (!old_goals.ok()) return old_goals.status();
    std::erase_if(*old_goals, [](const v1::Goal& goal) { return goal.retired(); });
    absl::StatusOr<std::vector<v1::Goal>> next =
        queries_.AllGoals(from.organization, from.fiscal_year + 1);
    if (!next.ok()) return next.status();
    std::erase_if(*next, [](const v1::Goal& goal) { return goal.retired(); });
    absl::StatusOr<domain::RolloverPlan> plan =
        domain::PlanRollover(rollover, from, *year, *old_goals, *next);
    if (!plan.ok()) return plan.status();
    std::vector<StreamCommand> commands;
    commands.reserve(plan->goals.size() + plan->years.size());
    for (domain::Command& goal : plan->goals) commands.push_back(GoalCommand{std::move(goal), {}});
    for (domain::YearCommand& year_command : plan->years) {
      commands.push_back(std::move(year_command));
    }
    return commands;
  };
  Write(std::move(write), std::move(done));
}

}  // namespace dxledger::ledger
