#include "proto/notation/event_text.h"

#include "absl/time/time.h"
#include "fmt/format.h"
#include "proto/notation/rating.h"

namespace dxledger::notation {
namespace {

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += "・";
    out += item;
  }
  return out;
}

std::string Number(double value) { return fmt::format("{:g}", value); }

}  // namespace

std::string TagMarker(const google::protobuf::RepeatedField<int>& tags) {
  if (tags.empty()) return "";
  std::string words;
  for (int tag : tags) {
    if (!words.empty()) words += ' ';
    words += v1::Tag_Name(tag).substr(4);  // TAG_DT → DT
  }
  return fmt::format("【{}】", words);
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  const absl::Time t = absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string DescribeEvent(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kGoalCreated:
      return fmt::format("goal created: FY{} {} 「{}」", event.goal_created().fiscal_year(),
                         Joined(event.goal_created().departments()), event.goal_created().title());
    case v1::Event::kGoalRevised: {
      const v1::GoalRevised& r = event.goal_revised();
      std::string what;
      if (r.has_title()) what += fmt::format(" title 「{}」", r.title());
      if (r.has_departments()) what += " departments " + Joined(r.departments().names());
      if (r.has_report_number()) what += fmt::format(" No. {}", r.report_number());
      if (r.has_principal()) what += r.principal() ? " principal" : " not principal";
      if (r.has_principal_number()) what += fmt::format(" principal No. {}", r.principal_number());
      return "goal revised:" + what;
    }
    case v1::Event::kIndicatorSet: {
      const v1::IndicatorSet& i = event.indicator_set();
      return fmt::format("indicator {} set: {}{}", i.indicator_id(), i.description(),
                         i.has_target_value()
                             ? fmt::format(" (target {} {})", Number(i.target_value()), i.unit())
                             : "");
    }
    case v1::Event::kIndicatorResultRecorded:
      return fmt::format("indicator {} result: {} {}",
                         event.indicator_result_recorded().indicator_id(),
                         Number(event.indicator_result_recorded().actual_value()),
                         event.indicator_result_recorded().note());
    case v1::Event::kActivityRecorded:
      return fmt::format("activity {} {}: {}", event.activity_recorded().activity_id(),
                         TagMarker(event.activity_recorded().tags()),
                         event.activity_recorded().text());
    case v1::Event::kRatingSet:
      return fmt::format(
          "rating {} → {}{}", RatingLetter(event.rating_set().previous_rating()),
          RatingLetter(event.rating_set().rating()),
          event.rating_set().rationale().empty() ? "" : ": " + event.rating_set().rationale());
    case v1::Event::kIssueAdded:
      return fmt::format("issue {} added: {}", event.issue_added().issue_id(),
                         event.issue_added().text());
    case v1::Event::kIssueResolved:
      return fmt::format("issue {} resolved: {}", event.issue_resolved().issue_id(),
                         event.issue_resolved().resolution());
    case v1::Event::kGoalRetired:
      return "goal retired: " + event.goal_retired().reason();
    case v1::Event::kGoalCarriedOver: {
      const v1::GoalCarriedOver& link = event.goal_carried_over();
      return fmt::format("carried over ({}): {} → {}", v1::LineageRelation_Name(link.relation()),
                         link.from_goal(), link.to_goal().empty() ? "(ends)" : link.to_goal());
    }
    case v1::Event::kFiscalYearRolledOver:
      return fmt::format("fiscal year FY{} closed, rolled over to FY{}",
                         event.fiscal_year_rolled_over().from_year(),
                         event.fiscal_year_rolled_over().to_year());
    case v1::Event::kFiscalYearOpened:
      return fmt::format("fiscal year FY{} opened", event.fiscal_year_opened().fiscal_year());
    case v1::Event::kFiscalYearNextStepsSet:
      return "今後の進め方 set: " + event.fiscal_year_next_steps_set().text();
    case v1::Event::kChangeProposed:
      return fmt::format("change {} proposed", event.change_proposed().proposal_id());
    case v1::Event::kChangeDecided:
      return fmt::format("change {} {} at {} ({})", event.change_decided().proposal_id(),
                         event.change_decided().decision() == v1::CHANGE_DECISION_ACCEPTED
                             ? "accepted"
                             : "rejected",
                         event.change_decided().meeting(), event.change_decided().meeting_date());
    case v1::Event::kPrincipalAdded:
      return "principal added: " + event.principal_added().principal();
    case v1::Event::kPrincipalChanged:
      return "principal roles or departments changed";
    case v1::Event::kPrincipalTokenRotated:
      return "principal token rotated";
    case v1::Event::kPrincipalDisabled:
      return "principal disabled: " + event.principal_disabled().reason();
    case v1::Event::kPrincipalEnabled:
      return "principal enabled";
    case v1::Event::PAYLOAD_NOT_SET:
      break;
  }
  return "(unknown event)";
}

}  // namespace dxledger::notation
