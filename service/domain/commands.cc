#include "service/domain/commands.h"

#include <cmath>
#include <set>

#include "fmt/format.h"
#include "service/domain/fiscal_year.h"
#include "service/domain/limits.h"
#include "service/domain/rating.h"
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
    DX_RETURN_IF_ERROR(ValidateText("departments", department, kMaxDepartmentBytes, true));
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
  DX_RETURN_IF_ERROR(ValidateFiscalYear(created.fiscal_year()));
  DX_RETURN_IF_ERROR(ValidateDepartments(created.departments()));
  DX_RETURN_IF_ERROR(ValidateText("title", created.title(), kMaxTitleBytes, true));
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
    DX_RETURN_IF_ERROR(ValidateText("title", revised.title(), kMaxTitleBytes, true));
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
  DX_RETURN_IF_ERROR(ValidateText("unit", set.unit(), kMaxUnitBytes, false));
  if (set.has_target_value())
    DX_RETURN_IF_ERROR(ValidateFinite("target_value", set.target_value()));
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
  DX_RETURN_IF_ERROR(ValidateRating(rating.rating()));
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
    default:
      return absl::InvalidArgumentError("the command carries no known change");
  }
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

absl::StatusOr<std::vector<v1::Event>> Decide(const v1::Goal* current, const Command& command,
                                              const CommandContext& context) {
  DX_RETURN_IF_ERROR(ValidateContext(context));
  v1::Event event = command.proposal;
  // Envelope fields are the server's; whatever the proposal carried is dropped.
  event.clear_position();
  event.clear_prev_hash();
  event.clear_hash();
  if (event.has_goal_created()) {
    if (current != nullptr) {
      return absl::AlreadyExistsError(fmt::format("goal {} already exists", command.goal.Format()));
    }
    if (command.expected_version && *command.expected_version != 0) {
      return absl::AbortedError(fmt::format(
          "goal {} does not exist yet; expected_version must be 0", command.goal.Format()));
    }
    DX_RETURN_IF_ERROR(DecideCreated(*event.mutable_goal_created()));
  } else {
    DX_RETURN_IF_ERROR(CheckWritable(current, command));
    DX_RETURN_IF_ERROR(DecideOnGoal(*current, event));
  }
  event.set_goal(command.goal.Format());
  event.set_version(current == nullptr ? 1 : current->version() + 1);
  event.set_actor(context.actor);
  const int64_t micros = absl::ToUnixMicros(context.now);
  event.mutable_record_time()->set_seconds(micros / 1000000);
  event.mutable_record_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  event.set_request_id(context.request_id);
  event.set_reason(context.reason);
  std::vector<v1::Event> events;
  events.push_back(std::move(event));
  return events;
}

}  // namespace dxledger::domain
