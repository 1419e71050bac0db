#ifndef DXLEDGER_SERVICE_REPORT_WORKBOOK_H_
#define DXLEDGER_SERVICE_REPORT_WORKBOOK_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dxledger/v1/report.pb.h"
#include "google/protobuf/timestamp.pb.h"

// The report as an Excel workbook (.xlsx) HQ edits and sends back.
//
// Three sheets: 主な目標 (the principal goals, numbered as the report numbers
// them), 全目標 (every goal: the CSV's eight columns, and what an import
// reads) and 出力情報 (what was exported, as of when, under which signed
// checkpoint). Cells are text, wrapped, under a frozen header row with an
// autofilter; a rating cell is coloured as on the HTML page. Cells carry
// the CSV's formula guard, and reading takes it off again.
namespace dxledger::report {

inline constexpr std::string_view kPrincipalSheet = "主な目標";
inline constexpr std::string_view kAllSheet = "全目標";
inline constexpr std::string_view kAboutSheet = "出力情報";
// The row of 出力情報 that holds the year's 今後の進め方; import reads it.
inline constexpr const char* kNextStepsLabel = "今後の進め方";

struct WorkbookInfo {
  std::string organization;
  // The log position the workbook shows the report at, and that event's time.
  uint64_t as_of_position = 0;
  google::protobuf::Timestamp as_of_time;
  // The signed checkpoint (a signed note) that covers as_of_position; empty
  // when the log has none.
  std::string checkpoint;
};

// The workbook's bytes; INTERNAL when libxlsxwriter cannot write it (the
// temporary directory is full, say).
absl::StatusOr<std::string> RenderXlsx(const v1::Report& report, const WorkbookInfo& info);

// Reads the 全目標 sheet of a workbook RenderXlsx wrote, as edited in Excel
// or re-saved by another spreadsheet application, into rows as
// ParseReportCsv does. When the workbook still has its 主な目標 sheet, each of
// its rows must say what the goal's row on 全目標 says. When it has its
// 出力情報 sheet, `fiscal_year` must be the year it names. INVALID_ARGUMENT
// naming the sheet, row and column for a bad cell; for a file that is not a
// workbook, or has no 全目標 sheet, in plain words.
absl::StatusOr<v1::Report> ParseReportXlsx(std::string_view content, int fiscal_year);

// Display width of a line of text in a spreadsheet's character units: a
// full-width (CJK) character counts 2.
int DisplayWidth(std::string_view line);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_WORKBOOK_H_
