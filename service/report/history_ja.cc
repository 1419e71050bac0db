#include "service/report/history_ja.h"

#include "absl/time/time.h"
#include "fmt/format.h"
#include "proto/notation/event_text.h"
#include "proto/notation/rating.h"

namespace dxledger::report {
namespace {

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : "・") + item;
  return out;
}

std::string Rating(v1::Rating rating) {
  return rating == v1::RATING_UNSPECIFIED ? "未評価" : std::string(notation::RatingLetter(rating));
}

std::string Because(const std::string& why) { return why.empty() ? "" : "（" + why + "）"; }

std::string_view Relation(v1::LineageRelation relation) {
  switch (relation) {
    case v1::LINEAGE_RELATION_CONTINUED:
      return "継続";
    case v1::LINEAGE_RELATION_MERGED:
      return "統合";
    case v1::LINEAGE_RELATION_SPLIT:
      return "分割";
    case v1::LINEAGE_RELATION_REPLACED:
      return "置換";
    case v1::LINEAGE_RELATION_DROPPED:
      return "終了";
    default:
      return "引継ぎ";
  }
}

}  // namespace

std::string FormatJst(const google::protobuf::Timestamp& time) {
  static const absl::TimeZone kJst = absl::FixedTimeZone(9 * 60 * 60);
  const absl::Time t = absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
  return absl::FormatTime("%Y-%m-%d %H:%M JST", t, kJst);
}

std::string DescribeEventJa(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kGoalCreated:
      return fmt::format("目標を作成 {}年度 {}「{}」", event.goal_created().fiscal_year(),
                         Joined(event.goal_created().departments()), event.goal_created().title());
    case v1::Event::kGoalRevised: {
      const v1::GoalRevised& r = event.goal_revised();
      std::string what;
      if (r.has_title()) what += fmt::format(" 目標「{}」", r.title());
      if (r.has_departments()) what += " 部局 " + Joined(r.departments().names());
      if (r.has_report_number()) what += fmt::format(" No.{}", r.report_number());
      if (r.has_principal()) what += r.principal() ? " 主な目標に指定" : " 主な目標から除外";
      if (r.has_principal_number()) what += fmt::format(" 主な目標No.{}", r.principal_number());
      return "目標を変更" + what;
    }
    case v1::Event::kIndicatorSet: {
      const v1::IndicatorSet& i = event.indicator_set();
      return fmt::format("成果指標を設定 {}", i.description());
    }
    case v1::Event::kIndicatorResultRecorded:
      return fmt::format("成果指標の実績を記録 {:g}{}",
                         event.indicator_result_recorded().actual_value(),
                         Because(event.indicator_result_recorded().note()));
    case v1::Event::kActivityRecorded:
      return fmt::format("取組を記録{} {}", notation::TagMarker(event.activity_recorded().tags()),
                         event.activity_recorded().text());
    case v1::Event::kRatingSet:
      return fmt::format("評価を変更 {} → {}{}", Rating(event.rating_set().previous_rating()),
                         Rating(event.rating_set().rating()),
                         Because(event.rating_set().rationale()));
    case v1::Event::kIssueAdded:
      return "課題を追加 " + event.issue_added().text();
    case v1::Event::kIssueResolved:
      return "課題を解決" + Because(event.issue_resolved().resolution());
    case v1::Event::kGoalRetired:
      return "目標を廃止" + Because(event.goal_retired().reason());
    case v1::Event::kGoalCarriedOver: {
      const v1::GoalCarriedOver& link = event.goal_carried_over();
      return fmt::format("次年度へ{} {}", Relation(link.relation()),
                         link.to_goal().empty() ? "（引継ぎ先なし）" : "→ " + link.to_goal());
    }
    default:
      return notation::DescribeEvent(event);
  }
}

}  // namespace dxledger::report
