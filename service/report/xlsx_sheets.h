#ifndef DXLEDGER_SERVICE_REPORT_XLSX_SHEETS_H_
#define DXLEDGER_SERVICE_REPORT_XLSX_SHEETS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "service/report/csv.h"

// The cells of an Office Open XML workbook (.xlsx, ECMA-376), as Excel,
// LibreOffice Calc or libxlsxwriter write it: unzipped with libzip, read
// with libxml2. Values only (what a cell shows is its text; a formula's
// cached result), no styles. Thread-safe.
namespace dxledger::report {

struct Sheet {
  std::string name;
  // Rows with at least one cell, by row number (CsvRecord::line); each row's
  // cells from column A to its last cell, empty where a cell is missing.
  std::vector<CsvRecord> rows;
};

// The workbook's sheets in tab order. INVALID_ARGUMENT in plain words for a
// file that is not a workbook or holds parts that cannot be read (a part
// over 64 MiB unpacked is refused, not read).
absl::StatusOr<std::vector<Sheet>> ReadXlsxSheets(std::string_view content);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_XLSX_SHEETS_H_
