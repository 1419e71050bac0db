#include "service/domain/fiscal_years.h"

#include <map>
#include <set>

#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/domain/limits.h"
#include "service/domain/text.h"

namespace dxledger::domain {
namespace {

std::string YearLabel(int year) {
  return fmt::format("FY{} ({})", year, notation::JapaneseFiscalYear(year));
}

absl::Status CheckRelation(const v1::GoalDecision& decision, const std::string& goal) {
  const int targets = decision.to_goals_size();
  switch (decision.relation()) {
    case v1::LINEAGE_RELATION_CONTINUED:
    case v1::LINEAGE_RELATION_MERGED:
    case v1::LINEAGE_RELATION_REPLACED:
      if (targets == 1) return absl::OkStatus();
      return absl::InvalidArgumentError(
          fmt::format("decision for {}: {} takes exactly one new goal, not {}", goal,
                      v1::LineageRelation_Name(decision.relation()), targets));
    case v1::LINEAGE_RELATION_SPLIT:
      if (targets >= 2) return absl::OkStatus();
      return absl::InvalidArgumentError(
          fmt::format("decision for {}: a split needs two or more new goals", goal));
    case v1::LINEAGE_RELATION_DROPPED:
      if (targets == 0) return absl::OkStatus();
      return absl::InvalidArgumentError(
          fmt::format("decision for {}: a dropped goal has no new goal", goal));
    default:
      return absl::InvalidArgumentError(fmt::format(
          "decision for {}: relation must be continued, merged, split, replaced or dropped", goal));
  }
}

Command Link(const GoalName& stream, const std::string& from, const std::string& to,
             v1::LineageRelation relation) {
  Command command{stream, std::nullopt, {}};
  v1::GoalCarriedOver* link = command.proposal.mutable_goal_carried_over();
  link->set_from_goal(from);
  link->set_to_goal(to);
  link->set_relation(relation);
  return command;
}

}  // namespace

v1::PlanFramework DefaultFramework(int fiscal_year) {
  return fiscal_year <= 2021 ? v1::PLAN_FRAMEWORK_PRE_PLAN : v1::PLAN_FRAMEWORK_DX_PLAN;
}

v1::FiscalYear ImplicitYear(const FiscalYearName& name) {
  v1::FiscalYear year;
  year.set_name(name.Format());
  year.set_fiscal_year(name.fiscal_year);
  year.set_japanese_name(notation::JapaneseFiscalYear(name.fiscal_year));
  year.set_plan_framework(DefaultFramework(name.fiscal_year));
  year.set_state(v1::FISCAL_YEAR_STATE_OPEN);
  return year;
}

bool IsClosed(const v1::FiscalYear* year) {
  return year != nullptr && year->state() == v1::FISCAL_YEAR_STATE_CLOSED;
}

void ApplyToYear(const v1::Event& event, v1::FiscalYear& year) {
  switch (event.payload_case()) {
    case v1::Event::kFiscalYearRolledOver:
      year.set_state(v1::FISCAL_YEAR_STATE_CLOSED);
      year.set_rolled_over_to(event.fiscal_year_rolled_over().to_year());
      *year.mutable_close_time() = event.record_time();
      break;
    case v1::Event::kFiscalYearOpened:
      year.set_state(v1::FISCAL_YEAR_STATE_OPEN);
      year.set_plan_framework(event.fiscal_year_opened().plan_framework());
      break;
    case v1::Event::kFiscalYearNextStepsSet:
      year.set_next_steps(event.fiscal_year_next_steps_set().text());
      break;
    // Goal and principal events never reach a year (see StreamKindOf).
    case v1::Event::kGoalCreated:
    case v1::Event::kGoalRevised:
    case v1::Event::kIndicatorSet:
    case v1::Event::kIndicatorResultRecorded:
    case v1::Event::kActivityRecorded:
    case v1::Event::kRatingSet:
    case v1::Event::kIssueAdded:
    case v1::Event::kIssueResolved:
    case v1::Event::kGoalRetired:
    case v1::Event::kGoalCarriedOver:
    case v1::Event::kChangeProposed:
    case v1::Event::kChangeDecided:
    case v1::Event::kPrincipalAdded:
    case v1::Event::kPrincipalChanged:
    case v1::Event::kPrincipalTokenRotated:
    case v1::Event::kPrincipalDisabled:
    case v1::Event::kPrincipalEnabled:
    case v1::Event::PAYLOAD_NOT_SET:
      break;
  }
  year.set_version(event.version());
}

absl::StatusOr<v1::Event> DecideYear(const v1::FiscalYear& current, const YearCommand& command,
                                     const CommandContext& context) {
  v1::Event event = command.proposal;
  if (event.has_fiscal_year_rolled_over()) {
    const v1::FiscalYearRolledOver& rolled = event.fiscal_year_rolled_over();
    if (IsClosed(&current)) {
      return absl::FailedPreconditionError(
          fmt::format("{} is already closed: it was rolled over to FY{}",
                      YearLabel(current.fiscal_year()), current.rolled_over_to()));
    }
    if (rolled.to_year() != rolled.from_year() + 1) {
      return absl::InvalidArgumentError("a rollover goes to the next fiscal year");
    }
  } else if (event.has_fiscal_year_next_steps_set()) {
    const std::string& text = event.fiscal_year_next_steps_set().text();
    if (absl::Status s = ValidateText("next_steps", text, kMaxTextBytes, false); !s.ok()) return s;
  } else if (!event.has_fiscal_year_opened()) {
    return absl::InvalidArgumentError("the command carries no fiscal-year change");
  }
  FillEnvelope(command.year.Format(), current.version() + 1, context, event);
  return event;
}

absl::StatusOr<RolloverPlan> PlanRollover(const RolloverRequest& request,
                                          const FiscalYearName& from,
                                          const v1::FiscalYear& from_year,
                                          const std::vector<v1::Goal>& old_goals,
                                          const std::vector<v1::Goal>& next_year_goals) {
  const int to = from.fiscal_year + 1;
  if (request.plan_framework == v1::PLAN_FRAMEWORK_UNSPECIFIED ||
      !v1::PlanFramework_IsValid(request.plan_framework)) {
    return absl::InvalidArgumentError(
        "plan_framework must be PLAN_FRAMEWORK_PRE_PLAN or PLAN_FRAMEWORK_DX_PLAN");
  }
  if (IsClosed(&from_year)) {
    return absl::FailedPreconditionError(
        fmt::format("{} is already closed: it was rolled over to FY{}", YearLabel(from.fiscal_year),
                    from_year.rolled_over_to()));
  }
  if (old_goals.empty()) {
    return absl::FailedPreconditionError(
        fmt::format("{} has no goals to roll over", YearLabel(from.fiscal_year)));
  }
  RolloverPlan plan;
  std::set<std::string> targets;  // names of goals in the new year
  for (const v1::Goal& goal : next_year_goals) targets.insert(goal.name());
  for (const v1::NewGoal& spec : request.new_goals) {
    if (absl::Status s = ValidateId(spec.goal_id(), "new_goals.goal_id"); !s.ok()) return s;
    Command create{GoalName{from.organization, spec.goal_id()}, std::nullopt, {}};
    v1::GoalCreated* created = create.proposal.mutable_goal_created();
    created->set_fiscal_year(to);
    *created->mutable_departments() = spec.departments();
    created->set_title(spec.title());
    created->set_report_number(spec.report_number());
    created->set_principal(spec.principal());
    created->set_plan_framework(request.plan_framework);
    if (!targets.insert(create.goal.Format()).second) {
      return absl::InvalidArgumentError(
          fmt::format("new goal {} already exists or is listed twice", spec.goal_id()));
    }
    plan.goals.push_back(std::move(create));
  }

  std::map<std::string, const v1::GoalDecision*> decisions;
  std::map<std::string, int> merged_into;
  for (const v1::GoalDecision& decision : request.decisions) {
    absl::StatusOr<GoalName> name =
        ParseGoalName(decision.goal(), from.organization, "decisions.goal");
    if (!name.ok()) return name.status();
    if (!decisions.emplace(name->Format(), &decision).second) {
      return absl::InvalidArgumentError(fmt::format("{} is decided twice", name->Format()));
    }
    if (absl::Status s = CheckRelation(decision, name->Format()); !s.ok()) return s;
    for (const std::string& target : decision.to_goals()) {
      absl::StatusOr<GoalName> to_name = ParseGoalName(target, from.organization, "to_goals");
      if (!to_name.ok()) return to_name.status();
      if (!targets.contains(to_name->Format())) {
        return absl::InvalidArgumentError(fmt::format(
            "decision for {}: {} is neither a new goal of this rollover nor a goal of FY{}",
            name->Format(), to_name->Format(), to));
      }
      if (decision.relation() == v1::LINEAGE_RELATION_MERGED) ++merged_into[to_name->Format()];
    }
  }
  for (const auto& [target, sources] : merged_into) {
    if (sources < 2) {
      return absl::InvalidArgumentError(fmt::format(
          "{} is merged from one goal only: a merge needs two or more (or use continued)", target));
    }
  }
  std::vector<std::string> undecided;
  std::set<std::string> old_names;
  for (const v1::Goal& goal : old_goals) {
    old_names.insert(goal.name());
    if (!decisions.contains(goal.name())) undecided.push_back(goal.goal_id());
  }
  if (!undecided.empty()) {
    std::string list;
    for (const std::string& id : undecided) list += (list.empty() ? "" : ", ") + id;
    return absl::FailedPreconditionError(fmt::format(
        "{} goals of {} have no decision (continued, merged, split, replaced or dropped): {}",
        undecided.size(), YearLabel(from.fiscal_year), list));
  }
  for (const v1::Goal& goal : old_goals) {
    const v1::GoalDecision& decision = *decisions.at(goal.name());
    const GoalName old_name{from.organization, goal.goal_id()};
    if (decision.relation() == v1::LINEAGE_RELATION_DROPPED) {
      plan.goals.push_back(Link(old_name, goal.name(), "", decision.relation()));
      continue;
    }
    for (const std::string& target : decision.to_goals()) {
      const GoalName new_name = *ParseGoalName(target, from.organization);
      plan.goals.push_back(Link(old_name, goal.name(), new_name.Format(), decision.relation()));
      plan.goals.push_back(Link(new_name, goal.name(), new_name.Format(), decision.relation()));
    }
  }
  for (const auto& [name, decision] : decisions) {
    if (!old_names.contains(name)) {
      return absl::InvalidArgumentError(
          fmt::format("{} is not an open goal of {}", name, YearLabel(from.fiscal_year)));
    }
  }
  v1::Event closed;
  closed.mutable_fiscal_year_rolled_over()->set_from_year(from.fiscal_year);
  closed.mutable_fiscal_year_rolled_over()->set_to_year(to);
  closed.mutable_fiscal_year_rolled_over()->set_plan_framework(request.plan_framework);
  plan.years.push_back({from, std::move(closed)});
  v1::Event opened;
  opened.mutable_fiscal_year_opened()->set_fiscal_year(to);
  opened.mutable_fiscal_year_opened()->set_plan_framework(request.plan_framework);
  opened.mutable_fiscal_year_opened()->set_previous_year(from.fiscal_year);
  plan.years.push_back({FiscalYearName{from.organization, to}, std::move(opened)});
  return plan;
}

}  // namespace dxledger::domain
