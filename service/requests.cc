#include "service/requests.h"

#include <openssl/rand.h>

#include <algorithm>

#include "base/sha256.h"
#include "fmt/format.h"

namespace dxledger::service {
namespace {

// The fields every command request shares: name, expected_version,
// request_id, reason.
template <typename Request>
absl::StatusOr<ledger::CommandRequest> Common(const Request& request, std::string_view method,
                                              const RequestScope& scope, v1::Event proposal) {
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request.name(), scope.default_organization);
  if (!name.ok()) return name.status();
  ledger::CommandRequest command;
  command.method = std::string(method);
  command.command.goal = *std::move(name);
  if (request.has_expected_version()) command.command.expected_version = request.expected_version();
  command.command.proposal = std::move(proposal);
  command.actor = std::string(scope.actor);
  command.request_id = request.request_id();
  command.reason = request.reason();
  return command;
}

}  // namespace

std::string NewGoalId(int fiscal_year, std::string_view actor, std::string_view request_id) {
  unsigned char bytes[4];
  if (request_id.empty()) {
    if (RAND_bytes(bytes, 4) != 1) std::abort();  // no entropy source at all
  } else {
    const std::string digest = base::Sha256({actor, "\n", request_id});
    std::copy_n(digest.begin(), 4, bytes);
  }
  return fmt::format("{}-{:02x}{:02x}{:02x}{:02x}", fiscal_year, bytes[0], bytes[1], bytes[2],
                     bytes[3]);
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::CreateGoalRequest& request,
                                                 const RequestScope& scope) {
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request.parent(), scope.default_organization);
  if (!organization.ok()) return organization.status();
  const std::string goal_id =
      request.goal_id().empty()
          ? NewGoalId(request.fiscal_year(), scope.actor, request.request_id())
          : request.goal_id();
  if (absl::Status s = domain::ValidateId(goal_id, "goal_id"); !s.ok()) return s;
  ledger::CommandRequest command;
  command.method = "CreateGoal";
  command.command.goal = domain::GoalName{*organization, goal_id};
  if (request.has_expected_version()) command.command.expected_version = request.expected_version();
  v1::GoalCreated* created = command.command.proposal.mutable_goal_created();
  created->set_fiscal_year(request.fiscal_year());
  *created->mutable_departments() = request.departments();
  created->set_title(request.title());
  created->set_plan_framework(request.plan_framework());
  created->set_principal(request.principal());
  created->set_report_number(request.report_number());
  created->set_principal_number(request.principal_number());
  command.actor = std::string(scope.actor);
  command.request_id = request.request_id();
  command.reason = request.reason();
  return command;
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::ReviseGoalRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  v1::GoalRevised* revised = proposal.mutable_goal_revised();
  if (request.has_title()) revised->set_title(request.title());
  if (request.has_departments()) *revised->mutable_departments() = request.departments();
  if (request.has_report_number()) revised->set_report_number(request.report_number());
  if (request.has_principal()) revised->set_principal(request.principal());
  if (request.has_principal_number()) revised->set_principal_number(request.principal_number());
  return Common(request, "ReviseGoal", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::SetIndicatorRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  v1::IndicatorSet* set = proposal.mutable_indicator_set();
  set->set_indicator_id(request.indicator_id());
  set->set_description(request.description());
  if (request.has_target_value()) set->set_target_value(request.target_value());
  set->set_unit(request.unit());
  return Common(request, "SetIndicator", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::RecordIndicatorResultRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  v1::IndicatorResultRecorded* result = proposal.mutable_indicator_result_recorded();
  result->set_indicator_id(request.indicator_id());
  result->set_actual_value(request.actual_value());
  result->set_note(request.note());
  return Common(request, "RecordIndicatorResult", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::RecordActivityRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  proposal.mutable_activity_recorded()->set_text(request.text());
  *proposal.mutable_activity_recorded()->mutable_tags() = request.tags();
  return Common(request, "RecordActivity", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::SetRatingRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  proposal.mutable_rating_set()->set_rating(request.rating());
  proposal.mutable_rating_set()->set_rationale(request.rationale());
  return Common(request, "SetRating", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::AddIssueRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  proposal.mutable_issue_added()->set_text(request.text());
  return Common(request, "AddIssue", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::ResolveIssueRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  proposal.mutable_issue_resolved()->set_issue_id(request.issue_id());
  proposal.mutable_issue_resolved()->set_resolution(request.resolution());
  return Common(request, "ResolveIssue", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::RetireGoalRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  proposal.mutable_goal_retired()->set_reason(request.retire_reason());
  return Common(request, "RetireGoal", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::ProposeChangeRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  v1::ChangeProposed* change = proposal.mutable_change_proposed();
  if (request.has_title()) change->set_title(request.title());
  if (request.has_departments()) *change->mutable_departments() = request.departments();
  if (request.has_indicator()) *change->mutable_indicator() = request.indicator();
  change->set_rationale(request.rationale());
  return Common(request, "ProposeChange", scope, std::move(proposal));
}

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::DecideChangeRequest& request,
                                                 const RequestScope& scope) {
  v1::Event proposal;
  v1::ChangeDecided* decided = proposal.mutable_change_decided();
  decided->set_proposal_id(request.proposal_id());
  decided->set_decision(request.decision());
  decided->set_meeting(request.meeting());
  decided->set_meeting_date(request.meeting_date());
  return Common(request, "DecideChange", scope, std::move(proposal));
}

}  // namespace dxledger::service
