#include "service/domain/goal.h"

#include <algorithm>
#include <cassert>

namespace dxledger::domain {
namespace {

v1::Indicator* FindIndicator(v1::Goal& goal, std::string_view id) {
  for (v1::Indicator& indicator : *goal.mutable_indicators()) {
    if (indicator.indicator_id() == id) return &indicator;
  }
  return nullptr;
}

void ApplyCreated(const v1::Event& event, v1::Goal& goal) {
  const v1::GoalCreated& created = event.goal_created();
  goal.set_name(event.goal());
  goal.set_goal_id(std::string(event.goal().substr(event.goal().rfind('/') + 1)));
  goal.set_fiscal_year(created.fiscal_year());
  *goal.mutable_departments() = created.departments();
  goal.set_title(created.title());
  goal.set_plan_framework(created.plan_framework());
  goal.set_principal(created.principal());
  goal.set_report_number(created.report_number());
  goal.set_principal_number(created.principal_number());
  *goal.mutable_create_time() = event.record_time();
}

void ApplyRevised(const v1::GoalRevised& revised, v1::Goal& goal) {
  if (revised.has_title()) goal.set_title(revised.title());
  if (revised.has_departments()) *goal.mutable_departments() = revised.departments().names();
  if (revised.has_report_number()) goal.set_report_number(revised.report_number());
  if (revised.has_principal()) goal.set_principal(revised.principal());
  if (revised.has_principal_number()) goal.set_principal_number(revised.principal_number());
}

void ApplyIndicatorSet(const v1::IndicatorSet& set, v1::Goal& goal) {
  v1::Indicator* indicator = FindIndicator(goal, set.indicator_id());
  if (indicator == nullptr) {
    indicator = goal.add_indicators();
    indicator->set_indicator_id(set.indicator_id());
  }
  indicator->set_description(set.description());
  if (set.has_target_value()) {
    indicator->set_target_value(set.target_value());
  } else {
    indicator->clear_target_value();
  }
  indicator->set_unit(set.unit());
  indicator->set_joined_by(set.joined_by());
}

void ApplyResult(const v1::IndicatorResultRecorded& result, v1::Goal& goal) {
  v1::Indicator* indicator = FindIndicator(goal, result.indicator_id());
  assert(indicator != nullptr);  // Decide checked that the indicator exists.
  if (indicator == nullptr) return;
  indicator->set_actual_value(result.actual_value());
  indicator->set_result_note(result.note());
}

void ApplyIssueResolved(const v1::IssueResolved& resolved, v1::Goal& goal) {
  for (v1::Issue& issue : *goal.mutable_issues()) {
    if (issue.issue_id() == resolved.issue_id()) {
      issue.set_resolved(true);
      issue.set_resolution(resolved.resolution());
    }
  }
}

void ApplyCarriedOver(const v1::GoalCarriedOver& link, v1::Goal& goal) {
  if (link.from_goal() == goal.name()) {
    v1::LineageLink* successor = goal.add_successors();
    successor->set_goal(link.to_goal());
    successor->set_relation(link.relation());
  } else {
    v1::LineageLink* predecessor = goal.add_predecessors();
    predecessor->set_goal(link.from_goal());
    predecessor->set_relation(link.relation());
  }
}

void ApplyDecided(const v1::ChangeDecided& decided, v1::Goal& goal) {
  for (v1::Proposal& proposal : *goal.mutable_proposals()) {
    if (proposal.proposal_id() != decided.proposal_id()) continue;
    proposal.set_decision(decided.decision());
    proposal.set_meeting(decided.meeting());
    proposal.set_meeting_date(decided.meeting_date());
  }
}

}  // namespace

void Apply(const v1::Event& event, v1::Goal& goal) {
  assert(event.version() == goal.version() + 1);
  switch (event.payload_case()) {
    case v1::Event::kGoalCreated:
      ApplyCreated(event, goal);
      break;
    case v1::Event::kGoalRevised:
      ApplyRevised(event.goal_revised(), goal);
      break;
    case v1::Event::kIndicatorSet:
      ApplyIndicatorSet(event.indicator_set(), goal);
      break;
    case v1::Event::kIndicatorResultRecorded:
      ApplyResult(event.indicator_result_recorded(), goal);
      break;
    case v1::Event::kActivityRecorded: {
      v1::Activity* activity = goal.add_activities();
      activity->set_activity_id(event.activity_recorded().activity_id());
      activity->set_text(event.activity_recorded().text());
      *activity->mutable_tags() = event.activity_recorded().tags();
      activity->set_actor(event.actor());
      *activity->mutable_record_time() = event.record_time();
      break;
    }
    case v1::Event::kRatingSet:
      goal.set_rating(event.rating_set().rating());
      goal.set_rating_rationale(event.rating_set().rationale());
      break;
    case v1::Event::kIssueAdded: {
      v1::Issue* issue = goal.add_issues();
      issue->set_issue_id(event.issue_added().issue_id());
      issue->set_text(event.issue_added().text());
      break;
    }
    case v1::Event::kIssueResolved:
      ApplyIssueResolved(event.issue_resolved(), goal);
      break;
    case v1::Event::kGoalRetired:
      goal.set_retired(true);
      goal.set_retire_reason(event.goal_retired().reason());
      break;
    case v1::Event::kGoalCarriedOver:
      ApplyCarriedOver(event.goal_carried_over(), goal);
      break;
    case v1::Event::kChangeProposed: {
      v1::Proposal* proposal = goal.add_proposals();
      proposal->set_proposal_id(event.change_proposed().proposal_id());
      *proposal->mutable_change() = event.change_proposed();
      proposal->set_proposer(event.actor());
      *proposal->mutable_propose_time() = event.record_time();
      break;
    }
    case v1::Event::kChangeDecided:
      ApplyDecided(event.change_decided(), goal);
      break;
    // Events of fiscal-year and principal streams never reach a goal (see
    // StreamKindOf); an event without a payload changes nothing.
    case v1::Event::kFiscalYearRolledOver:
    case v1::Event::kFiscalYearOpened:
    case v1::Event::kFiscalYearNextStepsSet:
    case v1::Event::kPrincipalAdded:
    case v1::Event::kPrincipalChanged:
    case v1::Event::kPrincipalTokenRotated:
    case v1::Event::kPrincipalDisabled:
    case v1::Event::kPrincipalEnabled:
    case v1::Event::PAYLOAD_NOT_SET:
      break;
  }
  goal.set_version(event.version());
  *goal.mutable_update_time() = event.record_time();
}

bool OwnedBy(const v1::Goal& goal, std::string_view department) {
  return std::find(goal.departments().begin(), goal.departments().end(), department) !=
         goal.departments().end();
}

}  // namespace dxledger::domain
