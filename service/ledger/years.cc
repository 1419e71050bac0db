// Fiscal years: their views, and the rollover from one to the next.
#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/domain/fiscal_years.h"
#include "service/ledger/codec.h"
#include "service/ledger/ledger.h"

namespace dxledger::ledger {

absl::StatusOr<v1::FiscalYear> Ledger::GetFiscalYear(const domain::FiscalYearName& name) {
  if (absl::Status s = notation::ValidateFiscalYear(name.fiscal_year); !s.ok()) return s;
  return LoadYear(name);
}

void Ledger::RollOver(v1::RollOverFiscalYearRequest request, std::string organization,
                      std::string actor, RolloverCallback done) {
  const domain::FiscalYearName from{organization, request.from_year()};
  if (absl::Status s = notation::ValidateFiscalYear(from.fiscal_year); !s.ok()) {
    return std::move(done)(s);
  }
  BatchRequest batch;
  batch.organization = organization;
  batch.actor = std::move(actor);
  batch.request_id = request.request_id();
  batch.reason = request.reason().empty()
                     ? fmt::format("rollover FY{} to FY{}", from.fiscal_year, from.fiscal_year + 1)
                     : request.reason();
  {
    v1::RollOverFiscalYearRequest material = request;
    material.clear_request_id();
    batch.fingerprint =
        "RollOverFiscalYear\n" + organization + "\n" + EncodeDeterministic(material);
  }
  batch.plan = [this, from,
                request = std::move(request)]() -> absl::StatusOr<std::vector<CommandRequest>> {
    absl::StatusOr<v1::FiscalYear> year = LoadYear(from);
    if (!year.ok()) return year.status();
    absl::StatusOr<std::vector<v1::Goal>> old_goals = AllGoals(from.organization, from.fiscal_year);
    if (!old_goals.ok()) return old_goals.status();
    std::erase_if(*old_goals, [](const v1::Goal& goal) { return goal.retired(); });
    absl::StatusOr<std::vector<v1::Goal>> next = AllGoals(from.organization, from.fiscal_year + 1);
    if (!next.ok()) return next.status();
    std::erase_if(*next, [](const v1::Goal& goal) { return goal.retired(); });
    absl::StatusOr<domain::RolloverPlan> plan =
        domain::PlanRollover(request, from, *year, *old_goals, *next);
    if (!plan.ok()) return plan.status();
    std::vector<CommandRequest> commands;
    for (domain::Command& goal : plan->goals) {
      CommandRequest& command = commands.emplace_back();
      command.method = "RollOverFiscalYear";
      command.command = std::move(goal);
    }
    for (domain::YearCommand& year_command : plan->years) {
      CommandRequest& command = commands.emplace_back();
      command.method = "RollOverFiscalYear";
      command.year_command = std::move(year_command);
    }
    return commands;
  };
  ExecuteBatch(std::move(batch), std::move(done));
}

}  // namespace dxledger::ledger
