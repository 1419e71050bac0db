#ifndef DXLEDGER_SERVICE_DOMAIN_FISCAL_YEARS_H_
#define DXLEDGER_SERVICE_DOMAIN_FISCAL_YEARS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "service/domain/commands.h"

// Fiscal years as streams of their own: a year is open until a rollover
// closes it, and carries the plan framework its goals are set under. A year
// nobody has written to is open, under the framework its number implies.
namespace dxledger::domain {

// The framework a year has when no rollover named one: pre-plan up to
// FY2021, the DX promotion plan from FY2022.
v1::PlanFramework DefaultFramework(int fiscal_year);

// The year as it stands before any of its own events.
v1::FiscalYear ImplicitYear(const FiscalYearName& name);

void ApplyToYear(const v1::Event& event, v1::FiscalYear& year);

bool IsClosed(const v1::FiscalYear* year);

// A command on a fiscal year's own stream.
struct YearCommand {
  FiscalYearName year;
  v1::Event proposal;
};

// Validates a year event against the year's view and fills its envelope.
absl::StatusOr<v1::Event> DecideYear(const v1::FiscalYear& current, const YearCommand& command,
                                     const CommandContext& context);

// What HQ asks of a rollover: the new year's framework, the goals it
// creates, and what becomes of every open goal of the closing year.
struct RolloverRequest {
  v1::PlanFramework plan_framework = v1::PLAN_FRAMEWORK_UNSPECIFIED;
  std::vector<v1::NewGoal> new_goals;
  std::vector<v1::GoalDecision> decisions;
};

// Everything a rollover decides, before it is appended.
struct RolloverPlan {
  std::vector<YearCommand> years;  // close N, open N+1
  std::vector<Command> goals;      // new goals first, then carry-over links
};

// Plans the rollover of `from` (its non-retired goals `old_goals`) to the
// next year. FAILED_PRECONDITION when `from` is closed or a goal is left
// without a decision (the message lists them); INVALID_ARGUMENT for an
// unknown framework, a bad relation or target, or a goal decided twice.
absl::StatusOr<RolloverPlan> PlanRollover(const RolloverRequest& request,
                                          const FiscalYearName& from,
                                          const v1::FiscalYear& from_year,
                                          const std::vector<v1::Goal>& old_goals,
                                          const std::vector<v1::Goal>& next_year_goals);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_FISCAL_YEARS_H_
