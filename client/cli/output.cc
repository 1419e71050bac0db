#include "client/cli/output.h"

#include <google/protobuf/util/json_util.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "fmt/format.h"
#include "proto/notation/event_text.h"
#include "proto/notation/fiscal_year.h"
#include "proto/notation/rating.h"

namespace dxledger::cli {
namespace {

// Terminal columns a character takes: wide and full-width ones take two.
size_t CharWidth(UChar32 c) {
  const int eaw = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
  return (eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH) ? 2 : 1;
}

// `text` cut to at most `max` columns (with an ellipsis when cut), and the
// columns the result takes.
std::pair<std::string, size_t> Fit(std::string_view text, size_t max) {
  std::string out;
  size_t width = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    const size_t w = CharWidth(c);
    if (width + w > max || (width + w == max && i < length)) return {out + "…", width + 1};
    out.append(text.substr(start, i - start));
    width += w;
  }
  return {out, width};
}

size_t DisplayWidth(std::string_view text) { return Fit(text, SIZE_MAX).second; }
std::string Truncate(std::string_view text, size_t max) { return Fit(text, max).first; }

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = DisplayWidth(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    fmt::print("{}\n", line);
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items,
                   std::string_view separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

std::string Tags(const google::protobuf::RepeatedField<int>& tags) {
  std::string out;
  for (int tag : tags) {
    out += out.empty() ? "" : " ";
    out += v1::Tag_Name(tag).substr(4);  // TAG_DT -> DT
  }
  return out;
}

std::string Number(double value) { return fmt::format("{:g}", value); }

std::string_view Framework(v1::PlanFramework framework) {
  switch (framework) {
    case v1::PLAN_FRAMEWORK_PRE_PLAN:
      return "pre-plan";
    case v1::PLAN_FRAMEWORK_DX_PLAN:
      return "DX plan";
    default:
      return "-";
  }
}

}  // namespace

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    json = "{}";
  }
  fmt::print("{}", json);
}

void PrintGoal(const v1::Goal& goal) {
  fmt::print("{}  (version {}{})\n", goal.name(), goal.version(),
             goal.retired() ? ", RETIRED: " + goal.retire_reason() : "");
  fmt::print("  fiscal year  {} (FY{}), {}\n", notation::JapaneseFiscalYear(goal.fiscal_year()),
             goal.fiscal_year(), Framework(goal.plan_framework()));
  fmt::print("  departments  {}\n", Joined(goal.departments(), "・"));
  if (goal.report_number() != 0 || goal.principal()) {
    fmt::print("  report No.   {}{}\n", goal.report_number(),
               goal.principal() ? " (principal)" : "");
  }
  fmt::print("  title        {}\n", goal.title());
  fmt::print("  rating       {}{}\n", notation::RatingLetter(goal.rating()),
             goal.rating_rationale().empty() ? "" : "  " + goal.rating_rationale());
  for (const v1::Indicator& indicator : goal.indicators()) {
    fmt::print("  indicator    {}  {}", indicator.indicator_id(), indicator.description());
    if (indicator.has_target_value()) {
      fmt::print("  target {} {}", Number(indicator.target_value()), indicator.unit());
    }
    if (indicator.has_actual_value()) {
      fmt::print("  actual {} {}", Number(indicator.actual_value()), indicator.unit());
    }
    fmt::print("\n");
  }
  for (const v1::Activity& activity : goal.activities()) {
    fmt::print("  activity     {}  [{}] {}\n", activity.activity_id(), Tags(activity.tags()),
               activity.text());
  }
  for (const v1::Issue& issue : goal.issues()) {
    fmt::print("  issue        {}  {}  {}{}\n", issue.issue_id(),
               issue.resolved() ? "resolved" : "open", issue.text(),
               issue.resolution().empty() ? "" : " → " + issue.resolution());
  }
}

void PrintGoalTable(const std::vector<v1::Goal>& goals) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Goal& goal : goals) {
    rows.push_back({goal.goal_id(), fmt::format("FY{}", goal.fiscal_year()),
                    goal.report_number() ? std::to_string(goal.report_number()) : "-",
                    std::string(notation::RatingLetter(goal.rating())),
                    std::to_string(goal.version()), Truncate(Joined(goal.departments(), "・"), 24),
                    Truncate(goal.title(), 50)});
  }
  PrintTable({"GOAL", "YEAR", "NO.", "RATING", "VER", "DEPARTMENTS", "TITLE"}, rows);
}

void PrintEventTable(const std::vector<v1::Event>& events) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Event& event : events) {
    rows.push_back({std::to_string(event.position()),
                    event.goal().substr(event.goal().rfind('/') + 1),
                    std::to_string(event.version()), notation::FormatTime(event.record_time()),
                    event.actor(), Truncate(notation::DescribeEvent(event), 70)});
  }
  PrintTable({"POS", "GOAL", "VER", "TIME (UTC)", "ACTOR", "WHAT"}, rows);
}

void PrintRatingChangeTable(const std::vector<v1::RatingChange>& changes) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::RatingChange& change : changes) {
    rows.push_back({std::to_string(change.position()), notation::FormatTime(change.record_time()),
                    change.actor(), change.goal().substr(change.goal().rfind('/') + 1),
                    fmt::format("FY{}", change.fiscal_year()),
                    fmt::format("{} → {}", notation::RatingLetter(change.previous_rating()),
                                notation::RatingLetter(change.rating())),
                    Truncate(change.rationale(), 50)});
  }
  PrintTable({"POS", "TIME (UTC)", "ACTOR", "GOAL", "YEAR", "RATING", "WHY"}, rows);
}

int Fail(const absl::Status& status) {
  fmt::print(stderr, "dxledger: {}: {}\n", absl::StatusCodeToString(status.code()),
             std::string(status.message()));
  return 1;
}

}  // namespace dxledger::cli
