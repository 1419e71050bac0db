#ifndef DXLEDGER_SERVICE_REPORT_REPORT_ROWS_H_
#define DXLEDGER_SERVICE_REPORT_REPORT_ROWS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dxledger/v1/report.pb.h"
#include "service/report/csv.h"

// Reading a report file into rows. Both readers return the full list of goals
// with the principal ones marked, and refuse a malformed file with
// INVALID_ARGUMENT naming the line and what was expected.
namespace dxledger::report {

// The seven columns of the report, in order.
inline constexpr std::string_view kColumns[] = {"No.",      "部局名",   "目標",        "評価",
                                                "成果指標", "取組内容", "今後の課題等"};
// The column ExportReport adds after them: the goal's No. among the principal goals.
inline constexpr std::string_view kPrincipalColumn = "主な目標No.";

// The published text: tab-separated rows of 7 columns under `No.` header
// rows; the table of principal goals (under a heading with 主な) and the full
// list, matched by title (NFKC, without white space) so each goal is one row.
absl::StatusOr<v1::Report> ParseReportText(std::string_view content);

// The CSV that ExportReport writes (a BOM and the 主な目標No. column optional).
absl::StatusOr<v1::Report> ParseReportCsv(std::string_view content);

// Rows as the CSV has them (a header, then rows of the seven columns and
// 主な目標No.), read from a CSV file or a workbook's sheet. With `sheet`,
// errors name the sheet, row and column instead of the line.
absl::StatusOr<v1::Report> ParseReportRecords(const std::vector<CsvRecord>& records,
                                              std::string_view sheet);

// INVALID_ARGUMENT "sheet 全目標, row 10, column D: …" (`column` from 0).
absl::Status SheetCellError(std::string_view sheet, int row, int column, std::string_view what);

// One row's cells as the report prints them (see cells.h).
std::vector<std::string> RowCells(const v1::ReportRow& row);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_REPORT_ROWS_H_
