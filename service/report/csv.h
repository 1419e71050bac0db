#ifndef DXLEDGER_SERVICE_REPORT_CSV_H_
#define DXLEDGER_SERVICE_REPORT_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

// RFC 4180 CSV as Excel reads and writes it: UTF-8 with a byte-order mark,
// CRLF between records, fields quoted when they hold a comma, quote or line
// break (a line break inside a cell is LF, as Excel's Alt+Enter makes).
// No cell is written so that a spreadsheet would evaluate it (a formula
// guard, below), and reading takes the guard off again.
namespace dxledger::report {

struct CsvRecord {
  int line = 0;  // where the record starts, from 1
  std::vector<std::string> cells;
};

// OWASP's defence against CSV (formula) injection: a cell that starts with
// = + - @, a tab or a carriage return gets a leading apostrophe, which a
// spreadsheet shows as text. So does one that starts with an apostrophe
// before any of those or before another apostrophe, so that
// WithoutFormulaGuard gives every cell back exactly.
std::string WithFormulaGuard(std::string_view cell);
std::string WithoutFormulaGuard(std::string_view cell);

std::string WriteCsv(const std::vector<std::vector<std::string>>& records);

// Accepts CRLF or LF records and an optional BOM. INVALID_ARGUMENT naming the
// line for an unterminated quote or text after a closing quote.
absl::StatusOr<std::vector<CsvRecord>> ReadCsv(std::string_view content);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_CSV_H_
