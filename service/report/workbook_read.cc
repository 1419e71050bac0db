// ParseReportXlsx: a workbook HQ edited, back into report rows.
#include <algorithm>
#include <map>

#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/domain/text.h"
#include "service/report/cells.h"
#include "service/report/report_rows.h"
#include "service/report/workbook.h"
#include "service/report/xlsx_sheets.h"

namespace dxledger::report {
namespace {

absl::Status CellError(std::string_view sheet, int row, size_t column, std::string_view what) {
  return SheetCellError(sheet, row, static_cast<int>(column), what);
}

const Sheet* Find(const std::vector<Sheet>& sheets, std::string_view name) {
  for (const Sheet& sheet : sheets) {
    if (sheet.name == name) return &sheet;
  }
  return nullptr;
}

bool Blank(const CsvRecord& row) {
  return std::all_of(row.cells.begin(), row.cells.end(),
                     [](const std::string& cell) { return cell.empty(); });
}

// A sheet's rows as the CSV reader gives them: the formula guard taken off,
// blank rows (a spreadsheet keeps formatted empty cells) as blank lines, and
// every row as wide as the header (trailing empty cells are often left out).
std::vector<CsvRecord> Records(const Sheet& sheet) {
  std::vector<CsvRecord> records;
  size_t width = 0;
  for (const CsvRecord& row : sheet.rows) {
    if (Blank(row)) continue;
    CsvRecord& record = records.emplace_back(CsvRecord{row.line, {}});
    for (const std::string& cell : row.cells) record.cells.push_back(WithoutFormulaGuard(cell));
    while (record.cells.size() > width && record.cells.back().empty()) record.cells.pop_back();
    if (width == 0) width = record.cells.size();  // the header
    if (record.cells.size() < width) record.cells.resize(width);
  }
  return records;
}

// Each row of the 主な目標 sheet must say what its goal's row on 全目標 says:
// an edit made on one sheet only would otherwise be lost without a word.
absl::Status CheckPrincipalSheet(const std::vector<CsvRecord>& principal,
                                 const std::vector<CsvRecord>& all) {
  constexpr size_t kMark = std::size(kColumns);  // 全目標's 主な目標No. column
  std::map<std::string, const CsvRecord*> marked;
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].cells.size() > kMark && !domain::MatchKey(all[i].cells[kMark]).empty()) {
      marked.emplace(domain::MatchKey(all[i].cells[kMark]), &all[i]);
    }
  }
  std::map<std::string, int> seen;
  for (size_t i = 1; i < principal.size(); ++i) {
    const CsvRecord& row = principal[i];
    const std::string number = domain::MatchKey(row.cells[0]);
    auto it = marked.find(number);
    if (it == marked.end()) {
      return CellError(kPrincipalSheet, row.line, 0,
                       fmt::format("主な目標No. {} is not marked on sheet {} (column {}): the "
                                   "import reads the goals from {}; mark the goal there, or "
                                   "delete this row",
                                   row.cells[0], kAllSheet, kPrincipalColumn, kAllSheet));
    }
    seen[number] = row.line;
    const CsvRecord& goal = *it->second;
    for (size_t c = 1; c < std::size(kColumns); ++c) {
      const std::string& here = c < row.cells.size() ? row.cells[c] : "";
      if (here == goal.cells[c]) continue;
      return CellError(
          kPrincipalSheet, row.line, c,
          fmt::format("{} differs from sheet {}, row {}, where 主な目標No. {} says \"{}\" "
                      "(here \"{}\"): the import reads {}; make the two sheets agree, or "
                      "delete the sheet {}",
                      kColumns[c], kAllSheet, goal.line, row.cells[0], goal.cells[c], here,
                      kAllSheet, kPrincipalSheet));
    }
  }
  for (const auto& [number, goal] : marked) {
    if (seen.contains(number)) continue;
    return CellError(kAllSheet, goal->line, kMark,
                     fmt::format("主な目標No. {} has no row on sheet {}: add it there, or "
                                 "delete the sheet {}",
                                 goal->cells[kMark], kPrincipalSheet, kPrincipalSheet));
  }
  return absl::OkStatus();
}

// The 出力情報 sheet names the year the workbook holds (row 年度).
absl::Status CheckYear(const Sheet& about, int fiscal_year) {
  for (const CsvRecord& row : about.rows) {
    if (row.cells.size() < 2 || row.cells[0] != "年度") continue;
    // As the export writes it (2021), or as a person might (令和3年度, R3).
    absl::StatusOr<int> named = notation::ParseFiscalYear(domain::MatchKey(row.cells[1]));
    if (!named.ok()) {
      return CellError(
          kAboutSheet, row.line, 1,
          fmt::format("年度 \"{}\" is not a fiscal year: write it as 2021 or 令和3年度",
                      row.cells[1]));
    }
    if (*named == fiscal_year) return absl::OkStatus();
    return CellError(kAboutSheet, row.line, 1,
                     fmt::format("the workbook holds the report of {} (\"{}\"), not {}: import it "
                                 "with --year {}",
                                 notation::JapaneseFiscalYear(*named), row.cells[1],
                                 notation::JapaneseFiscalYear(fiscal_year), *named));
  }
  return absl::OkStatus();
}

// The 出力情報 sheet's 今後の進め方, as HQ may have edited it; empty when the
// row is missing or blank.
std::string NextSteps(const Sheet& about) {
  for (const CsvRecord& row : about.rows) {
    if (row.cells.size() >= 2 && row.cells[0] == kNextStepsLabel) {
      return WithoutFormulaGuard(row.cells[1]);
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<v1::Report> ParseReportXlsx(std::string_view content, int fiscal_year) {
  absl::StatusOr<std::vector<Sheet>> sheets = ReadXlsxSheets(content);
  if (!sheets.ok()) return sheets.status();
  const Sheet* all = Find(*sheets, kAllSheet);
  if (all == nullptr) {
    std::string names;
    for (const Sheet& sheet : *sheets) names += (names.empty() ? "" : ", ") + sheet.name;
    return absl::InvalidArgumentError(
        fmt::format("the workbook has no sheet named {} (it has: {}): the import reads every "
                    "goal from that sheet, as dxledger export --format xlsx writes it",
                    kAllSheet, names));
  }
  if (const Sheet* about = Find(*sheets, kAboutSheet)) {
    if (absl::Status s = CheckYear(*about, fiscal_year); !s.ok()) return s;
  }
  const std::vector<CsvRecord> all_rows = Records(*all);
  absl::StatusOr<v1::Report> report = ParseReportRecords(all_rows, kAllSheet);
  if (!report.ok()) return report.status();
  if (const Sheet* principal = Find(*sheets, kPrincipalSheet)) {
    const std::vector<CsvRecord> principal_rows = Records(*principal);
    if (absl::Status s = CheckPrincipalSheet(principal_rows, all_rows); !s.ok()) return s;
  }
  if (const Sheet* about = Find(*sheets, kAboutSheet)) report->set_next_steps(NextSteps(*about));
  return report;
}

}  // namespace dxledger::report
