#include "service/domain/commands.h"

#include <cmath>
#include <set>

#include "absl/time/time.h"
#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "proto/notation/rating.h"
#include "service/domain/fiscal_years.h"
#include "service/domain/limits.h"
#include "service/domain/text.h"

namespace dxledger::domain {
namespace {

using Departments = google::protobuf::RepeatedPtrField<std::string>;

#define DX_RETURN_IF_ERROR(expr)              \
  do {                                        \
    if (absl::Status _s = (expr); !_s.ok()) { \
      return _s;                              \
    }                                         \
  } while (0)

absl::Status ValidateDepartments(const Departments& departments) {
  if (departments.empty()) {
    return absl::InvalidArgumentError("departments: at least one department is required");
  }
  if (static_cast<size_t>(departments.size()) > kMaxDepartments) {
    return absl::InvalidArgumentError(
        fmt::format("departments: at most {} are allowed", kMaxDepartments));
  }
  std::set<std::string_view> seen;
  for (const std::string& department : departments) {
    DX_RETURN_IF_ERROR(
        ValidateText("departments", department, kMaxDepartmentBytes, true, Lines::kOne));
    if (!seen.insert(department).second) {
      return absl::InvalidArgumentError(
          fmt::format("departments: \"{}\" is listed twice", department));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFinite(std::string_view field, double value) {
  if (std::isfinite(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format("{} must be a finite number", field));
}

absl::Status ValidateReportNumber(int number) {
  if (number >= 0 && number <= kMaxReportNumber) return absl::OkStatus();
  return absl::InvalidArgumentError(
      fmt::format("report_number {} must be between 0 and {}", number, kMaxReportNumber));
}

absl::Status DecideCreated(v1::GoalCreated& created) {
  DX_RETURN_IF_ERROR(notation::ValidateFiscalYear(created.fiscal_year()));
  DX_RETURN_IF_ERROR(ValidateDepartments(created.departments()));
  DX_RETURN_IF_ERROR(ValidateText("title", created.title(), kMaxTitleBytes, true, Lines::kOne));
  DX_RETURN_IF_ERROR(ValidateReportNumber(created.report_number()));
  DX_RETURN_IF_ERROR(ValidateReportNumber(created.principal_number()));
  // A principal number makes the goal principal.
  if (created.principal_number() != 0) created.set_principal(true);
  if (!v1::PlanFramework_IsValid(created.plan_framework())) {
    return absl::InvalidArgumentError("plan_framework is not a known framework");
  }
  if (created.plan_framework() == v1::PLAN_FRAMEWORK_UNSPECIFIED) {
    // FY2021 goals predate the prefectural DX promotion plan.
    created.set_plan_framework(created.fiscal_year() <= 2021 ? v1::PLAN_FRAMEWORK_PRE_PLAN
                                                             : v1::PLAN_FRAMEWORK_DX_PLAN);
  }
  return absl::OkStatus();
}

absl::Status DecideRevised(const v1::Goal& goal, const v1::GoalRevised& revised) {
  bool changes = false;
  if (revised.has_title()) {
    DX_RETURN_IF_ERROR(ValidateText("title", revised.title(), kMaxTitleBytes, true, Lines::kOne));
    changes |= revised.title() != goal.title();
  }
  if (revised.has_departments()) {
    DX_RETURN_IF_ERROR(ValidateDepartments(revised.departments().names()));
    changes |=
        !std::equal(revised.departments().names().begin(), revised.departments().names().end(),
                    goal.departments().begin(), goal.departments().end());
  }
  if (revised.has_report_number()) {
    DX_RETURN_IF_ERROR(ValidateReportNumber(revised.report_number()));
    changes |= revised.report_number() != goal.report_number();
  }
  if (revised.has_principal()) changes |= revised.principal() != goal.principal();
  if (revised.has_principal_number()) {
    DX_RETURN_IF_ERROR(ValidateReportNumber(revised.principal_number()));
    changes |= revised.principal_number() != goal.principal_number();
  }
  if (!changes) {
    return absl::InvalidArgumentError(
        "revision changes nothing: set title, departments, report_number, principal or "
        "principal_number to a new value");
  }
  return absl::OkStatus();
}

const v1::Indicator* FindIndicator(const v1::Goal& goal, std::string_view id) {
  for (const v1::Indicator& indicator : goal.indicators()) {
    if (indicator.indicator_id() == id) return &indicator;
  }
  return nullptr;
}

absl::Status DecideIndicatorSet(const v1::Goal& goal, v1::IndicatorSet& set) {
  if (set.indicator_id().empty()) {
    set.set_indicator_id(fmt::format("ind{}", goal.indicators_size() + 1));
  }
  DX_RETURN_IF_ERROR(ValidateId(set.indicator_id(), "indicator_id"));
  DX_RETURN_IF_ERROR(ValidateText("description", set.description(), kMaxTextBytes, true));
  DX_RETURN_IF_ERROR(ValidateText("unit", set.unit(), kMaxUnitBytes, false, Lines::kOne));
  if (set.has_target_value())
    DX_RETURN_IF_ERROR(ValidateFinite("target_value", set.target_value()));
  if (!set.joined_by().empty() && set.joined_by() != "、" && set.joined_by() != "と") {
    return absl::InvalidArgumentError(
        fmt::format("joined_by \"{}\" must be empty, 、 or と", set.joined_by()));
  }
  return absl::OkStatus();
}

absl::Status DecideResult(const v1::Goal& goal, const v1::IndicatorResultRecorded& result) {
  if (FindIndicator(goal, result.indicator_id()) == nullptr) {
    return absl::NotFoundError(
        fmt::format("indicator \"{}\" not found on goal {}; set it first with SetIndicator",
                    result.indicator_id(), goal.name()));
  }
  DX_RETURN_IF_ERROR(ValidateFinite("actual_value", result.actual_value()));
  return ValidateText("note", result.note(), kMaxRationaleBytes, false);
}

absl::Status DecideActivity(const v1::Goal& goal, v1::ActivityRecorded& activity) {
  DX_RETURN_IF_ERROR(ValidateText("text", activity.text(), kMaxTextBytes, true));
  std::set<int> tags;
  for (int tag : activity.tags()) {
    if (tag == v1::TAG_UNSPECIFIED || !v1::Tag_IsValid(tag)) {
      return absl::InvalidArgumentError(
          fmt::format("tags: {} is not one of TAG_DT, TAG_DL, TAG_DX", tag));
    }
    tags.insert(tag);
  }
  // Tags are a set, kept in the canonical order DT, DL, DX.
  activity.clear_tags();
  for (int tag : tags) activity.add_tags(static_cast<v1::Tag>(tag));
  activity.set_activity_id(fmt::format("act{}", goal.activities_size() + 1));
  return absl::OkStatus();
}

absl::Status DecideRating(const v1::Goal& goal, v1::RatingSet& rating) {
  DX_RETURN_IF_ERROR(notation::ValidateRating(rating.rating()));
  DX_RETURN_IF_ERROR(ValidateText("rationale", rating.rationale(), kMaxRationaleBytes, false));
  rating.set_previous_rating(goal.rating());
  return absl::OkStatus();
}

absl::Status DecideIssueResolved(const v1::Goal& goal, const v1::IssueResolved& resolved) {
  DX_RETURN_IF_ERROR(ValidateText("resolution", resolved.resolution(), kMaxRationaleBytes, false));
  for (const v1::Issue& issue : goal.issues()) {
    if (issue.issue_id() != resolved.issue_id()) continue;
    if (issue.resolved()) {
      return absl::FailedPreconditionError(
          fmt::format("issue {} of {} is already resolved", issue.issue_id(), goal.name()));
    }
    return absl::OkStatus();
  }
  return absl::NotFoundError(
      fmt::format("issue \"{}\" not found on goal {}", resolved.issue_id(), goal.name()));
}

absl::Status ValidateChange(const v1::Goal& goal, v1::ChangeProposed& change) {
  if (!change.has_title() && !change.has_departments() && !change.has_indicator()) {
    return absl::InvalidArgumentError(
        "a proposal must change something: title, departments or an indicator");
  }
  if (change.has_title()) {
    DX_RETURN_IF_ERROR(ValidateText("title", change.title(), kMaxTitleBytes, true, Lines::kOne));
  }
  if (change.has_departments())
    DX_RETURN_IF_ERROR(ValidateDepartments(change.departments().names()));
  if (change.has_indicator()) {
    v1::IndicatorSet* indicator = change.mutable_indicator();
    if (indicator->indicator_id().empty()) {
      // Ids are numbered when the proposal is made, so the accepted change
      // adds the indicator the proposal named.
      indicator->set_indicator_id(fmt::format("ind{}", goal.indicators_size() + 1));
    }
    DX_RETURN_IF_ERROR(DecideIndicatorSet(goal, *indicator));
  }
  DX_RETURN_IF_ERROR(ValidateText("rationale", change.rationale(), kMaxRationaleBytes, false));
  change.set_proposal_id(fmt::format("prop{}", goal.proposals_size() + 1));
  return absl::OkStatus();
}

absl::Status ValidateMeetingDate(std::string_view date) {
  absl::Time time;
  std::string error;
  if (date.size() == 10 &&
      absl::ParseTime("%Y-%m-%d", std::string(date), absl::UTCTimeZone(), &time, &error)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      fmt::format("meeting_date \"{}\" must be a date like 2022-05-20", date.substr(0, 40)));
}

// A decision, and for an accepted proposal the changes it carries out.
absl::StatusOr<std::vector<v1::Event>> DecideChange(const v1::Goal& goal,
                                                    const v1::ChangeDecided& decided) {
  const v1::Proposal* proposal = nullptr;
  for (const v1::Proposal& p : goal.proposals()) {
    if (p.proposal_id() == decided.proposal_id()) proposal = &p;
  }
  if (proposal == nullptr) {
    return absl::NotFoundError(
        fmt::format("proposal \"{}\" not found on goal {}", decided.proposal_id(), goal.name()));
  }
  if (proposal->decision() != v1::CHANGE_DECISION_UNSPECIFIED) {
    return absl::FailedPreconditionError(
        fmt::format("proposal {} of {} was already decided ({})", decided.proposal_id(),
                    goal.name(), v1::ChangeDecision_Name(proposal->decision())));
  }
  if (decided.decision() != v1::CHANGE_DECISION_ACCEPTED &&
      decided.decision() != v1::CHANGE_DECISION_REJECTED) {
    return absl::InvalidArgumentError(
        "decision must be CHANGE_DECISION_ACCEPTED or CHANGE_DECISION_REJECTED");
  }
  DX_RETURN_IF_ERROR(ValidateText("meeting", decided.meeting(), kMaxTitleBytes, true, Lines::kOne));
  DX_RETURN_IF_ERROR(ValidateMeetingDate(decided.meeting_date()));
  std::vector<v1::Event> events(1);
  *events[0].mutable_change_decided() = decided;
  if (decided.decision() == v1::CHANGE_DECISION_REJECTED) return events;
  const v1::ChangeProposed& change = proposal->change();
  if (change.has_title() || change.has_departments()) {
    v1::GoalRevised* revised = events.emplace_back().mutable_goal_revised();
    if (change.has_title()) revised->set_title(change.title());
    if (change.has_departments()) *revised->mutable_departments() = change.departments();
    revised->set_proposal_id(decided.proposal_id());
  }
  if (change.has_indicator()) {
    v1::IndicatorSet* indicator = events.emplace_back().mutable_indicator_set();
    *indicator = change.indicator();
    indicator->set_proposal_id(decided.proposal_id());
  }
  return events;
}

absl::Status ValidateLink(const v1::Goal& goal, const v1::GoalCarriedOver& link) {
  if (link.relation() == v1::LINEAGE_RELATION_UNSPECIFIED ||
      !v1::LineageRelation_IsValid(link.relation())) {
    return absl::InvalidArgumentError(
        "relation must be continued, merged, split, replaced or dropped");
  }
  if (link.from_goal() != goal.name() && link.to_goal() != goal.name()) {
    return absl::InvalidArgumentError(
        fmt::format("a carry-over recorded on {} must start or end there", goal.name()));
  }
  return absl::OkStatus();
}

// Validates `event`'s payload against the existing goal and fills in what the
// server decides (ids, the previous rating).
absl::Status DecideOnGoal(const v1::Goal& goal, v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kGoalRevised:
      return DecideRevised(goal, event.goal_revised());
    case v1::Event::kIndicatorSet:
      return DecideIndicatorSet(goal, *event.mutable_indicator_set());
    case v1::Event::kIndicatorResultRecorded:
      return DecideResult(goal, event.indicator_result_recorded());
    case v1::Event::kActivityRecorded:
      return DecideActivity(goal, *event.mutable_activity_recorded());
    case v1::Event::kRatingSet:
      return DecideRating(goal, *event.mutable_rating_set());
    case v1::Event::kIssueAdded:
      event.mutable_issue_added()->set_issue_id(fmt::format("iss{}", goal.issues_size() + 1));
      return ValidateText("text", event.issue_added().text(), kMaxTextBytes, true);
    case v1::Event::kIssueResolved:
      return DecideIssueResolved(goal, event.issue_resolved());
    case v1::Event::kGoalRetired:
      return ValidateText("retire_reason", event.goal_retired().reason(), kMaxReasonBytes, true);
    case v1::Event::kGoalCarriedOver:
      return ValidateLink(goal, event.goal_carried_over());
    case v1::Event::kChangeProposed:
      return ValidateChange(goal, *event.mutable_change_proposed());
    // Decide handles these before; the others are not goal commands.
    case v1::Event::kGoalCreated:
    case v1::Event::kChangeDecided:
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
  return absl::InvalidArgumentError("the command carries no known change");
}

absl::Status CheckWritable(const v1::Goal* current, const Command& command) {
  const std::string name = command.goal.Format();
  if (current == nullptr) {
    return absl::NotFoundError(fmt::format("goal {} not found", name));
  }
  if (command.expected_version && *command.expected_version != current->version()) {
    return absl::AbortedError(
        fmt::format("goal {} is at version {}, not the expected {}; read it again and retry", name,
                    current->version(), *command.expected_version));
  }
  if (current->retired()) {
    return absl::FailedPreconditionError(
        fmt::format("goal {} is retired and takes no further changes", name));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateContext(const CommandContext& context) {
  if (context.request_id.size() > kMaxRequestIdBytes) {
    return absl::InvalidArgumentError(
        fmt::format("request_id is longer than {} bytes", kMaxRequestIdBytes));
  }
  for (char c : context.request_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError("request_id must be printable ASCII without spaces");
    }
  }
  return ValidateText("reason", context.reason, kMaxReasonBytes, false);
}

void FillEnvelope(std::string stream, uint64_t version, const CommandContext& context,
                  v1::Event& event) {
  event.clear_position();
  event.clear_prev_hash();
  event.clear_hash();
  event.set_goal(std::move(stream));
  event.set_version(version);
  event.set_actor(context.actor);
  const int64_t micros = absl::ToUnixMicros(context.now);
  event.mutable_record_time()->set_seconds(micros / 1000000);
  event.mutable_record_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  event.set_request_id(context.request_id);
  event.set_reason(context.reason);
  event.set_post_close_correction(IsClosed(context.year));
}

absl::StatusOr<std::vector<v1::Event>> Decide(const v1::Goal* current, const Command& command,
                                              const CommandContext& context) {
  DX_RETURN_IF_ERROR(ValidateContext(context));
  std::vector<v1::Event> events;
  if (command.proposal.has_goal_created()) {
    if (current != nullptr) {
      return absl::AlreadyExistsError(fmt::format("goal {} already exists", command.goal.Format()));
    }
    if (command.expected_version && *command.expected_version != 0) {
      return absl::AbortedError(fmt::format(
          "goal {} does not exist yet; expected_version must be 0", command.goal.Format()));
    }
    if (IsClosed(context.year)) {
      return absl::FailedPreconditionError(
          fmt::format("FY{} is closed: no goal can be created in it", context.year->fiscal_year()));
    }
    events.push_back(command.proposal);
    DX_RETURN_IF_ERROR(DecideCreated(*events[0].mutable_goal_created()));
  } else if (command.proposal.has_change_decided()) {
    DX_RETURN_IF_ERROR(CheckWritable(current, command));
    absl::StatusOr<std::vector<v1::Event>> decided =
        DecideChange(*current, command.proposal.change_decided());
    if (!decided.ok()) return decided.status();
    events = *std::move(decided);
  } else {
    DX_RETURN_IF_ERROR(CheckWritable(current, command));
    events.push_back(command.proposal);
    DX_RETURN_IF_ERROR(DecideOnGoal(*current, events[0]));
  }
  uint64_t version = current == nullptr ? 0 : current->version();
  for (v1::Event& event : events) FillEnvelope(command.goal.Format(), ++version, context, event);
  return events;
}

}  // namespace dxledger::domain
