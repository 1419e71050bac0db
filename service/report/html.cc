// RenderHtml: one self-contained page to read and to print.
#include <algorithm>
#include <map>

#include "absl/strings/str_split.h"
#include "fmt/format.h"
#include "proto/notation/event_text.h"
#include "proto/notation/fiscal_year.h"
#include "proto/notation/rating.h"
#include "service/report/cells.h"
#include "service/report/history_ja.h"
#include "service/report/render.h"
#include "service/report/report_rows.h"
#include "service/report/report_text.h"

namespace dxledger::report {
namespace {

std::string Color(int rating) { return fmt::format("#{:06x}", kRatingRgb[rating]); }
constexpr const char* kRatingNames[] = {"未評価", "A", "B", "C", "D"};

constexpr std::string_view kStyle = R"(
body{font-family:"Yu Gothic UI","Yu Gothic","YuGothic","Meiryo","Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:2rem;color:#1f2328;line-height:1.5}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #8c959f;padding:.3rem .4rem;vertical-align:top;white-space:pre-line}
th{background:#eaeef2;white-space:nowrap}td.no,td.rating{text-align:center;white-space:nowrap}
col.no{width:2.5em}col.dept{width:6.5em}col.title{width:16%}col.rating{width:2.5em}
col.indicator{width:18%}col.issues{width:18%}td.dept span{white-space:nowrap}
td.rating span{display:inline-block;min-width:1.6em;border-radius:.3em;color:#fff;font-weight:bold}
.legend{font-size:.85rem;color:#57606a}.timeline{font-size:.8rem}
.timeline li{margin:.1rem 0}.muted{color:#57606a}
details{margin:.3rem 0}summary{cursor:pointer}
span.figure{color:#0550ae;white-space:nowrap}#summary{width:auto}#summary td{min-width:3em}#as-of{color:#57606a}
#checkpoint{font-size:.75rem;color:#57606a}#checkpoint pre{margin:.2rem 0;white-space:pre-wrap;word-break:break-all}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;font-size:9pt}details{display:block}details>*{display:block}
tr{break-inside:avoid}thead{display:table-header-group}h2{break-after:avoid}}
)";

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string RatingCell(v1::Rating rating) {
  if (rating == v1::RATING_UNSPECIFIED) return "<td class=\"rating\"></td>";
  return fmt::format("<td class=\"rating\"><span style=\"background:{}\">{}</span></td>",
                     Color(rating), notation::RatingLetter(rating));
}

// 1500 → "1,500"; 2.5 → "2.5".
std::string Figure(double value) {
  std::string digits = fmt::format("{:g}", value);
  if (digits.find_first_of(".e") != std::string::npos) return digits;
  for (int at = static_cast<int>(digits.size()) - 3; at > (digits[0] == '-' ? 1 : 0); at -= 3) {
    digits.insert(static_cast<size_t>(at), ",");
  }
  return digits;
}

// The indicators as the report words them, each with a figure: its actual
// against its target (実績 543 / 目標 1,500人), where it has a target.
std::string IndicatorsCell(const v1::ReportRow& row) {
  std::string out = "<td>";
  const bool items = IndicatorItems(row.indicators()).size() > 1;
  for (const v1::ReportIndicator& indicator : row.indicators()) {
    // An indicator the report joins to the one before stays on its line.
    if (!indicator.joined_by().empty() && out.size() > 4) {
      out += Escape(indicator.joined_by());
    } else {
      if (out.size() > 4) out += "\n";
      if (items) out += "・";
    }
    out += Escape(indicator.text());
    if (!indicator.has_target_value()) continue;
    out += fmt::format(" <span class=\"figure\">（実績 {} / 目標 {}{}）</span>",
                       indicator.has_actual_value()
                           ? Figure(indicator.actual_value()) + Escape(indicator.unit())
                           : "－",
                       Figure(indicator.target_value()), Escape(indicator.unit()));
  }
  return out + "</td>";
}

// Departments, each kept on one line: a cell breaks only between two.
std::string DepartmentsCell(const v1::ReportRow& row) {
  std::string out = "<td class=\"dept\">";
  for (const std::string& department : row.departments()) {
    if (&department != &row.departments(0)) out += "・<wbr>";
    out += "<span>" + Escape(department) + "</span>";
  }
  return out + "</td>";
}

void Table(const std::vector<const v1::ReportRow*>& rows, bool principal, std::string& out) {
  out +=
      "<table><colgroup><col class=\"no\"><col class=\"dept\"><col class=\"title\">"
      "<col class=\"rating\"><col class=\"indicator\"><col class=\"activities\">"
      "<col class=\"issues\"></colgroup>"
      "<thead><tr><th>No.</th><th>部局名</th><th>目標</th><th>評価</th>"
      "<th>成果指標</th><th>取組内容</th><th>今後の課題等</th></tr></thead><tbody>\n";
  for (const v1::ReportRow* row : rows) {
    const std::vector<std::string> cells = RowCells(*row);
    out += fmt::format("<tr class=\"goal\"><td class=\"no\">{}</td>",
                       principal ? std::to_string(row->principal_number()) : cells[0]);
    for (size_t i = 1; i < cells.size(); ++i) {
      out += i == 1   ? DepartmentsCell(*row)
             : i == 3 ? RatingCell(row->rating())
             : i == 4 ? IndicatorsCell(*row)
                      : "<td>" + Escape(cells[i]) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
}

// Each department's rating counts, departments in the order the report
// first names them.
std::vector<std::pair<std::string, RatingCounts>> ByDepartment(const v1::Report& report) {
  std::vector<std::pair<std::string, RatingCounts>> out;
  std::map<std::string, size_t> index;
  for (const v1::ReportRow& row : report.rows()) {
    for (const std::string& d : row.departments()) {
      auto [it, added] = index.emplace(d, out.size());
      if (added) out.emplace_back(d, RatingCounts{});
      ++out[it->second].second[row.rating()];
    }
  }
  return out;
}

void Summary(const v1::Report& report, const HtmlContext& context, std::string& out) {
  RatingCounts counts{};
  for (const v1::ReportRow& row : report.rows()) ++counts[row.rating()];
  out += fmt::format("<p id=\"as-of\">{} 時点（ログ位置 {}）の記録による</p>\n",
                     FormatJst(context.as_of_time), context.as_of_position);
  if (!context.checkpoint.empty()) {
    out += fmt::format(
        "<div id=\"checkpoint\"><p>この時点までの記録は、次の署名付きチェックポイントに含まれます"
        "（<code>dxledger verify --remote</code> で検証できます）。</p><pre>{}</pre></div>\n",
        Escape(context.checkpoint));
  }
  out += fmt::format("<table id=\"summary\"><caption>評価の内訳（目標 {} 件）</caption><thead><tr>",
                     report.rows_size());
  for (int r : {1, 2, 3, 4, 0}) out += fmt::format("<th>{}</th>", kRatingNames[r]);
  out += "</tr></thead><tbody><tr>";
  for (int r : {1, 2, 3, 4, 0}) out += fmt::format("<td class=\"no\">{}</td>", counts[r]);
  out += "</tr></tbody></table>\n";
}

// Horizontal stacked bars: one per department, a segment per rating.
void Chart(const v1::Report& report, std::string& out) {
  const std::vector<std::pair<std::string, RatingCounts>> by_department = ByDepartment(report);
  int most = 1;
  for (const auto& [d, counts] : by_department) {
    int total = 0;
    for (int c : counts) total += c;
    most = std::max(most, total);
  }
  constexpr int kLabel = 180, kBar = 420, kRow = 26, kTop = 30;
  const int height = kTop + kRow * static_cast<int>(by_department.size()) + 44;
  out += fmt::format(
      "<svg id=\"ratings-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
      "height=\"{}\" role=\"img\" aria-label=\"部局別の評価\" font-size=\"12\">\n",
      kLabel + kBar + 40, height);
  for (int r = 1; r <= 4; ++r) {
    out += fmt::format(
        "<rect x=\"{}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" "
        "y=\"17\">{}</text>\n",
        kLabel + (r - 1) * 70, Color(r), kLabel + (r - 1) * 70 + 16, kRatingNames[r]);
  }
  out += fmt::format(
      "<rect x=\"{}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{}\"/>"
      "<text x=\"{}\" y=\"17\">{}</text>\n",
      kLabel + 280, Color(0), kLabel + 296, kRatingNames[0]);
  int y = kTop;
  for (const auto& [department, counts] : by_department) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", kLabel - 8,
                       y + 15, Escape(department));
    int x = kLabel;
    for (int r : {1, 2, 3, 4, 0}) {
      if (counts[r] == 0) continue;
      const int width = kBar * counts[r] / most;
      out += fmt::format(
          "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{}\">"
          "<title>{} {}: {}</title></rect>\n",
          x, y + 2, width, Color(r), Escape(department), kRatingNames[r], counts[r]);
      out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#fff\" text-anchor=\"middle\">{}</text>\n",
                         x + width / 2, y + 15, counts[r]);
      x += width;
    }
    y += kRow;
  }
  // The axes: departments down the left; goals, 0 to the largest
  // department's count, along the bottom.
  out += fmt::format(
      "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#57606a\"/>\n",
      kLabel, kTop, y + 2);
  out += fmt::format(
      "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
      "stroke=\"#57606a\"/>\n",
      kLabel, y + 2, kLabel + kBar);
  const int step = most <= 10 ? 1 : (most + 9) / 10;
  for (int tick = 0; tick <= most; tick += step) {
    const int x = kLabel + kBar * tick / most;
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#57606a\"/>"
        "<text class=\"tick\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        x, y + 2, y + 6, y + 18, tick);
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">目標数（件）</text>\n",
                     kLabel + kBar / 2, y + 34);
  out += "</svg>\n";
}

void Timelines(const v1::Report& report, const HtmlContext& context, std::string& out) {
  out += "<h2>変更の履歴（目標ごと）</h2>\n<div class=\"timeline\">\n";
  for (const v1::ReportRow& row : report.rows()) {
    auto it = context.history.find(row.goal());
    if (it == context.history.end()) continue;
    out += fmt::format(
        "<details><summary>No.{} {} <span class=\"muted\">({} 件)</span></summary>"
        "<ol>\n",
        row.report_number(), Escape(row.title()), it->second.size());
    for (const v1::Event& event : it->second) {
      out += fmt::format("<li><time datetime=\"{}\">{}</time> <b>{}</b> {}{}</li>\n",
                         notation::FormatTime(event.record_time()), FormatJst(event.record_time()),
                         Escape(event.actor()), Escape(DescribeEventJa(event)),
                         event.reason().empty()
                             ? ""
                             : " <span class=\"muted\">— " + Escape(event.reason()) + "</span>");
    }
    out += "</ol></details>\n";
  }
  out += "</div>\n";
}

void YearOverYear(const HtmlContext& context, std::string& out) {
  if (context.years.size() < 2) return;
  out += "<h2>年度別の評価の推移</h2>\n<table id=\"year-over-year\"><thead><tr><th>年度</th>";
  for (int r : {1, 2, 3, 4, 0}) out += fmt::format("<th>{}</th>", kRatingNames[r]);
  out += "</tr></thead><tbody>\n";
  const RatingCounts* previous = nullptr;
  for (const auto& [year, counts] : context.years) {
    out += fmt::format("<tr><td>{}（FY{}）</td>", notation::JapaneseFiscalYear(year), year);
    for (int r : {1, 2, 3, 4, 0}) {
      const std::string change = previous ? fmt::format(" <span class=\"muted\">({:+d})</span>",
                                                        counts[r] - (*previous)[r])
                                          : "";
      out += fmt::format("<td class=\"no\">{}{}</td>", counts[r], change);
    }
    out += "</tr>\n";
    previous = &counts;
  }
  out += "</tbody></table>\n";
}

}  // namespace

std::string RenderHtml(const v1::Report& report, const HtmlContext& context) {
  const std::string year = notation::JapaneseFiscalYear(report.fiscal_year());
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>{0} DX推進目標（プロジェクト）の進捗状況</title><style>{1}</style></head><body>\n"
      "<h1>{0}（FY{2}） DX推進目標（プロジェクト）の進捗状況</h1>\n",
      year, kStyle, report.fiscal_year());
  // A summary first: the counts, then ratings by department.
  Summary(report, context, out);
  out += "<h2>部局別の評価</h2>\n";
  Chart(report, out);
  const auto [principal, all] = SplitTables(report);
  // Each table under the report's heading, its legend under it.
  const auto legend = [&](const auto& lines) {
    out += "<p class=\"legend\">";
    for (size_t i = 0; i < std::size(lines); ++i) {
      if (i > 0) out += "<br>";
      out += Escape(lines[i]);
    }
    out += "</p>\n";
  };
  if (!principal.empty()) {
    out += fmt::format("<h2>{}</h2>\n", kPrincipalHeading);
    Table(principal, true, out);
    legend(kPrincipalLegend);
  }
  // The year's 今後の進め方, where the report prints it: between the tables.
  if (!report.next_steps().empty()) {
    out += fmt::format("<h2>{}</h2>\n<div id=\"next-steps\">", kNextStepsHeading);
    for (absl::string_view paragraph : absl::StrSplit(report.next_steps(), '\n')) {
      out += fmt::format("<p>{}</p>", Escape({paragraph.data(), paragraph.size()}));
    }
    out += "</div>\n";
  }
  out += fmt::format("<h2>{}</h2>\n<div id=\"all-goals\">\n", kAllHeading);
  Table(all, false, out);
  out += "</div>\n";
  legend(kAllLegend);
  YearOverYear(context, out);
  Timelines(report, context, out);
  out += "</body></html>\n";
  return out;
}

}  // namespace dxledger::report
