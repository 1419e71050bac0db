#ifndef DXLEDGER_SERVICE_REPORT_RENDER_H_
#define DXLEDGER_SERVICE_REPORT_RENDER_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "dxledger/v1/report.pb.h"

// A fiscal year's report from the goals' views, and the report in the forms
// people use. Pure.
namespace dxledger::report {

// Rows in report order (No.; principal goals outside the full list last);
// open issues only, since resolved ones are no longer 今後の課題.
v1::Report ReportFromGoals(int fiscal_year, const std::vector<v1::Goal>& goals);

// The report's two tables: the principal goals (by principal number) and the
// full list (by No.). Pointers into `report`.
struct Tables {
  std::vector<const v1::ReportRow*> principal;
  std::vector<const v1::ReportRow*> all;
};
Tables SplitTables(const v1::Report& report);

// CSV for Excel: BOM, CRLF, RFC 4180; the report's seven columns with
// Japanese headers, then 主な目標No. (what ParseReportCsv reads back).
std::string RenderCsv(const v1::Report& report);
// The Report message as JSON (proto field names): items as arrays, tags,
// indicator numbers.
std::string RenderJson(const v1::Report& report);
// The two tables as the report prints them (principal goals, then all).
std::string RenderMarkdown(const v1::Report& report);

// Each rating's colour on the page and in the workbook: unrated, then A-D.
inline constexpr uint32_t kRatingRgb[] = {0xb0b0b0, 0x1a7f37, 0x2f6fdd, 0xd4a017, 0xcf222e};

// Ratings counted: index 0 unrated, 1-4 A-D.
using RatingCounts = std::array<int, 5>;

struct HtmlContext {
  // Each goal's events, by goal name, for its timeline of changes.
  std::map<std::string, std::vector<v1::Event>> history;
  // Rating counts of every year the organization has, for the comparison.
  std::map<int, RatingCounts> years;
  // The log position the page shows the report at, and that event's
  // record time: the page's "as of" line.
  uint64_t as_of_position = 0;
  google::protobuf::Timestamp as_of_time;
  // The signed checkpoint (a signed note) that covers as_of_position, for
  // an auditor to check the page against; empty when the log has none.
  std::string checkpoint;
};

// One self-contained page (inline CSS and SVG, no network): what it shows
// and as of when, a summary of the ratings, the tables, the legends,
// ratings per department (in the report's department order) as a chart
// with an axis, each goal's timeline, and a year-over-year comparison when
// more than one year exists.
std::string RenderHtml(const v1::Report& report, const HtmlContext& context);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_RENDER_H_
