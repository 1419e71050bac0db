#include "service/report/render.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "absl/strings/str_replace.h"
#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/report/cells.h"
#include "service/report/csv.h"
#include "service/report/report_rows.h"
#include "service/report/report_text.h"

namespace dxledger::report {
namespace {

v1::ReportRow RowFromGoal(const v1::Goal& goal) {
  v1::ReportRow row;
  row.set_report_number(goal.report_number());
  row.set_principal_number(goal.principal_number());
  row.set_goal(goal.name());
  *row.mutable_departments() = goal.departments();
  row.set_title(goal.title());
  row.set_rating(goal.rating());
  for (const v1::Indicator& indicator : goal.indicators()) {
    v1::ReportIndicator* out = row.add_indicators();
    out->set_text(indicator.description());
    if (indicator.has_target_value()) out->set_target_value(indicator.target_value());
    out->set_unit(indicator.unit());
    if (indicator.has_actual_value()) out->set_actual_value(indicator.actual_value());
    out->set_joined_by(indicator.joined_by());
  }
  for (const v1::Activity& activity : goal.activities()) {
    v1::ReportActivity* out = row.add_activities();
    out->set_text(activity.text());
    *out->mutable_tags() = activity.tags();
  }
  for (const v1::Issue& issue : goal.issues()) {
    if (!issue.resolved()) row.add_issues(issue.text());
  }
  return row;
}

std::string MarkdownCell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "<br>";
    else if (c == '|')
      out += "\\|";
    else
      out.push_back(c);
  }
  return out;
}

void MarkdownTable(const std::vector<const v1::ReportRow*>& rows, bool principal,
                   std::string& out) {
  out += "| No. | 部局名 | 目標 | 評価 | 成果指標 | 取組内容 | 今後の課題等 |\n";
  out += "| --: | --- | --- | :-: | --- | --- | --- |\n";
  for (const v1::ReportRow* row : rows) {
    std::vector<std::string> cells = RowCells(*row);
    if (principal) cells[0] = std::to_string(row->principal_number());
    out += "|";
    for (const std::string& cell : cells) out += " " + MarkdownCell(cell) + " |";
    out += "\n";
  }
}

}  // namespace

v1::Report ReportFromGoals(int fiscal_year, const std::vector<v1::Goal>& goals) {
  v1::Report report;
  report.set_fiscal_year(fiscal_year);
  report.set_fiscal_year_japanese(notation::JapaneseFiscalYear(fiscal_year));
  std::vector<const v1::Goal*> ordered;
  for (const v1::Goal& goal : goals) {
    if (goal.fiscal_year() == fiscal_year && !goal.retired()) ordered.push_back(&goal);
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const v1::Goal* a, const v1::Goal* b) {
    auto key = [](const v1::Goal* g) {
      return std::tuple(g->report_number() == 0, g->report_number(), g->principal_number(),
                        g->goal_id());
    };
    return key(a) < key(b);
  });
  for (const v1::Goal* goal : ordered) *report.add_rows() = RowFromGoal(*goal);
  return report;
}

Tables SplitTables(const v1::Report& report) {
  Tables tables;
  for (const v1::ReportRow& row : report.rows()) {
    if (row.principal_number() != 0) tables.principal.push_back(&row);
    if (row.report_number() != 0) tables.all.push_back(&row);
  }
  std::sort(tables.principal.begin(), tables.principal.end(),
            [](auto* a, auto* b) { return a->principal_number() < b->principal_number(); });
  return tables;
}

std::string RenderCsv(const v1::Report& report) {
  std::vector<std::vector<std::string>> records;
  records.emplace_back(std::begin(kColumns), std::end(kColumns));
  records.back().emplace_back(kPrincipalColumn);
  for (const v1::ReportRow& row : report.rows()) {
    records.push_back(RowCells(row));
    records.back().push_back(row.principal_number() ? std::to_string(row.principal_number()) : "");
  }
  return WriteCsv(records);
}

std::string RenderJson(const v1::Report& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string json;
  // A Report holds only valid UTF-8 strings and known enums, so printing it cannot fail.
  (void)google::protobuf::util::MessageToJsonString(report, &json, options);
  return json;
}

std::string RenderMarkdown(const v1::Report& report) {
  std::string out;
  const auto [principal, all] = SplitTables(report);
  out += fmt::format("# {}（FY{}） DX推進目標（プロジェクト）の進捗状況\n\n",
                     notation::JapaneseFiscalYear(report.fiscal_year()), report.fiscal_year());
  // Each table under the report's heading, its legend under it.
  const auto table = [&](std::string_view heading, const std::vector<const v1::ReportRow*>& rows,
                         bool principal_numbers, const auto& legend) {
    out += fmt::format("## {}\n\n", heading);
    MarkdownTable(rows, principal_numbers, out);
    for (std::string_view line : legend) out += fmt::format("\n{}\n", line);
    out += "\n";
  };
  if (!principal.empty()) table(kPrincipalHeading, principal, true, kPrincipalLegend);
  // The year's 今後の進め方, where the report prints it: between the tables.
  if (!report.next_steps().empty()) {
    out += fmt::format("## {}\n\n{}\n\n", kNextStepsHeading,
                       absl::StrReplaceAll(report.next_steps(), {{"\n", "\n\n"}}));
  }
  table(kAllHeading, all, false, kAllLegend);
  return out;
}

}  // namespace dxledger::report
